// A store directory: the LevelDB database, the space key and the identity. Secret files are created
// readable by their owner only (mode 0600, directory 0700).
import { constants } from 'node:fs'
import { chmod, copyFile, lstat, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { LogbookError, storeFailure } from '../../errors.js'
import { fromHex, toHex } from '../../entry/bytes.js'
import { SPACE_KEY_BYTES } from '../../crypto/index.js'
import { Identity } from '../../identity.js'

export const DEFAULT_DIR = '.logbook'

/** `views` holds only derived data: deleting it loses nothing a replay of the log cannot rebuild. */
export function storePaths (dir: string): { db: string, journal: string, views: string, space: string, identity: string } {
  return { db: join(dir, 'db'), journal: join(dir, 'journal'), views: join(dir, 'views'), space: join(dir, 'space.key'), identity: join(dir, 'identity.json') }
}

async function exists (path: string): Promise<boolean> {
  try { await stat(path); return true } catch { return false }
}

export async function isInitialized (dir: string): Promise<boolean> {
  return await exists(storePaths(dir).space)
}

/**
 * The nearest DEFAULT_DIR in `start` or one of its parents, as git finds `.git`: the directory's own first,
 * then each parent's up to the root. Null when there is none. The search stops at the first DEFAULT_DIR
 * that exists: one that is not a store (or cannot be read) is an error naming it, never passed over for a
 * store further up, which would then receive what was meant for this one.
 */
export async function findStore (start: string): Promise<string | null> {
  let at = resolve(start)
  for (;;) {
    const candidate = join(at, DEFAULT_DIR)
    let found = true
    try {
      await lstat(candidate)
    } catch (err) {
      if (!missing(err)) throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `cannot look for a store at ${candidate}`)
      found = false
    }
    if (found) {
      try {
        await stat(storePaths(candidate).space)
      } catch (err) {
        if (!missing(err)) throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `${candidate}, the nearest ${DEFAULT_DIR}, cannot be read`)
        // A store that lost its key is still this store: opening it names what is missing.
        if (!await exists(storePaths(candidate).db)) {
          throw new LogbookError('LOGBOOK_NOT_INITIALIZED', `${candidate}, the nearest ${DEFAULT_DIR}, is not a store (it has no space.key)`, { cause: err })
        }
      }
      return candidate
    }
    const parent = dirname(at)
    if (parent === at) return null
    at = parent
  }
}

/**
 * Writes a secret file atomically (temp file + rename) with owner-only permissions. A temporary file
 * left by an interrupted write is removed first and the new one created exclusively: writing into the
 * old file would keep its mode (0644, say), and the secret would be readable by others once renamed.
 */
export async function writeSecret (path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`
  await rm(temp, { force: true })
  const file = await open(temp, 'wx', 0o600)
  try {
    await file.writeFile(text + '\n')
    await file.sync()
  } finally {
    await file.close()
  }
  await rename(temp, path)
}

export async function initDir (dir: string, spaceKey: Uint8Array, identity: Identity): Promise<void> {
  if (await isInitialized(dir)) throw new LogbookError('LOGBOOK_ALREADY_INITIALIZED', `a store already exists in ${dir}`)
  const paths = storePaths(dir)
  // A database without its space key is a store whose key was lost, not an empty directory: a new space
  // here would orphan its entries.
  if (await exists(paths.db)) {
    throw new LogbookError('LOGBOOK_ALREADY_INITIALIZED', `${dir} holds a store whose space key (${paths.space}) is missing; restore that file from a backup instead`)
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 })
    // An identity left by an interrupted creation is a secret key all the same: kept, never overwritten.
    if (await exists(paths.identity)) {
      const kept = join(dir, `identity.replaced.${Date.now()}.json`)
      await copyFile(paths.identity, kept, constants.COPYFILE_EXCL)
      await chmod(kept, 0o600)
    }
    await writeSecret(paths.identity, identity.toText())
    // The space key is written last: its presence marks the directory as initialized.
    await writeSecret(paths.space, toHex(spaceKey))
  } catch (err) {
    throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `cannot create a store in ${dir}`)
  }
}

function missing (err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

export async function readSpaceKey (dir: string): Promise<Uint8Array> {
  const paths = storePaths(dir)
  let text: string
  try {
    text = await readFile(paths.space, 'utf8')
  } catch (err) {
    if (!missing(err)) throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `cannot read ${paths.space}`)
    if (await exists(paths.db)) {
      throw new LogbookError('LOGBOOK_NOT_OPEN', `the store in ${dir} has lost its space key (${paths.space} is missing); restore that file from a backup`, { cause: err })
    }
    throw new LogbookError('LOGBOOK_NOT_INITIALIZED', `no store in ${dir}`, { cause: err })
  }
  const key = fromHex(text.trim(), SPACE_KEY_BYTES)
  if (key === undefined) throw new LogbookError('INVALID_KEY', `${paths.space} does not hold a 32-byte hex space key`)
  return key
}

export async function readIdentity (dir: string): Promise<Identity> {
  const path = storePaths(dir).identity
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if (!missing(err)) throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `cannot read ${path}`)
    throw new LogbookError('IDENTITY_MISSING', `the store in ${dir} has lost its identity: ${path} is missing`, { cause: err })
  }
  try {
    return Identity.fromText(text.trim())
  } catch (err) {
    if (!(err instanceof LogbookError)) throw err
    throw new LogbookError('INVALID_IDENTITY', `the store's identity file ${path} is damaged: ${err.message}`, { cause: err })
  }
}

export async function writeIdentity (dir: string, identity: Identity): Promise<void> {
  try {
    await writeSecret(storePaths(dir).identity, identity.toText())
  } catch (err) {
    throw storeFailure(err, 'LOGBOOK_NOT_OPEN', `cannot write the identity in ${dir}`)
  }
}
