// logbook heads [--json]: the DAG heads (ready entries nothing refers to), sorted.
import type { Command } from 'commander'
import { out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('heads')
    .description('list the heads: ready entries that no ready entry follows')
    .option('--json', 'print a JSON array of ids')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
        const heads = await book.heads()
        if (options.json === true) await out.json(heads)
        else for (const id of heads) await out.line(id)
      })
    })
}
