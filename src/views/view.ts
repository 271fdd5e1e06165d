// A registered view: keeps its keyspace caught up with the log, in the background and exactly once.
// Entries are read through the book's LogReader (which waits for the log's write-behind), applied in
// batches, and each batch's writes are committed with the view's checkpoint in one atomic batch on the
// root database, so a crash at any point resumes from the last checkpoint without loss or double
// application. A changed version, a requested rebuild or (for views that exclude forked authors) a new
// fork proof wipes the keyspace and replays the log.
import { EventEmitter } from 'events'
import { isIoFailure, LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import { applyBatch } from './apply.js'
import { viewDigest } from './digest.js'
import { entryId, idAt, payloadBytes, readyPages, type ReadyEntry } from './entry.js'
import { emptyCheckpoint, type Checkpoint, ViewKeyspace } from './keyspace.js'
import { CommitQueue, type CommitGroup } from './commit-queue.js'
import { WrittenKeys } from './written-keys.js'
import type { ForkPolicy, RebuildReason, RowRange, ViewContext, ViewDefinition, ViewProgress, ViewStatus } from './types.js'

/** Entries per committed batch, and payload bytes at which a batch is cut early (bounds memory). */
export const BATCH_ENTRIES = 256
const BATCH_BYTES = 4 * 1024 * 1024
/** Entries applied and waiting to commit, at most, before applying waits for the database. */
const MAX_WAITING_ENTRIES = 4 * BATCH_ENTRIES
const SHOWN_FAILURES = 5

interface Waiter {
  /** Resolve once this many entries are applied… */
  target: number
  /** …by a build at least this recent (a rebuild waits for its own wipe). */
  generation: number
  resolve: () => void
  reject: (err: unknown) => void
}

export function definitionVersion (definition: ViewDefinition<any>): number | string {
  return definition.version ?? 1
}

export function definitionForks (definition: ViewDefinition<any>): ForkPolicy {
  return definition.forks ?? 'include'
}

/**
 * Events: 'progress' (ViewProgress) after every committed batch; 'rebuild' ({ name, reason }) when the
 * keyspace has been wiped and the replay starts; 'error' (only if listened to) when the runner stops on a
 * database failure, which `ready()` also reports.
 */
export class View<Api = unknown> extends EventEmitter {
  readonly keyspace: ViewKeyspace
  readonly version: number | string
  readonly forks: ForkPolicy
  readonly api: Api
  private checkpoint: Checkpoint | null = null
  private excluded = new Set<string>()
  private pumping: Promise<void> | null = null
  private rebuildReason: RebuildReason | null = null
  /** A wipe is under way: the keyspace is being emptied and the checkpoint is about to be reset. */
  private wiping = false
  /** Ready entries when the current rebuild started; null when not rebuilding. */
  private rebuildTarget: number | null = null
  private generation = 0
  private paused = 0
  private closed = false
  private failure: unknown = null
  private waiters: Waiter[] = []
  /** During a rebuild in this process: the keys written since the wipe (reads of others are skipped). */
  private written: WrittenKeys | null = null
  /** Entries given to `apply` and committed by this process (how much work a resume saved). */
  entriesApplied = 0

  constructor (readonly name: string, readonly definition: ViewDefinition<Api>, private readonly book: Logbook) {
    super()
    if (typeof definition?.apply !== 'function') throw new LogbookError('INVALID_ARGUMENT', `view ${name}: apply must be a function`)
    const forks = definitionForks(definition)
    if (forks !== 'include' && forks !== 'exclude') throw new LogbookError('INVALID_ARGUMENT', `view ${name}: forks must be 'include' or 'exclude'`)
    const version = definitionVersion(definition)
    if (!(typeof version === 'string' || Number.isFinite(version))) throw new LogbookError('INVALID_ARGUMENT', `view ${name}: version must be a number or a string`)
    this.keyspace = new ViewKeyspace(book.viewsDb, name)
    this.version = version
    this.forks = forks
    this.api = definition.api === undefined ? ({} as Api) : definition.api(this.context())
  }

  private context (): ViewContext {
    const data = this.keyspace.data
    return {
      name: this.name,
      book: this.book,
      ready: async () => await this.ready(),
      get: async (key) => {
        this.assertOpen()
        const text = await data.get(key)
        return text === undefined ? undefined : JSON.parse(text)
      },
      rows: async function * (range: RowRange = {}) {
        for await (const [key, text] of data.iterator(range)) yield [key, JSON.parse(text)]
      }
    }
  }

  /** Starts catching up in the background. */
  start (): void {
    this.kick()
  }

  /** Resolves once every entry that was ready at the call is applied (and any pending rebuild is done). */
  async ready (): Promise<void> {
    this.assertOpen()
    const target = this.book.reader.readyCount
    const generation = this.rebuilding() ? this.generation + 1 : 0
    await this.waitFor(target, generation)
  }

  /** Wipes the keyspace and replays the log; resolves once caught up with what was ready at the call. */
  async rebuild (): Promise<void> {
    this.assertOpen()
    const target = this.book.reader.readyCount
    this.rebuildReason = 'requested'
    await this.waitFor(target, this.generation + 1)
  }

  private async waitFor (target: number, generation: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, generation, resolve, reject })
      this.settle()
      this.kick()
    })
  }

  /**
   * An author's fork marker was set or withdrawn: a view that excludes forked authors rebuilds unless it
   * already leaves out exactly the forked ones (before the checkpoint is loaded, load() decides). During a
   * wipe it always rebuilds again: the wipe chose its excluded authors before this change.
   */
  forksChanged (): void {
    if (this.forks !== 'exclude' || this.checkpoint === null || this.rebuildReason !== null) return
    if (this.wiping || !this.excludesExactly([...this.excluded].sort())) {
      this.rebuildReason = 'forks'
      this.kick()
    }
  }

  private rebuilding (): boolean {
    return this.rebuildReason !== null || this.wiping
  }

  /** More entries are ready. */
  wake (): void {
    this.kick()
  }

  private needsWork (): boolean {
    if (this.closed || this.failure !== null || this.paused > 0) return false
    return this.checkpoint === null || this.rebuildReason !== null || this.checkpoint.applied < this.book.reader.readyCount
  }

  private kick (): void {
    if (this.pumping !== null || !this.needsWork()) return
    this.pumping = this.pump()
      .catch((err) => { this.fail(err) })
      .finally(() => {
        this.pumping = null
        // Anything that arrived while the pump was finishing.
        this.kick()
      })
  }

  private interrupted (): boolean {
    return this.closed || this.rebuildReason !== null || this.paused > 0
  }

  private async pump (): Promise<void> {
    if (this.checkpoint === null) await this.load()
    while (!this.closed && this.paused === 0) {
      if (this.rebuildReason !== null) {
        await this.wipe()
      } else if ((this.checkpoint as Checkpoint).applied < this.book.reader.readyCount) {
        await this.catchUp()
      } else {
        break
      }
      this.settle()
    }
    this.settle()
  }

  /**
   * Reads the checkpoint and decides whether the view must rebuild, before publishing either: until
   * then `ready()` and queries cannot mistake a views database that is about to be wiped for a current one.
   */
  private async load (): Promise<void> {
    await this.keyspace.open()
    const stored = await this.keyspace.checkpoint()
    const checkpoint = stored ?? emptyCheckpoint(this.version, this.forks, [])
    let reason: RebuildReason | null = null
    if (stored === undefined) reason = 'new'
    else if (stored.clearing) reason = 'interrupted'
    else if (stored.version !== this.version || stored.forks !== this.forks) reason = 'version'
    else if (stored.applied > 0 && await idAt(this.book.reader, stored.applied) !== stored.lastId) reason = 'log'
    else if (!this.excludesExactly(stored.excluded)) reason = 'forks'
    this.rebuildReason ??= reason
    this.excluded = new Set(checkpoint.excluded)
    this.checkpoint = checkpoint
  }

  /** Whether a view built leaving out `excluded` (sorted) leaves out exactly the authors it must now. */
  private excludesExactly (excluded: readonly string[]): boolean {
    if (this.forks !== 'exclude') return true
    const forked = this.forkedAuthors()
    return forked.length === excluded.length && forked.every((author, i) => author === excluded[i])
  }

  private forkedAuthors (): string[] {
    return this.book.reader.forkedAuthors()
  }

  private async wipe (): Promise<void> {
    const reason = this.rebuildReason as RebuildReason
    this.rebuildReason = null
    this.wiping = true
    const excluded = this.forks === 'exclude' ? this.forkedAuthors() : []
    const fresh = emptyCheckpoint(this.version, this.forks, excluded)
    try {
      this.written = null
      await this.keyspace.wipe(fresh)
      this.written = new WrittenKeys(this.book.reader.readyCount)
      this.checkpoint = fresh
      this.excluded = new Set(excluded)
      this.generation++
    } finally {
      this.wiping = false
    }
    this.rebuildTarget = this.book.reader.readyCount
    this.notify('rebuild', { name: this.name, reason })
  }

  /**
   * Applies and commits batches up to what the reader sees now, as a pipeline: the next batch is read
   * while one is applied (a view waiting on its reads leaves the thread to the reader), and batches are
   * applied while earlier ones commit, grouped (commit-queue.ts), reading through their writes.
   */
  private async catchUp (): Promise<void> {
    const base = this.checkpoint as Checkpoint
    const target = this.book.reader.readyCount
    let next = base.applied + 1
    let failures = base.failures
    let batch: ReadyEntry[] = []
    let bytes = 0
    let applying: Promise<void> | null = null
    const queue = new CommitQueue(async (group) => await this.commit(group, target), MAX_WAITING_ENTRIES)
    const applyAndQueue = async (entries: ReadyEntry[]): Promise<void> => {
      const written = this.written
      const result = await applyBatch(this.definition, this.keyspace, entries, this.excluded, queue, written)
      if (written !== null) for (const key of result.rows.keys()) written.add(key)
      failures += result.failureOps.length
      const last = entries[entries.length - 1]
      const checkpoint: Checkpoint = { ...base, applied: last.localSeq, lastId: entryId(last), failures }
      await queue.add(result.rows, result.failureOps, checkpoint, entries.length)
    }
    const flush = async (): Promise<void> => {
      if (applying !== null) await applying
      applying = applyAndQueue(batch)
      // Reported when awaited; marked handled so that a failure while the reader waits is not unhandled.
      applying.catch(() => {})
      batch = []
      bytes = 0
    }
    try {
      reading: for await (const entries of readyPages(this.book.reader, next)) {
        for (const entry of entries) {
          if (entry.localSeq !== next) throw new LogbookError('VERIFY_FAILED', `view ${this.name}: expected local seq ${next} from the reader, got ${entry.localSeq}`)
          next++
          batch.push(entry)
          bytes += payloadBytes(entry)
          if (batch.length >= BATCH_ENTRIES || bytes >= BATCH_BYTES) {
            await flush()
            if (this.interrupted()) break reading
          }
        }
      }
      if (batch.length > 0 && !this.interrupted()) await flush()
      if (applying !== null) await applying
      await queue.drain()
    } finally {
      // On an error, the work in flight still ends before the error is reported.
      if (applying !== null) await (applying as Promise<void>).catch(() => {})
      await queue.drain().catch(() => {})
    }
    if (next === base.applied + 1) {
      // Nothing was readable although the store counts more ready entries: stop rather than spin.
      throw new LogbookError('VERIFY_FAILED', `view ${this.name}: the store counts ${this.book.reader.readyCount} ready entries but none after local seq ${base.applied} could be read`)
    }
  }

  private async commit ({ rows, ops, checkpoint, entries }: CommitGroup, target: number): Promise<void> {
    await this.keyspace.commit(rows, [...ops, this.keyspace.checkpointOp(checkpoint)])
    this.checkpoint = checkpoint
    this.entriesApplied += entries
    if (this.rebuildTarget !== null && checkpoint.applied >= this.rebuildTarget) {
      this.rebuildTarget = null
      // Live updates are few; the filter's memory is not worth keeping for them.
      this.written = null
    }
    this.settle()
    const progress: ViewProgress = { name: this.name, applied: checkpoint.applied, target: Math.max(target, checkpoint.applied), rebuilding: this.rebuildTarget !== null }
    this.notify('progress', progress)
  }

  /** Emits an event; a listener that throws must not stop the view (the batch is committed already). */
  private notify (event: 'rebuild' | 'progress', value: unknown): void {
    try {
      this.emit(event, value)
    } catch (err) {
      queueMicrotask(() => { throw err })
    }
  }

  private settle (): void {
    if (this.waiters.length === 0 || this.checkpoint === null || this.rebuilding()) return
    const applied = this.checkpoint.applied
    const waiting: Waiter[] = []
    for (const waiter of this.waiters) {
      if (waiter.generation <= this.generation && waiter.target <= applied) waiter.resolve()
      else waiting.push(waiter)
    }
    this.waiters = waiting
  }

  private fail (err: unknown): void {
    // Not a view's failure (those are recorded per entry): the database, or the store closing under it.
    this.failure = err instanceof LogbookError
      ? err
      : new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'LOGBOOK_NOT_OPEN', `view ${this.name} stopped: ${(err as Error)?.message ?? String(err)}; reopen the store to resume from its checkpoint`, { cause: err })
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(this.failure)
    if (this.listenerCount('error') > 0) this.emit('error', this.failure)
  }

  private assertOpen (): void {
    if (this.closed) throw new LogbookError('LOGBOOK_NOT_OPEN', `view ${this.name} is closed`)
    if (this.failure !== null) throw this.failure
  }

  /**
   * Runs `task` while the view applies nothing (the current batch is committed first), so the task sees
   * one consistent checkpoint and keyspace.
   */
  async whilePaused<T> (task: (checkpoint: Checkpoint) => Promise<T>): Promise<T> {
    this.assertOpen()
    this.paused++
    try {
      while (this.pumping !== null) await this.pumping
      if (this.checkpoint === null) await this.load()
      return await task(this.checkpoint as Checkpoint)
    } finally {
      this.paused--
      this.kick()
    }
  }

  /** The digest of the view's keyspace as committed now. */
  async digest (): Promise<string> {
    return await this.whilePaused(async () => await viewDigest(this.keyspace))
  }

  async status (): Promise<ViewStatus> {
    const checkpoint = this.checkpoint ?? await this.keyspace.checkpoint()
    return await statusOf(this.keyspace, checkpoint, this.book.reader.readyCount, true)
  }

  /** Stops after the batch in hand; later calls fail with LOGBOOK_NOT_OPEN. */
  async close (): Promise<void> {
    this.closed = true
    while (this.pumping !== null) await this.pumping
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(new LogbookError('LOGBOOK_NOT_OPEN', `view ${this.name} was closed`))
  }
}

/** What `logbook views` shows for a view, from its stored checkpoint. */
export async function statusOf (keyspace: ViewKeyspace, checkpoint: Checkpoint | undefined | null, entries: number, registered: boolean): Promise<ViewStatus> {
  const applied = checkpoint?.clearing === true ? 0 : (checkpoint?.applied ?? 0)
  return {
    name: keyspace.name,
    registered,
    version: checkpoint?.version ?? null,
    forks: checkpoint?.forks ?? null,
    applied,
    entries,
    behind: Math.max(0, entries - applied),
    failures: checkpoint?.failures ?? 0,
    firstFailures: await keyspace.firstFailures(SHOWN_FAILURES),
    excluded: checkpoint?.excluded ?? []
  }
}
