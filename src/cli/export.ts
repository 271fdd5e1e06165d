// logbook export [--json] [--author A] [--since N]: the store (or part of it) as an export on stdout.
import type { Command } from 'commander'
import { LogbookError } from '../index.js'
import { idPrefixArg, intArg, out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('export')
    .description('write an export (binary frames, or NDJSON with --json) to stdout; exports concatenate')
    .option('--json', 'text export: one JSON segment per line')
    .option('--author <id>', 'only this author\'s entries (an author id, or a unique prefix of 4+ digits)', idPrefixArg('an author id'))
    .option('--since <n>', 'only entries that became ready after local sequence number N', intArg)
    .action(async (options: { json?: boolean, author?: string, since?: number }, command: Command) => {
      const json = options.json === true
      if (!json && out.isTTY) throw new LogbookError('INVALID_ARGUMENT', 'a binary export is not for a terminal: redirect it (> file) or use --json')
      await withBook(command, async (book) => {
        const author = options.author === undefined ? undefined : book.resolveAuthor(options.author)
        for await (const chunk of book.export({ format: json ? 'json' : 'binary', author, since: options.since })) {
          await out.bytes(chunk)
        }
      })
    })
}
