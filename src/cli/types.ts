// logbook types [TYPE] [--limit N] [--reverse] [--json]: the built-in `types` view, an index of entries by
// their payload's `type` field. Without TYPE, the types there are and how many entries each has; with
// TYPE, its entries by the time their authors gave them.
import type { Command } from 'commander'
import type { IndexApi } from '../index.js'
import { intArg, out, withBook } from './context.js'
import { entryLine, entryToJson, keyText } from './output.js'
import { readyView } from './views.js'
import type { BookApi } from './shared-store/book-api.js'

async function typesOf (book: BookApi): Promise<IndexApi> {
  await readyView(book, 'types')
  return book.view<IndexApi>('types').api
}

interface TypesFlags { limit?: number, reverse?: boolean, json?: boolean }

export function register (program: Command): void {
  program.command('types')
    .description('entries by their payload\'s "type" (JSON objects with a string "type"): without TYPE, each type and its count')
    .argument('[type]', 'list the entries of this type, by timestamp (then id)')
    .option('--limit <n>', 'at most N types, or N entries', intArg)
    .option('--reverse', 'entries newest first')
    .option('--json', 'NDJSON: {"type", "entries"} per type, or one entry per line as `log --json` prints it')
    .action(async (type: string | undefined, options: TypesFlags, command: Command) => {
      await withBook(command, async (book) => {
        const types = await typesOf(book)
        if (type === undefined) {
          const values = await types.values()
          for (const { value, entries } of values.slice(0, options.limit ?? values.length)) {
            await (options.json === true ? out.json({ type: value, entries }) : out.line(`${entries} ${keyText(value)}`))
          }
          return
        }
        for (const entry of await types.query(type, { limit: options.limit, reverse: options.reverse === true })) {
          await out.line(options.json === true ? JSON.stringify(entryToJson(entry)) : entryLine(entry))
        }
      })
    })
}
