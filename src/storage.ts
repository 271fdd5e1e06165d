// Where a store lives: the one interface between a Logbook and its platform. In Node a store is a
// directory (LevelDB databases, key files, a journal; src/platform/node/storage.ts); in a browser it is
// a name for IndexedDB databases (src/platform/browser/storage.ts). `#platform/storage` picks one.
import type { AbstractLevel } from 'abstract-level'
import type { LogbookError } from './errors.js'
import type { Identity } from './identity.js'
import type { Journal } from './store/journal.js'

export type Database = AbstractLevel<any, any, any>

export interface OpenedLocation {
  readonly spaceKey: Uint8Array
  readonly identity: Identity
  /** The log's database, not yet opened (the store opens it). */
  readonly db: Database
  /** Its journal, if it keeps one; asked once the database is open. */
  readonly openJournal?: () => Journal
  /** Where the database physically is: a copy found elsewhere gets an instance id of its own. */
  readonly where?: () => Promise<string | undefined>
  /** The error a failure to open the log's database becomes, in words that point at the way out. */
  openFailure: (err: unknown) => LogbookError
  /** The database views keep their rows in, opened; asked once the log's is open. */
  openViews: () => Promise<Database>
  /** Keeps a new identity with the store. */
  saveIdentity: (identity: Identity) => Promise<void>
  /** Gives the location up (another open may take it), once its databases are closed. */
  release: () => Promise<void>
}

export interface StoreStorage {
  /** Makes a new store at `dir` holding these keys; refused where a store is. */
  create: (dir: string, spaceKey: Uint8Array, identity: Identity) => Promise<void>
  /**
   * Opens the store at `dir`, with its own keys unless others are given. `creating`: it was just made, so
   * its database is made here; otherwise a missing database is an error, never an empty store.
   */
  open: (dir: string, options: { spaceKey?: Uint8Array, identity?: Identity, creating: boolean }) => Promise<OpenedLocation>
}
