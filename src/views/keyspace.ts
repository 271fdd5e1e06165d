// Where a view lives in the database: everything of every view is under the sublevel `v` of the store's
// database, one sublevel per view name, and inside it the view's own rows (`d`), its checkpoint (`c`)
// and its failure records (`x`). Nothing here is shared with the log's sublevels.
// A batch writer for any abstract-level database, not a way into the log: it lives in src/store/ because ingest shares it.
import { RootBatcher } from '../store/root-batch.js'
import type { AbstractLevel, AbstractSublevel } from 'abstract-level'
import { LogbookError } from '../errors.js'
import type { ForkPolicy, ViewFailure } from './types.js'

type Db = AbstractLevel<any, any, any>
export type TextSublevel = AbstractSublevel<any, any, string, string>

export const VIEWS_SUBLEVEL = 'v'
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/
const CHECKPOINT_KEY = 'checkpoint'
/**
 * Raised when the runner's rules change what a view's state is (3: keys must be well-formed Unicode), so
 * that every view built under the old rules rebuilds: a stored checkpoint of another format is not read.
 */
const CHECKPOINT_FORMAT = 3

/** Names become sublevel prefixes, so they are kept to a small alphabet. */
export function checkViewName (name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new LogbookError('INVALID_ARGUMENT', `a view name is 1 to 64 characters a-z 0-9 . _ - starting with a letter or digit, got ${JSON.stringify(name)}`)
  }
  return name
}

/**
 * The view's progress, written in the same batch as the writes it accounts for. `clearing` is set
 * while a wipe is under way (a wipe is not one batch), so a crash in the middle of it is finished later.
 */
export interface Checkpoint {
  format: number
  version: number | string
  forks: ForkPolicy
  /** Last local sequence number applied. */
  applied: number
  /**
   * Id of the entry at `applied` (null before any): the views live in a database of their own, so on
   * opening the view checks that the log still has this entry there, and rebuilds if not.
   */
  lastId: string | null
  failures: number
  /** Authors left out (forks: 'exclude'), sorted; the view's state is built from exactly this set. */
  excluded: string[]
  clearing: boolean
}

export function emptyCheckpoint (version: number | string, forks: ForkPolicy, excluded: string[]): Checkpoint {
  return { format: CHECKPOINT_FORMAT, version, forks, applied: 0, lastId: null, failures: 0, excluded, clearing: false }
}

/** Failure rows are keyed by local seq so the first failures come first; 16 digits hold any seq. */
function failureKey (localSeq: number): string {
  return String(localSeq).padStart(16, '0')
}

const NO_ROWS: ReadonlyMap<string, string | null> = new Map()

export type ViewOp =
  | { type: 'put', sublevel: TextSublevel, key: string, value: string }
  | { type: 'del', sublevel: TextSublevel, key: string }

export class ViewKeyspace {
  readonly data: TextSublevel
  readonly meta: TextSublevel
  readonly failures: TextSublevel
  private readonly batcher: RootBatcher

  constructor (readonly db: Db, readonly name: string) {
    this.batcher = new RootBatcher(db)
    const text = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const
    const own = db.sublevel(VIEWS_SUBLEVEL).sublevel(checkViewName(name))
    this.data = own.sublevel<string, string>('d', text)
    this.meta = own.sublevel<string, string>('c', text)
    this.failures = own.sublevel<string, string>('x', text)
  }

  /** Sublevels open in the background; reads that do not wait (getSync) need them open first. */
  async open (): Promise<void> {
    await this.data.open()
    await this.meta.open()
    await this.failures.open()
  }

  async checkpoint (): Promise<Checkpoint | undefined> {
    const text = await this.meta.get(CHECKPOINT_KEY)
    if (text === undefined) return undefined
    const value = JSON.parse(text) as Checkpoint
    return value.format === CHECKPOINT_FORMAT ? value : undefined
  }

  checkpointOp (checkpoint: Checkpoint): ViewOp {
    return { type: 'put', sublevel: this.meta, key: CHECKPOINT_KEY, value: JSON.stringify(checkpoint) }
  }

  failureOp (localSeq: number, failure: ViewFailure): ViewOp {
    return { type: 'put', sublevel: this.failures, key: failureKey(localSeq), value: JSON.stringify(failure) }
  }

  /**
   * Commits the view's `rows` (JSON text, null deletes) and `ops` (failure records, the checkpoint) as one
   * atomic batch on the root database.
   */
  async commit (rows: ReadonlyMap<string, string | null>, ops: ViewOp[]): Promise<void> {
    await this.batcher.writeText(this.data, rows, ops)
  }

  /** Empties the view: marks the wipe, clears its rows and failures, then writes `fresh`. */
  async wipe (fresh: Checkpoint): Promise<void> {
    await this.commit(NO_ROWS, [this.checkpointOp({ ...fresh, clearing: true })])
    await this.data.clear()
    await this.failures.clear()
    await this.commit(NO_ROWS, [this.checkpointOp({ ...fresh, clearing: false })])
  }

  async firstFailures (limit: number): Promise<ViewFailure[]> {
    const out: ViewFailure[] = []
    for await (const value of this.failures.values({ limit })) out.push(JSON.parse(value) as ViewFailure)
    return out
  }

  /** Every failing entry id, sorted (they are part of the view's state and of its digest). */
  async failureIds (): Promise<string[]> {
    const ids: string[] = []
    for await (const value of this.failures.values()) ids.push((JSON.parse(value) as ViewFailure).id)
    return ids.sort()
  }

  /** Names of the views stored in `db`, whether or not this process defines them. */
  static async names (db: Db): Promise<string[]> {
    const root = db.sublevel<string, string>(VIEWS_SUBLEVEL, { keyEncoding: 'utf8', valueEncoding: 'utf8' })
    const names: string[] = []
    // Keys look like `!NAME!!c!checkpoint`; after each name, skip past all of its keys ('"' sorts after '!').
    let from = '!'
    for (;;) {
      let key: string | undefined
      for await (const found of root.keys({ gte: from, limit: 1 })) key = found
      if (key === undefined) break
      const end = key.indexOf('!', 1)
      if (!key.startsWith('!') || end < 0) break
      const name = key.slice(1, end)
      names.push(name)
      from = `!${name}"`
    }
    return names
  }
}
