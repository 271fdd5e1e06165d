// logbook verify [--json]: re-check everything stored; exit 1 (VERIFY_FAILED) on any problem.
import type { Command } from 'commander'
import { LogbookError } from '../index.js'
import { out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('verify')
    .description('re-check every stored entry: ids, chains, signatures, index, pending, fork proofs')
    .option('--json', 'print {ok, entries, problems} as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const result = await withBook(command, async (book) => await book.verify())
      if (options.json === true) await out.json(result)
      else if (result.ok) await out.line(`ok: ${result.entries} entries verified`)
      else for (const problem of result.problems) await out.line(problem)
      if (!result.ok) {
        await out.flush()
        const n = result.problems.length
        throw new LogbookError('VERIFY_FAILED', `${n} problem${n === 1 ? '' : 's'} found: ${result.problems[0]}`)
      }
    })
}
