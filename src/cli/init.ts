// logbook init [--space KEY] [--json]: a new store with a new identity, in a new space or joining KEY.
// Without --dir (or LOGBOOK_DIR) the store is ./.logbook, in the current directory, even inside another
// store's directory tree (as `git init` makes a nested repository).
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { Logbook } from '../index.js'
import { hexArg, newStoreDir, out } from './context.js'

export function register (program: Command): void {
  program.command('init')
    .description('create a store with a new identity (./.logbook unless --dir): a new space, or join the space KEY')
    .option('--space <key>', 'join this space (its key, as printed by `logbook space`)', hexArg('space key'))
    .option('--json', 'print {"author", "space" (the key), "dir"} as JSON')
    .action(async (options: { space?: string, json?: boolean }, command: Command) => {
      const spaceKey = options.space === undefined ? undefined : new Uint8Array(Buffer.from(options.space, 'hex'))
      const dir = newStoreDir(command)
      const book = await Logbook.create({ dir, spaceKey })
      try {
        if (options.json === true) {
          await out.json({ author: book.author, space: Buffer.from(book.spaceKey).toString('hex'), dir: resolve(dir) })
        } else {
          await out.line(`created a store in ${resolve(dir)}${spaceKey === undefined ? ', in a new space' : ', joining the given space'}`)
          await out.line(`author: ${book.author}`)
        }
      } finally {
        await book.close()
      }
    })
}
