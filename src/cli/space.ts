// logbook space: the space key (hex). Give it to someone to invite them: `logbook init --space KEY`.
import type { Command } from 'commander'
import { readSpaceKey } from '../store-dir.js'
import { globals, out } from './context.js'

export function register (program: Command): void {
  program.command('space')
    .description('print the space key (invite someone with `logbook init --space KEY`)')
    .action(async (_options: unknown, command: Command) => {
      const key = await readSpaceKey(globals(command).dir)
      await out.line(Buffer.from(key).toString('hex'))
    })
}
