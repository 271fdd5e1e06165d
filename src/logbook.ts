// The Logbook class: one space, one identity, one store. It turns the user's values into entries,
// appends them through the same ingest path that import uses, and answers queries over ready entries.
import { EventEmitter } from 'events'
import type { AbstractLevel } from 'abstract-level'
import { storage } from '#platform/storage'
import { randomBytes, spaceIdFromKey, SPACE_KEY_BYTES } from './crypto/index.js'
import { innermostMessage, isIoFailure, LogbookError } from './errors.js'
import { compareBytes, fromHex, toHex } from './entry/bytes.js'
import { MAX_PAYLOAD_BYTES, MAX_SEGMENT_ENTRIES, MAX_SEQ } from './entry/limits.js'
import { checkEntryBody, signedSegments } from './entry/segment.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type EntryBody } from './entry/types.js'
import { payloadBytes, preparePayload, type Payload, type PreparedPayload } from './payload.js'
import { Identity } from './identity.js'
import { parseId, toLogEntry, type LogEntry } from './log-entry.js'
import type { LogReader } from './log-reader.js'
import { exportBytes } from './io/export.js'
import { formatCursor, parseCursor } from './store/changes.js'
import { importStream, type ImportOptions, type ImportSummary } from './io/import.js'
import { segmentToJson, type JsonSegment } from './io/json-segment.js'
import { DEFAULT_PENDING_QUOTA, emptyCounts, type PendingQuota } from './store/ingest.js'
import { Store } from './store/store.js'
import { pendingRuns, type PendingRun } from './store/pending-report.js'
import type { OpenedLocation } from './storage.js'
import { StoreLogReader } from './store-log-reader.js'
import { openReplication, type ReplicateOptions, type ReplicationStream } from './replication/stream.js'
import type { ReplicationSession } from './replication/session.js'
import { checkView, type CheckOptions, type ViewCheckReport } from './views/check.js'
import { ViewRegistry } from './views/registry.js'
import type { ViewDefinition, ViewProgress, ViewStatus } from './views/types.js'
import type { View } from './views/view.js'

export interface OpenOptions {
  /** Where the store is: a directory in Node (LevelDB under DIR/db, keys beside it), a name for IndexedDB databases in a browser. */
  dir?: string
  /** Or a database of your own (memory-level in tests, browser-level in browsers), with the keys given. */
  db?: AbstractLevel<any, any, any>
  spaceKey?: Uint8Array
  identity?: Identity
  /** fsync every write (power-loss safety). */
  sync?: boolean
  /** Bytes the pending area may hold per author and in total (default 64 MiB and 512 MiB; docs/FORMAT.md). */
  pendingQuota?: Partial<PendingQuota>
}

export interface AppendOptions {
  /** Ids (hex) the first appended entry causally follows; they must be ready in this store. */
  links?: string[]
  timestamp?: number
  sync?: boolean
  /**
   * Stops a large append between two segments (each is one atomic batch): it then rejects with ABORTED,
   * whose `index` is the number of entries appended, in order, before it stopped.
   */
  signal?: AbortSignal
}

/** A run of pending entries and what it waits for (`reason`: its previous entry, a linked entry, or a signature). */
export type PendingReport = PendingRun

export interface ForkReport {
  author: string
  seq: number
  ids: [string, string]
  proof: [JsonSegment, JsonSegment]
}

export interface BookExportOptions {
  format?: 'binary' | 'json'
  /** Only this author's entries. */
  author?: Uint8Array | string
  /** A cursor (`status().cursor`, or one an earlier export told `onCursor`): only what changed after it. */
  since?: string
  /** Told, before the first byte, the cursor to give the next incremental export. */
  onCursor?: (cursor: string) => void
}

export interface StatusReport {
  space: string
  /** Where the change log stands: give it to `export({ since })` for what changes after now. */
  cursor: string
  author: string
  entries: number
  feeds: number
  heads: number
  /** Entries in the pending area (`pending()` says what they wait for). */
  pendingEntries: number
  /** Bytes the pending area holds, and the most it may hold (beyond it, the largest pending entries are evicted). */
  pendingBytes: number
  pendingQuota: number
  forks: Array<{ author: string, seq: number }>
}

/** The pending quota with defaults filled in; each must be a positive whole number of bytes. */
function checkQuota (quota: Partial<PendingQuota> | undefined): PendingQuota {
  const out = { ...DEFAULT_PENDING_QUOTA, ...quota }
  for (const [name, value] of Object.entries(out)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new LogbookError('INVALID_ARGUMENT', `pendingQuota.${name} must be a positive whole number of bytes, got ${String(value)}`)
  }
  return out
}

/** The public id (hex) of the space a 32-byte space key opens: what `book.spaceId` is, known without a store. */
export function spaceIdOf (spaceKey: Uint8Array): string {
  if (!(spaceKey instanceof Uint8Array) || spaceKey.byteLength !== SPACE_KEY_BYTES) throw new TypeError('expected a 32-byte spaceKey')
  return toHex(spaceIdFromKey(spaceKey))
}

/** The fewest hex digits an id prefix may have (as in git): shorter ones match too much to be meant. */
export const MIN_ID_PREFIX = 4

/** Candidates an ambiguous prefix's error names. */
const AMBIGUOUS_SHOWN = 4

/** Checks an id prefix (`what` names it in the error): 4 to 64 lowercase hex digits. Returns it. */
export function checkIdPrefix (prefix: string, what = 'an id'): string {
  if (typeof prefix !== 'string') throw new TypeError(`expected ${what} as a string`)
  if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_ID_PREFIX || prefix.length > 64) {
    const hint = /^[0-9A-Fa-f]+$/.test(prefix) && prefix.length >= MIN_ID_PREFIX && prefix.length <= 64 ? ' (use lowercase)' : ''
    throw new LogbookError('INVALID_KEY', `${what} must be ${MIN_ID_PREFIX} to 64 lowercase hex digits, got ${JSON.stringify(prefix)}${hint}`)
  }
  return prefix
}

function ambiguous (prefix: string, count: number, what: string, candidates: string[]): LogbookError {
  const shown = candidates.slice(0, AMBIGUOUS_SHOWN).map((id) => id.slice(0, Math.max(16, prefix.length + 4)))
  const more = count > shown.length ? `, and ${count - shown.length} more` : ''
  return new LogbookError('AMBIGUOUS_ID', `${prefix} is the start of ${count} ${what} (${shown.join(', ')}${more}): give more digits`)
}

export class Logbook extends EventEmitter {
  private registry: ViewRegistry | null = null
  /** Not part of the API: views, checks and the command read the log through `reader`. */
  readonly #store: Store
  readonly #reader: LogReader

  private constructor (
    store: Store,
    /** Where views keep their rows and checkpoints: a database of its own in a store directory. */
    readonly viewsDb: AbstractLevel<any, any, any>,
    /** Whether `viewsDb` is a database of its own, opened (and so closed) here. */
    private readonly ownViewsDb: boolean,
    readonly spaceKey: Uint8Array,
    readonly identity: Identity,
    /** Where the store lives (its keys, its platform's databases); null for a database given to open(). */
    private readonly location: OpenedLocation | null,
    private readonly sync: boolean
  ) {
    super()
    this.#store = store
    this.#reader = new StoreLogReader(store)
    // 'ready' (last ready local seq) and 'fork' (author hex) for applications.
    this.#reader.subscribe({
      ready: (lastLocalSeq) => this.emit('ready', lastLocalSeq),
      forksChanged: (author) => this.emit('fork', author)
    })
  }

  /** The log as its readers see it (views, checks, the command): ready entries, fork proofs, changes. */
  get reader (): LogReader {
    return this.#reader
  }

  /**
   * The store itself, for tests of its internals.
   * @internal Not part of the API; absent from the published typings.
   */
  get internalStore (): Store {
    return this.#store
  }

  /** Creates a store: a new space (or joins `spaceKey`) and a new identity (or `identity`). */
  static async create (options: OpenOptions = {}): Promise<Logbook> {
    const spaceKey = options.spaceKey ?? randomBytes(SPACE_KEY_BYTES)
    const identity = options.identity ?? Identity.generate()
    if (options.dir !== undefined && options.db === undefined) await storage.create(options.dir, spaceKey, identity)
    return await Logbook.openStore({ ...options, spaceKey, identity }, true)
  }

  /** Opens an existing store (`dir`), or a given database with the given keys. */
  static async open (options: OpenOptions = {}): Promise<Logbook> {
    return await Logbook.openStore(options, false)
  }

  private static async openStore (options: OpenOptions, creating: boolean): Promise<Logbook> {
    if (options.db === undefined && options.dir === undefined) throw new TypeError('expected options.dir or options.db')
    const quota = checkQuota(options.pendingQuota)
    if (options.db !== undefined) {
      const spaceKey = options.spaceKey
      if (!(spaceKey instanceof Uint8Array) || spaceKey.byteLength !== SPACE_KEY_BYTES) throw new TypeError('expected a 32-byte spaceKey')
      let store: Store
      try {
        store = await Store.open(options.db, spaceIdFromKey(spaceKey), undefined, quota)
      } catch (err) {
        if (err instanceof LogbookError) throw err
        throw new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'LOGBOOK_NOT_OPEN', `the store could not be opened (given database): ${innermostMessage(err)}`, { cause: err })
      }
      return new Logbook(store, options.db, false, spaceKey, options.identity ?? Identity.generate(), null, options.sync === true)
    }
    const location = await storage.open(options.dir as string, { spaceKey: options.spaceKey, identity: options.identity, creating })
    try {
      const { spaceKey } = location
      if (!(spaceKey instanceof Uint8Array) || spaceKey.byteLength !== SPACE_KEY_BYTES) throw new TypeError('expected a 32-byte spaceKey')
      let store: Store
      try {
        store = await Store.open(location.db, spaceIdFromKey(spaceKey), location.openJournal, quota, location.where)
      } catch (err) {
        if (err instanceof LogbookError) throw err
        throw location.openFailure(err)
      }
      let viewsDb: AbstractLevel<any, any, any>
      try {
        viewsDb = await location.openViews()
      } catch (err) {
        await store.close()
        throw err
      }
      return new Logbook(store, viewsDb, true, spaceKey, location.identity, location, options.sync === true)
    } catch (err) {
      await location.release()
      throw err
    }
  }

  /** This store's author id (hex). */
  get author (): string {
    return this.identity.author
  }

  get spaceId (): string {
    return toHex(this.#store.space)
  }

  /** Replication sessions running on this store: a close ends them first. */
  private readonly sessions = new Set<ReplicationSession>()

  /**
   * A replication stream (docs/PROTOCOL.md): pipe it to a peer's, over any transport, and the two exchange
   * what each lacks, through the same ingest path as import. `isInitiator`: true on one side, false on the
   * other. Returns the encrypted byte stream (Noise); with `options.stream` (a socket), it runs over that
   * stream and returns the Noise stream. A Noise stream that is already connected (a hyperswarm
   * connection) may be passed instead of `isInitiator`. `stream.session` tells when the peers are in sync
   * (`synced`), when it ended (`done`), and what was sent and received (`stats`).
   */
  replicate (isInitiator: boolean | object, options: ReplicateOptions & { stream?: unknown } = {}): ReplicationStream {
    if (this.closing !== null) throw new LogbookError('LOGBOOK_NOT_OPEN', 'the logbook is closed')
    const stream = openReplication(isInitiator, options, {
      store: this.#store,
      spaceKey: this.spaceKey,
      sync: this.sync,
      identity: this.identity,
      holdForkNews: () => this.registry?.holdForkNews() ?? (() => {})
    })
    const session = stream.session
    this.sessions.add(session)
    session.done.then(() => this.sessions.delete(session), () => this.sessions.delete(session))
    return stream
  }

  /** Closes the store once: a second call waits for the first (a repeated close must not close files or
   *  release the process's claim on the directory that another Logbook may hold by then). */
  async close (): Promise<void> {
    this.closing ??= this.closeOnce()
    await this.closing
  }

  private closing: Promise<void> | null = null

  private async closeOnce (): Promise<void> {
    // Replication sessions end first (what they received is stored), then views stop after the batch in
    // hand (their checkpoint makes it resumable), then the databases close, each even if one before failed.
    await Promise.all([...this.sessions].map(async (session) => await session.end()))
    try {
      await this.registry?.close()
    } finally {
      try {
        await this.#store.close()
      } finally {
        try {
          // Not settled like the log's database: what a close abandons there is derived data, redone (and its
          // leftovers deleted) at the next open, and closing a store with views stays quick.
          if (this.ownViewsDb) await this.viewsDb.close()
        } finally {
          await this.location?.release()
        }
      }
    }
  }

  private views (): ViewRegistry {
    this.registry ??= new ViewRegistry(this)
    return this.registry
  }

  /** Registers a materialized view and starts catching it up with the log in the background (docs/VIEWS.md). */
  use<Api> (name: string, definition: ViewDefinition<Api>): View<Api> {
    return this.views().use(name, definition)
  }

  /** A registered view: `await book.view(name).ready()`, its `api`, its 'progress' events. */
  view<Api = unknown> (name: string): View<Api> {
    return this.views().get<Api>(name)
  }

  hasView (name: string): boolean {
    return this.registry?.has(name) === true
  }

  /** Wipes a registered view and replays the log into it; resolves once it has caught up. */
  async rebuild (name: string, options: { onProgress?: (progress: ViewProgress) => void } = {}): Promise<ViewStatus> {
    const view = this.view(name)
    const onProgress = options.onProgress
    if (onProgress !== undefined) view.on('progress', onProgress)
    try {
      await view.rebuild()
    } finally {
      if (onProgress !== undefined) view.off('progress', onProgress)
    }
    return await view.status()
  }

  /** Determinism check (and, with `orders`, convergence check) of a registered view. */
  async checkView (name: string, options: CheckOptions = {}): Promise<ViewCheckReport> {
    return await checkView(this, name, options)
  }

  /** Registered views and any other views stored in this database. */
  async viewStatuses (): Promise<ViewStatus[]> {
    return await this.views().statuses()
  }

  /** Replaces this store's identity (restore from backup, or a new identity after a fork). */
  async setIdentity (identity: Identity): Promise<void> {
    await this.location?.saveIdentity(identity)
    ;(this as { identity: Identity }).identity = identity
  }

  /**
   * Appends entries by this identity. An array is written as signed segments of up to 1024 entries,
   * one signature each. Refuses to write behind an entry of this identity that this store did not extend.
   */
  async append (payloads: Payload[], options?: AppendOptions): Promise<string[]>
  async append (payload: Payload, options?: AppendOptions): Promise<string>
  async append (input: Payload | Payload[], options: AppendOptions = {}): Promise<string | string[]> {
    // An array is always a batch: append([[1, 2]]) appends one entry whose payload is the array [1, 2].
    const many = Array.isArray(input)
    const values = (many ? input : [input]) as Payload[]
    if (values.length === 0) return []
    const timestamp = options.timestamp ?? Date.now()
    const links = [...new Set(options.links ?? [])].map((id) => parseId(id, 'link')).sort(compareBytes)
    // Every payload is checked before anything is written. A plain loop, so a hole in the batch is seen.
    const prepared: PreparedPayload[] = new Array(values.length)
    for (let i = 0; i < values.length; i++) {
      prepared[i] = preparePayload(values[i], i)
      const size = prepared[i].byteLength
      if (size > MAX_PAYLOAD_BYTES) throw new LogbookError('PAYLOAD_TOO_LARGE', `payload ${i} is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}`, { index: i })
    }
    checkEntryBody({ timestamp, links, payload: new Uint8Array(0), kind: PAYLOAD_BINARY })
    const ids = await this.#store.ingestor.exclusive(async () => {
      if (links.length > 0) {
        const missing = await this.#store.reader.firstNotReady(links)
        if (missing >= 0) throw new LogbookError('LINK_NOT_FOUND', `link ${toHex(links[missing])} is not a ready entry in this store`)
      }
      let { seq, id: prev } = await this.ownTip()
      if (seq + prepared.length > MAX_SEQ) throw new LogbookError('SEQ_OVERFLOW', 'this feed has reached seq 2^53-1')
      const author = this.identity.publicKey
      const counts = emptyCounts()
      const appended: string[] = []
      // A segment's worth at a time: encoded, signed and ingested, so a large append never holds every
      // entry's bytes at once.
      for (let start = 0; start < prepared.length; start += MAX_SEGMENT_ENTRIES) {
        const bodies: EntryBody[] = prepared.slice(start, start + MAX_SEGMENT_ENTRIES).map((payload, i) =>
          ({ timestamp, links: start + i === 0 ? links : [], kind: payload.kind, payload: payloadBytes(payload) }))
        for (const segment of signedSegments(this.#store.space, author, this.identity.secretKey, seq, prev, bodies)) {
          if (options.signal?.aborted === true) {
            throw new LogbookError('ABORTED', `the append stopped after ${appended.length} of ${prepared.length} entries`, { index: appended.length, cause: options.signal.reason })
          }
          await this.#store.ingestor.ingest(segment, counts, options.sync ?? this.sync)
          for (const id of segment.ids) appended.push(toHex(id))
          seq += segment.ids.length
          prev = segment.ids[segment.ids.length - 1]
        }
      }
      return appended
    })
    return many ? ids : ids[0]
  }

  /** Where this identity's feed may be extended, or the reason it must not be. */
  private async ownTip (): Promise<{ seq: number, id: Uint8Array | null }> {
    const author = this.identity.author
    const tips = [...(this.#store.state.tips.get(author) ?? new Map<string, number>())]
    const marker = this.#store.state.forks.get(author)
    if (marker !== undefined || tips.length > 1) {
      throw new LogbookError('IDENTITY_FORKED', `identity ${author} has two different entries at seq ${marker?.seq ?? '?'} in this space (a key used on two devices, or a restored backup); ` +
        'appending would deepen the fork')
    }
    const [tipHex, tipSeq] = tips[0] ?? [null, 0]
    const upTo = this.#store.state.pending.entries === 0 ? 0 : await this.#store.reader.pendingAbove(this.identity.publicKey, tipSeq)
    if (upTo > 0) {
      throw new LogbookError('BEHIND_OWN_HEAD', `this store holds entries of identity ${author} up to seq ${upTo} that it cannot place after its own seq ${tipSeq}; ` +
        'appending would fork the feed')
    }
    return { seq: tipSeq, id: tipHex === null ? null : fromHex(tipHex, 32) as Uint8Array }
  }

  async get (id: string): Promise<LogEntry | undefined> {
    return await this.#reader.entry(id)
  }

  /**
   * The full id of the ready entry whose id starts with `prefix` (4 to 64 hex digits; a full id is
   * compared in full). NOT_FOUND when no ready entry's id does, AMBIGUOUS_ID when more than one does.
   */
  async resolveId (prefix: string): Promise<string> {
    checkIdPrefix(prefix)
    const { count, ids } = await this.#store.reader.idsWithPrefix(prefix, AMBIGUOUS_SHOWN)
    if (count > 1) throw ambiguous(prefix, count, 'ready entries\' ids', ids)
    // (An index row whose page is gone is no entry either; `verify` reports it.)
    if (ids.length === 0) {
      throw new LogbookError('NOT_FOUND', prefix.length === 64 ? `no ready entry ${prefix} in this store` : `no ready entry's id starts with ${prefix}`)
    }
    return ids[0]
  }

  /**
   * The full author id that `prefix` (4 to 64 hex digits) starts, among the authors this store has entries
   * of (ready or pending). A full id is returned as it is, known or not.
   */
  async resolveAuthor (prefix: string): Promise<string> {
    checkIdPrefix(prefix, 'an author id')
    if (prefix.length === 64) return prefix
    const ready = [...this.#store.state.tips.keys()].filter((author) => author.startsWith(prefix))
    const matches = [...new Set([...ready, ...await this.#store.reader.pendingAuthors(prefix)])].sort()
    if (matches.length === 0) throw new LogbookError('NOT_FOUND', `no author id in this store starts with ${prefix}`)
    if (matches.length > 1) throw ambiguous(prefix, matches.length, 'author ids', matches)
    return matches[0]
  }

  /**
   * Ready entries in local order (`reverse`: newest first), of one author or all, after local seq `since`.
   * `tail`: only the last N of them; read from the end of the local order, not from its start.
   */
  async * log (options: { author?: string, limit?: number, since?: number, reverse?: boolean, tail?: number } = {}): AsyncGenerator<LogEntry> {
    const author = options.author === undefined ? undefined : parseId(options.author, 'author')
    let left = Math.min(options.limit ?? Infinity, options.tail ?? Infinity)
    if (left <= 0) return
    const reader = this.#store.reader
    let from = (options.since ?? 0) + 1
    if (options.reverse === true) {
      for await (const entry of reader.entriesReverse({ from, author })) {
        yield toLogEntry(entry)
        if (--left <= 0) return
      }
      return
    }
    if (options.tail !== undefined) from = Math.max(from, await this.tailStart(options.tail, from, author))
    for await (const entry of reader.entries({ from, author })) {
      yield toLogEntry(entry)
      if (--left <= 0) return
    }
  }

  /** The local seq where the last `count` ready entries (of `author`, or all) at or after `from` start. */
  private async tailStart (count: number, from: number, author: Uint8Array | undefined): Promise<number> {
    if (author === undefined) return this.#store.readyCount - count + 1
    // Nothing found: start past the end, rather than scan forward through every page for none.
    let start = this.#store.readyCount + 1
    let seen = 0
    for await (const entry of this.#store.reader.entriesReverse({ from, author })) {
      start = entry.localSeq
      if (++seen >= count) break
    }
    return start
  }

  heads (): string[] {
    return this.#store.heads()
  }

  feedHeads (): Array<{ author: string, id: string, seq: number }> {
    return this.#store.feedHeads()
  }

  async forks (): Promise<ForkReport[]> {
    return (await this.#store.forkProofs()).map((proof) => ({
      author: toHex(proof.author),
      seq: proof.seq,
      ids: [toHex(proof.segments[0].ids[0]), toHex(proof.segments[1].ids[0])],
      proof: [segmentToJson(proof.segments[0], proof.segments[0].ids), segmentToJson(proof.segments[1], proof.segments[1].ids)]
    }))
  }

  status (): StatusReport {
    const state = this.#store.state
    return {
      space: this.spaceId,
      cursor: this.cursor,
      author: this.author,
      entries: this.#store.readyCount,
      feeds: [...state.tips.values()].filter((tips) => tips.size > 0).length,
      heads: state.heads.size,
      pendingEntries: state.pending.entries,
      pendingBytes: state.pending.bytes,
      pendingQuota: this.#store.ingestor.quota.total,
      forks: [...state.forks].map(([author, marker]) => ({ author, seq: marker.seq })).sort((a, b) => a.author.localeCompare(b.author))
    }
  }

  /** What the pending area waits for: runs of pending entries, sorted by author then seq. */
  async pending (): Promise<PendingReport[]> {
    return await pendingRuns(this.#store.reader)
  }

  /**
   * The export as bytes: binary frames, or NDJSON with `format: 'json'`. Concatenations import as the union.
   * With `since` (a cursor from `status()` or an earlier export's `onCursor`), only what changed after it.
   */
  async * export (options: BookExportOptions = {}): AsyncGenerator<Uint8Array> {
    const author = typeof options.author === 'string' ? parseId(options.author, 'author') : options.author
    const { instance } = this.#store
    const sinceChange = options.since === undefined ? undefined : parseCursor(options.since, instance, this.#store.state.lastChange)
    const onChange = options.onCursor === undefined ? undefined : (change: number) => options.onCursor?.(formatCursor(instance, change))
    yield * exportBytes(this.#store.reader, this.#store.space, { format: options.format, author, sinceChange, onChange })
  }

  /** Where the store's change log stands now: an export `since` this cursor holds what changes after this call. */
  get cursor (): string {
    return formatCursor(this.#store.instance, this.#store.state.lastChange)
  }

  async import (source: AsyncIterable<Uint8Array> | Uint8Array, options: ImportOptions = {}): Promise<ImportSummary> {
    const stream = source instanceof Uint8Array ? (async function * () { yield source })() : source
    const release = this.registry?.holdForkNews()
    try {
      return await importStream(this.#store, stream, { sync: this.sync, ...options })
    } finally {
      release?.()
    }
  }

  /** Re-checks every stored entry: ids, index, chains, signatures, pending segments, fork proofs. */
  async verify (): Promise<{ ok: boolean, entries: number, problems: string[] }> {
    const problems = await this.#store.verify()
    return { ok: problems.length === 0, entries: this.#store.readyCount, problems }
  }
}
