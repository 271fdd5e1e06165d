// logbook log [--json] [--author A] [--limit N]: ready entries in local order.
import type { Command } from 'commander'
import { entryLine, entryToJson } from './output.js'
import { hexArg, intArg, out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('log')
    .description('list ready entries in local order: localSeq author seq id payload')
    .option('--json', 'NDJSON: one entry per line (binary payloads as {"base64": ...})')
    .option('--author <id>', 'only this author\'s entries', hexArg('author'))
    .option('--limit <n>', 'at most N entries', intArg)
    .action(async (options: { json?: boolean, author?: string, limit?: number }, command: Command) => {
      await withBook(command, async (book) => {
        for await (const entry of book.log({ author: options.author, limit: options.limit })) {
          await out.line(options.json === true ? JSON.stringify(entryToJson(entry)) : entryLine(entry))
        }
      })
    })
}
