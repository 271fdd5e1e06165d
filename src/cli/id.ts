// logbook id [--json]: this store's author id. Reads the identity file only (works while the store is in use).
import type { Command } from 'commander'
import { readIdentity, readSpaceKey } from '../index.js'
import { printAuthor, storeDir } from './context.js'

export function register (program: Command): void {
  program.command('id')
    .description('print this store\'s author id')
    .option('--json', 'print {"author": ...}')
    .action(async (options: { json?: boolean }, command: Command) => {
      const dir = await storeDir(command)
      await readSpaceKey(dir) // LOGBOOK_NOT_INITIALIZED when there is no store
      await printAuthor((await readIdentity(dir)).author, options.json)
    })
}
