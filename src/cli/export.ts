// logbook export [--json] [--author A] [--since CURSOR] [--cursor-file F]: the store (or part of it) as an
// export on stdout. Every export tells the cursor an incremental export takes next: in FILE with
// --cursor-file (for scripts), and on stderr when that is a terminal (a script's stderr stays quiet).
import { writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { LogbookError } from '../index.js'
import { idPrefixArg, out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('export')
    .description('write an export (binary frames, or NDJSON with --json) to stdout; exports concatenate')
    .option('--json', 'text export: one JSON segment per line')
    .option('--author <id>', 'only this author\'s entries (an author id, or a unique prefix of 4+ digits)', idPrefixArg('an author id'))
    .option('--since <cursor>', 'only what changed after CURSOR (printed by `status` and by every export)')
    .option('--cursor-file <file>', 'also write the cursor for the next incremental export to FILE')
    .action(async (options: { json?: boolean, author?: string, since?: string, cursorFile?: string }, command: Command) => {
      const json = options.json === true
      if (!json && out.isTTY) throw new LogbookError('INVALID_ARGUMENT', 'a binary export is not for a terminal: redirect it (> file) or use --json')
      await withBook(command, async (book) => {
        const author = options.author === undefined ? undefined : await book.resolveAuthor(options.author)
        let cursor = ''
        for await (const chunk of book.export({ format: json ? 'json' : 'binary', author, since: options.since, onCursor: (at) => { cursor = at } })) {
          await out.bytes(chunk)
        }
        if (options.cursorFile !== undefined) await writeFile(options.cursorFile, cursor + '\n')
        if (process.stderr.isTTY) process.stderr.write(`cursor ${cursor} (export --since ${cursor} sends what changes after this export)\n`)
      })
    })
}
