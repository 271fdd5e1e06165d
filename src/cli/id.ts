// logbook id: this store's author id. Reads the identity file only (works while the store is in use).
import type { Command } from 'commander'
import { readIdentity, readSpaceKey } from '../store-dir.js'
import { globals, out } from './context.js'

export function register (program: Command): void {
  program.command('id')
    .description('print this store\'s author id')
    .action(async (_options: unknown, command: Command) => {
      const { dir } = globals(command)
      await readSpaceKey(dir) // LOGBOOK_NOT_INITIALIZED when there is no store
      await out.line((await readIdentity(dir)).author)
    })
}
