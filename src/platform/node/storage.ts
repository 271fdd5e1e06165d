// Stores in directories (Node): LevelDB databases for the log and the views, the key files, the journal.
// A directory is open at most once per process; LevelDB's lock keeps other processes out.
import { realpath, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { innermostMessage, isIoFailure, LogbookError, storeFailure } from '../../errors.js'
import type { Identity } from '../../identity.js'
import type { Database, OpenedLocation, StoreStorage } from '../../storage.js'
import { allowNativeBatches } from '../../store/root-batch.js'
import { FileJournal } from './journal.js'
import { initDir, readIdentity, readSpaceKey, storePaths, writeIdentity } from './store-dir.js'

allowNativeBatches(ClassicLevel.prototype)

/** The views database's LevelDB write buffer (the log's keeps LevelDB's default 4 MiB). */
const VIEWS_WRITE_BUFFER_BYTES = 12 * 1024 * 1024

/**
 * Store directories open in this process, by real path. A second open must not reach LevelDB: its
 * refused lock closes the lock file, and closing any descriptor of a file drops the process's POSIX
 * lock on it, so the first open would lose its protection against other processes.
 */
const openHere = new Set<string>()

async function claimDir (dir: string): Promise<string> {
  const key = await realpath(dir).catch(() => resolve(dir))
  if (openHere.has(key)) throw new LogbookError('LOGBOOK_NOT_OPEN', `the store is already open in this process (${dir}); close it first, or share the open Logbook`)
  openHere.add(key)
  return key
}

/** Where a store's database directory is: its device and inode (a copy, or a restored backup, is elsewhere). */
async function storeLocation (dbDir: string): Promise<string | undefined> {
  try {
    const found = await stat(dbDir, { bigint: true })
    return `${found.dev}:${found.ino}`
  } catch {
    return undefined
  }
}

/** LevelDB refused to open a database because its lock is held. */
function levelLocked (err: unknown): boolean {
  return [(err as { code?: unknown }).code, (err as { cause?: { code?: unknown } }).cause?.code].includes('LEVEL_LOCKED')
}

/** Why a store's database did not open, in words that point at the way out. */
function openFailure (err: unknown, dir: string): LogbookError {
  const reason = innermostMessage(err)
  if (isIoFailure(err)) return new LogbookError('IO_ERROR', `the store could not be opened (${dir}): ${reason}`, { cause: err })
  if (levelLocked(err)) {
    // LevelDB's lock is per process as well as per file: a second open in this process is refused with these words.
    const here = reason.includes('already held by process')
    return new LogbookError('LOGBOOK_NOT_OPEN', here
      ? `the store is already open in this process (${dir}); close it first, or share the open Logbook`
      : `the store is in use by another process (${dir})`, { cause: err })
  }
  if (reason.includes('create_if_missing is false')) {
    return new LogbookError('LOGBOOK_NOT_OPEN', `the store's database (${storePaths(dir).db}) is missing (${dir})`, { cause: err })
  }
  return new LogbookError('LOGBOOK_NOT_OPEN', `the store could not be opened: ${reason} (${dir})`, { cause: err })
}

/** Views get a database of their own: a rebuild's writes and compactions never stall the log's writes,
 *  and a larger write buffer makes a rebuild's compactions rarer (rows arrive in no key order). */
async function openViews (dir: string): Promise<Database> {
  const views = storePaths(dir).views
  const db = new ClassicLevel<Uint8Array, Uint8Array>(views, { keyEncoding: 'view', valueEncoding: 'view', writeBufferSize: VIEWS_WRITE_BUFFER_BYTES } as any)
  try {
    await db.open()
  } catch (err) {
    const what = `the views database could not be opened (${views})`
    // Removing it is the way out only when it is damaged: not when the disk refused, or another process holds it.
    if (isIoFailure(err)) throw storeFailure(err, 'IO_ERROR', what)
    if (levelLocked(err)) throw new LogbookError('LOGBOOK_NOT_OPEN', `${what}: it is in use by another process`, { cause: err })
    throw new LogbookError('LOGBOOK_NOT_OPEN', `${what}: ${innermostMessage(err)}. It holds only derived data: remove it and the views rebuild from the log`, { cause: err })
  }
  return db
}

export const storage: StoreStorage = {
  create: initDir,

  async open (dir, options): Promise<OpenedLocation> {
    const spaceKey = options.spaceKey ?? await readSpaceKey(dir)
    const identity: Identity = options.identity ?? await readIdentity(dir)
    const claim = await claimDir(dir)
    const paths = storePaths(dir)
    try {
      return {
        spaceKey,
        identity,
        // LevelDB's default 4 MiB write buffer: with writes applied behind the journal, 32 MiB measured no
        // faster at 1M entries, 13% slower for batched appends, and held more memory.
        db: new ClassicLevel<Uint8Array, Uint8Array>(paths.db, { keyEncoding: 'view', valueEncoding: 'view', createIfMissing: options.creating }),
        openJournal: () => new FileJournal(paths.journal),
        // Read once the database is open (and so its directory made).
        where: async () => await storeLocation(paths.db),
        openFailure: (err) => openFailure(err, dir),
        openViews: async () => await openViews(dir),
        saveIdentity: async (next) => await writeIdentity(dir, next),
        release: async () => { openHere.delete(claim) }
      }
    } catch (err) {
      openHere.delete(claim)
      throw err
    }
  }
}
