// logbook get ID [--json]
import type { Command } from 'commander'
import { LogbookError } from '../index.js'
import { entryToJson, payloadText } from './output.js'
import { hexArg, out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('get')
    .description('show one ready entry')
    .argument('<id>', 'the entry id (64 hex digits)', hexArg('id'))
    .option('--json', 'print the entry as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
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
          ['timestamp', `${entry.timestamp} (${new Date(entry.timestamp).toISOString()})`],
          ['localSeq', String(entry.localSeq)],
          ['signed', entry.signed ? 'yes' : 'no'],
          ['kind', entry.kind],
          ['payload', payloadText(entry)]
        ]
        for (const [key, value] of rows) await out.line(`${(key + ':').padEnd(11)}${value}`)
      })
    })
}
