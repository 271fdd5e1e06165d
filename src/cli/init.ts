// logbook init [--space KEY]: a new store with a new identity, in a new space or joining KEY.
import type { Command } from 'commander'
import { Logbook } from '../index.js'
import { globals, hexArg, out } from './context.js'

export function register (program: Command): void {
  program.command('init')
    .description('create a store with a new identity: a new space, or join the space KEY')
    .option('--space <key>', 'join this space (its key, as printed by `logbook space`)', hexArg('space key'))
    .option('--json', 'print {author, space} as JSON')
    .action(async (options: { space?: string, json?: boolean }, command: Command) => {
      const spaceKey = options.space === undefined ? undefined : new Uint8Array(Buffer.from(options.space, 'hex'))
      const book = await Logbook.create({ dir: globals(command).dir, spaceKey })
      try {
        if (options.json === true) await out.json({ author: book.author, space: Buffer.from(book.spaceKey).toString('hex') })
        else await out.line(book.author)
      } finally {
        await book.close()
      }
    })
}
