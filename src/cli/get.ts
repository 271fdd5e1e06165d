// logbook get ID [--json]: one ready entry, by its id or a unique prefix of it.
import type { Command } from 'commander'
import { LogbookError } from '../index.js'
import { entryToJson, isoTime, payloadText } from './output.js'
import { idPrefixArg, out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('get')
    .description('show one ready entry')
    .argument('<id>', 'the entry id, or a unique prefix of it (4 to 64 hex digits)', idPrefixArg('an id'))
    .option('--json', 'print the entry as JSON')
    .action(async (prefix: string, options: { json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
        const id = await book.resolveId(prefix)
        const entry = await book.get(id)
        if (entry === undefined) throw new LogbookError('NOT_FOUND', `no ready entry ${id} in this store`)
        if (options.json === true) {
          await out.json(entryToJson(entry))
          return
        }
        const rows: Array<[string, string]> = [
          ['id', entry.id],
          ['author', entry.author],
          ['seq', String(entry.seq)],
          ['prev', entry.prev ?? '-'],
          ['links', entry.links.length === 0 ? '-' : entry.links.join(' ')],
          ['timestamp', `${entry.timestamp} (${isoTime(entry.timestamp)})`],
          ['localSeq', String(entry.localSeq)],
          ['signed', entry.signed ? 'yes' : 'no'],
          ['kind', entry.kind],
          ['payload', payloadText(entry)]
        ]
        for (const [key, value] of rows) await out.line(`${(key + ':').padEnd(11)}${value}`)
      })
    })
}
