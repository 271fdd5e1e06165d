// logbook forks [--json]: authors with two different entries at one seq, with the proofs.
import type { Command } from 'commander'
import { out, withBook } from './context.js'

export function register (program: Command): void {
  program.command('forks')
    .description('list forked identities: author, seq and the two conflicting entry ids')
    .option('--json', 'print the fork reports with their proofs (signed segments) as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
        const forks = await book.forks()
        if (options.json === true) await out.json(forks)
        else for (const fork of forks) await out.line(`${fork.author} ${fork.seq} ${fork.ids[0]} ${fork.ids[1]}`)
      })
    })
}
