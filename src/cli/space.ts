// logbook space [--json]: the space key (hex). Give it to someone to invite them: `logbook init --space KEY`.
import type { Command } from 'commander'
import { readSpaceKey } from '../index.js'
import { out, storeDir } from './context.js'

export function register (program: Command): void {
  program.command('space')
    .description('print the space key (invite someone with `logbook init --space KEY`)')
    .option('--json', 'print {"space": KEY}, as `init --json` does')
    .action(async (options: { json?: boolean }, command: Command) => {
      const key = Buffer.from(await readSpaceKey(await storeDir(command))).toString('hex')
      await (options.json === true ? out.json({ space: key }) : out.line(key))
    })
}
