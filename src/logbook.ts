// The Logbook class: one space, one identity, one store. It turns the user's values into entries,
// appends them through the same ingest path that import uses, and answers queries over ready entries.
import { EventEmitter } from 'node:events'
import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { AbstractLevel } from 'abstract-level'
import { ClassicLevel } from 'classic-level'
import { randomBytes, spaceIdFromKey, SPACE_KEY_BYTES } from './crypto/index.js'
import { innermostMessage, isIoFailure, LogbookError } from './errors.js'
import { compareBytes, fromHex, toHex } from './entry/bytes.js'
import { MAX_PAYLOAD_BYTES } from './entry/limits.js'
import { buildSignedSegments, checkEntryBody } from './entry/segment.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type EntryBody } from './entry/types.js'
import { Identity } from './identity.js'
import { exportBytes, type ExportOptions } from './io/export.js'
import { importStream, type ImportOptions, type ImportSummary } from './io/import.js'
import { segmentToJson, type JsonSegment } from './io/json-segment.js'
import { emptyCounts } from './store/ingest.js'
import { idKey } from './store/layout.js'
import type { StoredEntry } from './store/page.js'
import { Store } from './store/store.js'
import { initDir, readIdentity, readSpaceKey, storePaths, writeIdentity } from './store-dir.js'
import { checkView, type CheckOptions, type ViewCheckReport } from './views/check.js'
import { ViewRegistry } from './views/registry.js'
import type { ViewDefinition, ViewProgress, ViewStatus } from './views/types.js'
import type { View } from './views/view.js'

/** The views database's LevelDB write buffer (the log's keeps LevelDB's default 4 MiB). */
const VIEWS_WRITE_BUFFER_BYTES = 12 * 1024 * 1024

export type Payload = Uint8Array | string | number | boolean | null | readonly unknown[] | { readonly [key: string]: unknown }

/** An entry as the API shows it: ids and keys as lowercase hex, JSON payloads parsed. */
export interface LogEntry {
  id: string
  author: string
  seq: number
  prev: string | null
  links: string[]
  timestamp: number
  /** Position in this store's local order (causes before effects); may differ between stores. */
  localSeq: number
  signed: boolean
  kind: 'json' | 'binary'
  payload: unknown
}

export interface OpenOptions {
  /** Store directory (LevelDB under DIR/db, keys beside it). */
  dir?: string
  /** Or a database of your own (memory-level in tests, browser-level in browsers), with the keys given. */
  db?: AbstractLevel<any, any, any>
  spaceKey?: Uint8Array
  identity?: Identity
  /** fsync every write (power-loss safety). */
  sync?: boolean
}

export interface AppendOptions {
  /** Ids (hex) the first appended entry causally follows; they must be ready in this store. */
  links?: string[]
  timestamp?: number
  sync?: boolean
}

export interface PendingReport {
  author: string
  fromSeq: number
  toSeq: number
  entries: number
  waitsFor: string
  reason: 'prev' | 'link'
}

export interface ForkReport {
  author: string
  seq: number
  ids: [string, string]
  proof: [JsonSegment, JsonSegment]
}

export interface StatusReport {
  space: string
  author: string
  entries: number
  feeds: number
  heads: number
  pendingEntries: number
  pending: PendingReport[]
  forks: Array<{ author: string, seq: number }>
}

const utf8 = new TextDecoder()
const encoder = new TextEncoder()

export function toLogEntry (entry: StoredEntry): LogEntry {
  const json = entry.kind === PAYLOAD_JSON
  return {
    id: toHex(entry.id),
    author: toHex(entry.author),
    seq: entry.seq,
    prev: entry.prev === null ? null : toHex(entry.prev),
    links: entry.links.map(toHex),
    timestamp: entry.timestamp,
    localSeq: entry.localSeq,
    signed: entry.signature !== null,
    kind: json ? 'json' : 'binary',
    payload: json ? JSON.parse(utf8.decode(entry.payload)) : entry.payload
  }
}

function encodePayload (value: Payload, index: number): { kind: typeof PAYLOAD_BINARY | typeof PAYLOAD_JSON, payload: Uint8Array } {
  if (value instanceof Uint8Array) return { kind: PAYLOAD_BINARY, payload: value }
  const text = JSON.stringify(value)
  if (typeof text !== 'string') throw new LogbookError('INVALID_PAYLOAD', 'a payload must be bytes or a JSON value', { index })
  return { kind: PAYLOAD_JSON, payload: encoder.encode(text) }
}

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

/** Why a store's database did not open, in words that point at the way out. */
function openFailure (err: unknown, dir: string | null): LogbookError {
  const where = dir ?? 'given database'
  const reason = innermostMessage(err)
  if (isIoFailure(err)) return new LogbookError('IO_ERROR', `the store could not be opened (${where}): ${reason}`, { cause: err })
  const codes = [(err as { code?: unknown }).code, (err as { cause?: { code?: unknown } }).cause?.code]
  if (codes.includes('LEVEL_LOCKED')) {
    // LevelDB's lock is per process as well as per file: a second open in this process is refused with these words.
    const here = reason.includes('already held by process')
    return new LogbookError('LOGBOOK_NOT_OPEN', here
      ? `the store is already open in this process (${where}); close it first, or share the open Logbook`
      : `the store is in use by another process (${where})`, { cause: err })
  }
  if (dir !== null && reason.includes('create_if_missing is false')) {
    return new LogbookError('LOGBOOK_NOT_OPEN', `the store's database (${storePaths(dir).db}) is missing (${where})`, { cause: err })
  }
  return new LogbookError('LOGBOOK_NOT_OPEN', `the store could not be opened: ${reason} (${where})`, { cause: err })
}

function parseId (id: string, what = 'id'): Uint8Array {
  const bytes = fromHex(id, 32)
  if (bytes === undefined) throw new LogbookError('INVALID_KEY', `${what} must be 64 lowercase hex digits, got ${JSON.stringify(id)}`)
  return bytes
}

export class Logbook extends EventEmitter {
  private registry: ViewRegistry | null = null

  private constructor (
    readonly store: Store,
    /** Where views keep their rows and checkpoints: a database of its own in a store directory. */
    readonly viewsDb: AbstractLevel<any, any, any>,
    readonly spaceKey: Uint8Array,
    readonly identity: Identity,
    private readonly dir: string | null,
    private readonly sync: boolean,
    /** This store directory's entry in `openHere`, released by close(). */
    private readonly claim: string | null
  ) {
    super()
    // 'ready' (last ready local seq) and 'fork' (author hex) for views and applications.
    store.ingestor.listeners.add({
      ready: (lastLocalSeq) => this.emit('ready', lastLocalSeq),
      fork: (author) => this.emit('fork', author)
    })
  }

  /** Creates a store: a new space (or joins `spaceKey`) and a new identity (or `identity`). */
  static async create (options: OpenOptions = {}): Promise<Logbook> {
    const spaceKey = options.spaceKey ?? randomBytes(SPACE_KEY_BYTES)
    const identity = options.identity ?? Identity.generate()
    if (options.dir !== undefined && options.db === undefined) await initDir(options.dir, spaceKey, identity)
    return await Logbook.openStore({ ...options, spaceKey, identity }, true)
  }

  /** Opens an existing store directory, or a given database with the given keys. */
  static async open (options: OpenOptions = {}): Promise<Logbook> {
    return await Logbook.openStore(options, false)
  }

  /**
   * `creating`: the store directory was just initialized, so its database is made here. Otherwise a
   * missing database is an error, not an empty store: entries that were there must not silently vanish.
   */
  private static async openStore (options: OpenOptions, creating: boolean): Promise<Logbook> {
    if (options.db === undefined && options.dir === undefined) throw new TypeError('expected options.dir or options.db')
    const dir = options.dir ?? null
    const spaceKey = options.spaceKey ?? await readSpaceKey(dir as string)
    if (!(spaceKey instanceof Uint8Array) || spaceKey.byteLength !== SPACE_KEY_BYTES) throw new TypeError('expected a 32-byte spaceKey')
    const identity = options.identity ?? (dir !== null ? await readIdentity(dir) : Identity.generate())
    const claim = dir !== null && options.db === undefined ? await claimDir(dir) : null
    try {
      return await Logbook.openDatabases(options, creating, dir, spaceKey, identity, claim)
    } catch (err) {
      if (claim !== null) openHere.delete(claim)
      throw err
    }
  }

  /** Opens the log's database (and a store directory's views database) and makes the Logbook. */
  private static async openDatabases (options: OpenOptions, creating: boolean, dir: string | null, spaceKey: Uint8Array, identity: Identity, claim: string | null): Promise<Logbook> {
    // LevelDB's default 4 MiB write buffer: with writes applied behind the journal, 32 MiB measured no
    // faster at 1M entries, 13% slower for batched appends, and held more memory.
    const db = options.db ?? new ClassicLevel<Uint8Array, Uint8Array>(storePaths(dir as string).db, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      createIfMissing: creating
    })
    let store: Store
    try {
      store = await Store.open(db, spaceIdFromKey(spaceKey), options.db === undefined ? storePaths(dir as string).journal : undefined)
    } catch (err) {
      if (err instanceof LogbookError) throw err
      throw openFailure(err, dir)
    }
    let viewsDb: AbstractLevel<any, any, any> = db
    if (options.db === undefined) {
      // Views get a database of their own: a rebuild's writes and compactions never stall the log's
      // writes, and a larger write buffer makes a rebuild's compactions rarer (rows arrive in no key order).
      viewsDb = new ClassicLevel<Uint8Array, Uint8Array>(storePaths(dir as string).views, {
        keyEncoding: 'view',
        valueEncoding: 'view',
        writeBufferSize: VIEWS_WRITE_BUFFER_BYTES
      } as any)
      try {
        await viewsDb.open()
      } catch (err) {
        await store.close()
        const views = storePaths(dir as string).views
        throw new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'LOGBOOK_NOT_OPEN', `the views database could not be opened (${views}): ${innermostMessage(err)}. It holds only derived data: remove it and the views rebuild from the log`, { cause: err })
      }
    }
    return new Logbook(store, viewsDb, spaceKey, identity, dir, options.sync === true, claim)
  }

  /** This store's author id (hex). */
  get author (): string {
    return this.identity.author
  }

  get spaceId (): string {
    return toHex(this.store.space)
  }

  async close (): Promise<void> {
    // Views stop after the batch in hand (their checkpoint makes it resumable) before the database closes.
    // Each database is closed even when something before it failed.
    try {
      await this.registry?.close()
    } finally {
      try {
        await this.store.close()
      } finally {
        try {
          // Not settled like the log's database: what a close abandons there is derived data, redone (and its
          // leftovers deleted) at the next open, and closing a store with views stays quick.
          if (this.viewsDb !== this.store.layout.db) await this.viewsDb.close()
        } finally {
          if (this.claim !== null) openHere.delete(this.claim)
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
    if (this.dir !== null) await writeIdentity(this.dir, identity)
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
    const bodies: EntryBody[] = values.map((value, i) => {
      const { kind, payload } = encodePayload(value, i)
      if (payload.byteLength > MAX_PAYLOAD_BYTES) throw new LogbookError('PAYLOAD_TOO_LARGE', `payload ${i} is ${payload.byteLength} bytes; the limit is ${MAX_PAYLOAD_BYTES}`, { index: i })
      return { timestamp, links: i === 0 ? links : [], kind, payload }
    })
    checkEntryBody({ ...bodies[0], payload: new Uint8Array(0), kind: PAYLOAD_BINARY })
    const ids = await this.store.ingestor.exclusive(async () => {
      if (links.length > 0) {
        await this.store.writer.drained()
        const found = await this.store.layout.ids.getMany(links.map(idKey))
        const missing = found.findIndex((value) => value === undefined)
        if (missing >= 0) throw new LogbookError('LINK_NOT_FOUND', `link ${toHex(links[missing])} is not a ready entry in this store`)
      }
      const tip = this.ownTip()
      const author = this.identity.publicKey
      const segments = buildSignedSegments(this.store.space, author, this.identity.secretKey, tip.seq, tip.id, bodies)
      const counts = emptyCounts()
      for (const segment of segments) await this.store.ingestor.ingest(segment, counts, options.sync ?? this.sync)
      return segments.flatMap((segment) => segment.ids.map(toHex))
    })
    return many ? ids : ids[0]
  }

  /** Where this identity's feed may be extended, or the reason it must not be. */
  private ownTip (): { seq: number, id: Uint8Array | null } {
    const author = this.identity.author
    const tips = [...(this.store.state.tips.get(author) ?? new Map<string, number>())]
    const marker = this.store.state.forks.get(author)
    if (marker !== undefined || tips.length > 1) {
      throw new LogbookError('IDENTITY_FORKED', `identity ${author} has two different entries at seq ${marker?.seq ?? '?'} in this space (a key used on two devices, or a restored backup); ` +
        'appending would deepen the fork')
    }
    const [tipHex, tipSeq] = tips[0] ?? [null, 0]
    const ahead = this.store.state.pendingOf(author).filter((info) => info.lastSeq > tipSeq)
    if (ahead.length > 0) {
      const upTo = ahead.reduce((max, info) => Math.max(max, info.lastSeq), 0)
      throw new LogbookError('BEHIND_OWN_HEAD', `this store holds entries of identity ${author} up to seq ${upTo} that it cannot place after its own seq ${tipSeq}; ` +
        'appending would fork the feed')
    }
    return { seq: tipSeq, id: tipHex === null ? null : fromHex(tipHex, 32) as Uint8Array }
  }

  async get (id: string): Promise<LogEntry | undefined> {
    const entry = await this.store.reader.get(parseId(id))
    return entry === undefined ? undefined : toLogEntry(entry)
  }

  /** Ready entries in local order. */
  async * log (options: { author?: string, limit?: number, since?: number } = {}): AsyncGenerator<LogEntry> {
    const author = options.author === undefined ? undefined : parseId(options.author, 'author')
    let left = options.limit ?? Infinity
    if (left <= 0) return
    for await (const entry of this.store.reader.entries({ from: (options.since ?? 0) + 1, author })) {
      yield toLogEntry(entry)
      if (--left <= 0) return
    }
  }

  heads (): string[] {
    return this.store.heads()
  }

  feedHeads (): Array<{ author: string, id: string, seq: number }> {
    return this.store.feedHeads()
  }

  async forks (): Promise<ForkReport[]> {
    return (await this.store.forkProofs()).map((proof) => ({
      author: toHex(proof.author),
      seq: proof.seq,
      ids: [toHex(proof.segments[0].ids[0]), toHex(proof.segments[1].ids[0])],
      proof: [segmentToJson(proof.segments[0], proof.segments[0].ids), segmentToJson(proof.segments[1], proof.segments[1].ids)]
    }))
  }

  status (): StatusReport {
    const state = this.store.state
    const pending: PendingReport[] = [...state.pending.values()].map((info) => ({
      author: toHex(info.author),
      fromSeq: info.blockedSeq,
      toSeq: info.lastSeq,
      entries: info.lastSeq - info.blockedSeq + 1,
      waitsFor: toHex(info.blocker),
      reason: info.blockerIsPrev ? 'prev' as const : 'link' as const
    })).sort((a, b) => a.author.localeCompare(b.author) || a.fromSeq - b.fromSeq)
    return {
      space: this.spaceId,
      author: this.author,
      entries: this.store.readyCount,
      feeds: [...state.tips.values()].filter((tips) => tips.size > 0).length,
      heads: state.heads.size,
      pendingEntries: pending.reduce((sum, item) => sum + item.entries, 0),
      pending,
      forks: [...state.forks].map(([author, marker]) => ({ author, seq: marker.seq })).sort((a, b) => a.author.localeCompare(b.author))
    }
  }

  /** The export as bytes: binary frames, or NDJSON with `format: 'json'`. Concatenations import as the union. */
  export (options: Omit<ExportOptions, 'author'> & { author?: Uint8Array | string } = {}): AsyncGenerator<Uint8Array> {
    const author = typeof options.author === 'string' ? parseId(options.author, 'author') : options.author
    return exportBytes(this.store.reader, this.store.space, { ...options, author })
  }

  async import (source: AsyncIterable<Uint8Array> | Uint8Array, options: ImportOptions = {}): Promise<ImportSummary> {
    const stream = source instanceof Uint8Array ? (async function * () { yield source })() : source
    return await importStream(this.store, stream, { sync: this.sync, ...options })
  }

  /** Re-checks every stored entry: ids, index, chains, signatures, pending segments, fork proofs. */
  async verify (): Promise<{ ok: boolean, entries: number, problems: string[] }> {
    const problems = await this.store.verify()
    return { ok: problems.length === 0, entries: this.store.readyCount, problems }
  }
}
