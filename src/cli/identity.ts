// logbook identity export | import [--force] | new
import { constants } from 'node:fs'
import { chmod, copyFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { Identity, Logbook, LogbookError, readIdentity, readSpaceKey, storePaths } from '../index.js'
import { out, printAuthor, requireSubcommand, storeDir } from './context.js'
import { readStdinText } from './input.js'
import { refusalWhileHeld } from './shared-store/open.js'

/**
 * The store, opened here with `identity`. Not through a process that holds it: that one keeps signing
 * with the identity it opened with, so replacing the identity needs the store to this command alone.
 */
async function openAlone (dir: string, identity: Identity): Promise<Logbook> {
  try {
    return await Logbook.open({ dir, identity })
  } catch (err) {
    throw await refusalWhileHeld(dir, err, 'replacing its identity')
  }
}

/** Keeps the identity file of `author` beside the store as identity.<first 16 hex>.retired.json. */
async function retire (dir: string, author: string): Promise<string> {
  const current = storePaths(dir).identity
  const retired = join(dirname(current), `identity.${author.slice(0, 16)}.retired.json`)
  try {
    // A copy, not a rename: identity.json is then replaced atomically, so there is always one.
    await copyFile(current, retired, constants.COPYFILE_EXCL)
    // A copy takes its source's mode: a secret stays readable by its owner only, whatever that was.
    await chmod(retired, 0o600)
  } catch (err) {
    // Already retired once (the same author always has the same file): keep that copy.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return retired
}

/** The store's identity, or null when its file is missing or damaged (`damaged` says which). */
async function currentIdentity (dir: string): Promise<{ identity: Identity | null, damaged: boolean }> {
  try {
    return { identity: await readIdentity(dir), damaged: false }
  } catch (err) {
    if (err instanceof LogbookError && err.code === 'IDENTITY_MISSING') return { identity: null, damaged: false }
    if (err instanceof LogbookError && err.code === 'INVALID_IDENTITY') return { identity: null, damaged: true }
    throw err
  }
}

/**
 * Keeps the identity file that is about to be replaced: a valid one as a retired file, a damaged one
 * (it may still be mended by hand) as identity.damaged.<time>.json. A missing one leaves nothing to keep.
 */
async function setAside (dir: string, current: { identity: Identity | null, damaged: boolean }): Promise<void> {
  if (current.identity !== null) {
    await retire(dir, current.identity.author)
  } else if (current.damaged) {
    const path = storePaths(dir).identity
    const kept = join(dirname(path), `identity.damaged.${Date.now()}.json`)
    await copyFile(path, kept, constants.COPYFILE_EXCL)
    await chmod(kept, 0o600)
  }
}

export function register (program: Command): void {
  const identity = requireSubcommand(program.command('identity')
    .description('back up, restore or replace this store\'s identity: export, import, new'))

  identity.command('export')
    .description('print the identity (secret: it signs as you) as one line of text')
    .option('--json', 'the same line: the identity\'s text form is JSON')
    .action(async (_options: unknown, command: Command) => {
      const dir = await storeDir(command)
      await readSpaceKey(dir)
      await out.line((await readIdentity(dir)).toText())
    })

  identity.command('import')
    .description('read an identity from stdin (from `logbook identity export`) and use it in this store')
    .option('--force', 'replace a different identity (the old one is kept as identity.<id>.retired.json)')
    .option('--json', 'print {"author": ...}')
    .action(async (options: { force?: boolean, json?: boolean }, command: Command) => {
      const dir = await storeDir(command)
      await readSpaceKey(dir)
      const text = (await readStdinText()).trim()
      if (text === '') throw new LogbookError('INVALID_IDENTITY', 'stdin is empty: expected an identity')
      const imported = Identity.fromText(text)
      const current = await currentIdentity(dir)
      const other = current.identity !== null && current.identity.author !== imported.author ? current.identity : null
      if (other !== null && options.force !== true) {
        throw new LogbookError('INVALID_ARGUMENT', `this store already has identity ${other.author}; ` +
          'use --force to replace it (the old one is kept as a retired file)')
      }
      // Opened with the imported identity, so a missing or damaged identity file does not stand in the
      // way; and opened before anything is set aside, so a store in use is left as it was.
      const book = await openAlone(dir, imported)
      try {
        if (other !== null || current.damaged) await setAside(dir, current)
        await book.setIdentity(imported)
      } finally {
        await book.close()
      }
      await printAuthor(imported.author, options.json)
    })

  identity.command('new')
    .description('create a new identity for this store (the way out after a fork, or when its identity is lost); the old one is retired')
    .option('--json', 'print {"author": ...}')
    .action(async (options: { json?: boolean }, command: Command) => {
      const dir = await storeDir(command)
      await readSpaceKey(dir)
      const current = await currentIdentity(dir)
      const fresh = Identity.generate()
      // Opened with the new identity, so a missing or damaged identity file does not stand in the way.
      const book = await openAlone(dir, fresh)
      try {
        await setAside(dir, current)
        await book.setIdentity(fresh)
        await printAuthor(book.author, options.json)
      } finally {
        await book.close()
      }
    })
}
