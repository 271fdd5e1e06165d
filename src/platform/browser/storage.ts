// Stores in a browser: a store named NAME is three IndexedDB databases (browser-level): NAME/db holds
// the log, NAME/views the views' rows, NAME/keys the space key and the identity. There is no journal:
// each IndexedDB batch is one atomic, durable transaction. While a store is open, its page holds a Web
// Lock on it, so two tabs never write one feed at once (they would fork it).
import { BrowserLevel } from 'browser-level'
import { SPACE_KEY_BYTES } from '../../crypto/index.js'
import { fromHex, toHex } from '../../entry/bytes.js'
import { innermostMessage, LogbookError } from '../../errors.js'
import { Identity } from '../../identity.js'
import type { Database, OpenedLocation, StoreStorage } from '../../storage.js'

interface LockManager {
  request: (name: string, options: { ifAvailable: boolean }, use: (lock: object | null) => Promise<void>) => Promise<void>
}

const SPACE_KEY = 'space'
const IDENTITY_KEY = 'identity'

/**
 * browser-level, with its batches' requests made all at once. browser-level makes each request of a batch
 * only once the one before it has succeeded, which costs a round trip to the browser's database process per
 * operation: ~290 us each in Chromium, where an import writes about 1.2 operations per entry. IndexedDB runs
 * the requests of a transaction in order either way, and the transaction stays one atomic write.
 */
class PipelinedBrowserLevel extends BrowserLevel<Uint8Array, Uint8Array> {
  async _batch (operations: Array<{ type: 'put' | 'del', key: Uint8Array, value?: Uint8Array }>): Promise<void> {
    // `db`: browser-level's IDBDatabase, a public getter its typings leave out.
    const transaction = (this as unknown as { db: IdbDatabase }).db.transaction([this.location], 'readwrite')
    const store = transaction.objectStore(this.location)
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve()
      transaction.onabort = () => reject(transaction.error ?? new Error('the IndexedDB transaction was aborted'))
      try {
        for (const op of operations) {
          if (op.type === 'del') store.delete(op.key)
          else store.put(op.value, op.key)
        }
        transaction.commit?.()
      } catch (err) {
        transaction.abort()
        reject(err)
      }
    })
  }
}

/** What of IndexedDB the batch above uses (the typings here have no DOM). */
interface IdbDatabase {
  transaction: (stores: string[], mode: 'readwrite') => {
    objectStore: (name: string) => { put: (value: unknown, key: unknown) => unknown, delete: (key: unknown) => unknown }
    commit?: () => void
    abort: () => void
    error: unknown
    oncomplete: (() => void) | null
    onabort: (() => void) | null
  }
}

/** The IndexedDB database `name`, as stores here hold their log and views. */
export function database (name: string): Database {
  return new PipelinedBrowserLevel(name, { keyEncoding: 'view', valueEncoding: 'view' })
}

function keysDatabase (dir: string): BrowserLevel<string, string> {
  return new BrowserLevel<string, string>(`${dir}/keys`, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
}

/**
 * Takes the store's Web Lock, or refuses at once when another tab (or another open here) holds it.
 * Resolves to the function that lets it go.
 */
async function lockStore (dir: string): Promise<() => void> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks
  if (locks === undefined) {
    throw new LogbookError('LOGBOOK_NOT_OPEN', 'this page has no Web Locks API, which keeps two tabs from writing one store at once: it exists only in secure contexts (https://, or http://localhost and http://127.0.0.1)')
  }
  return await new Promise((resolve, reject) => {
    locks.request(`logbook-store:${dir}`, { ifAvailable: true }, async (lock) => {
      if (lock === null) {
        reject(new LogbookError('LOGBOOK_NOT_OPEN', `the store ${JSON.stringify(dir)} is open in another tab or window; it can open here once that one closes it`))
        return
      }
      await new Promise<void>((release) => resolve(release))
    }).catch((err: unknown) => reject(notOpened(dir, err, 'could not be locked')))
  })
}

/** Runs `use` with the store's keys database open and its lock held; gives both up if `use` throws. */
async function withKeys<T> (dir: string, use: (keys: BrowserLevel<string, string>, unlock: () => void) => Promise<T>): Promise<T> {
  const unlock = await lockStore(dir)
  const keys = keysDatabase(dir)
  try {
    await keys.open()
    return await use(keys, unlock)
  } catch (err) {
    await keys.close().catch(() => {})
    unlock()
    throw notOpened(dir, err)
  }
}

/** IndexedDB refused: the error a user sees, naming the store. */
function notOpened (dir: string, err: unknown, what = 'could not be opened'): LogbookError {
  if (err instanceof LogbookError) return err
  return new LogbookError('LOGBOOK_NOT_OPEN', `the store ${JSON.stringify(dir)} ${what}: ${innermostMessage(err)}`, { cause: err })
}

/**
 * Whether the IndexedDB database of a log exists. A store whose log was deleted (by the browser's tools, say)
 * while its keys remain must not open as an empty log: its identity would write its feed again from seq 1.
 */
async function exists (db: Database): Promise<boolean> {
  const factory = (globalThis as { indexedDB?: { databases?: () => Promise<Array<{ name?: string }>> } }).indexedDB
  if (factory?.databases === undefined) return true
  const { namePrefix, location } = db as unknown as { namePrefix: string, location: string }
  return (await factory.databases()).some((found) => found.name === namePrefix + location)
}

function alreadyExists (dir: string): LogbookError {
  return new LogbookError('LOGBOOK_ALREADY_INITIALIZED', `a store named ${JSON.stringify(dir)} already exists in this browser`)
}

export const storage: StoreStorage = {
  async create (dir, spaceKey, identity) {
    // Asked before the lock too, so that a store open elsewhere is reported as existing, as in Node.
    const keys = keysDatabase(dir)
    let found: string | undefined
    try {
      found = await keys.get(SPACE_KEY)
    } catch (err) {
      throw notOpened(dir, err, 'could not be created')
    } finally {
      await keys.close().catch(() => {})
    }
    if (found !== undefined) throw alreadyExists(dir)
    await withKeys(dir, async (keys, unlock) => {
      if (await keys.get(SPACE_KEY) !== undefined) throw alreadyExists(dir)
      await keys.batch([{ type: 'put', key: IDENTITY_KEY, value: identity.toText() }, { type: 'put', key: SPACE_KEY, value: toHex(spaceKey) }])
      await keys.close()
      unlock()
    })
  },

  async open (dir, options): Promise<OpenedLocation> {
    return await withKeys(dir, async (keys, unlock) => {
      const [spaceText, identityText] = await keys.getMany([SPACE_KEY, IDENTITY_KEY])
      if (spaceText === undefined) throw new LogbookError('LOGBOOK_NOT_INITIALIZED', `no store named ${JSON.stringify(dir)} in this browser`)
      const spaceKey = options.spaceKey ?? fromHex(spaceText, SPACE_KEY_BYTES)
      if (spaceKey === undefined) throw new LogbookError('INVALID_KEY', `the store ${JSON.stringify(dir)} does not hold a 32-byte hex space key`)
      if (identityText === undefined && options.identity === undefined) throw new LogbookError('IDENTITY_MISSING', `the store ${JSON.stringify(dir)} has lost its identity`)
      const identity = options.identity ?? Identity.fromText(identityText as string)
      const db = database(`${dir}/db`)
      if (!options.creating && !await exists(db)) {
        throw new LogbookError('LOGBOOK_NOT_OPEN', `the log of the store ${JSON.stringify(dir)} is missing (IndexedDB database ${dir}/db), though its keys remain: restore it, or make a store anew`)
      }
      return {
        spaceKey,
        identity,
        db,
        openFailure: (err) => notOpened(dir, err),
        openViews: async () => {
          const views = database(`${dir}/views`)
          try {
            await views.open()
          } catch (err) {
            throw notOpened(dir, err, 'could not open its views database')
          }
          return views
        },
        saveIdentity: async (next) => {
          try {
            await keys.put(IDENTITY_KEY, next.toText())
          } catch (err) {
            throw notOpened(dir, err, 'could not keep the identity')
          }
        },
        release: async () => {
          try {
            await keys.close()
          } finally {
            unlock()
          }
        }
      }
    })
  }
}
