// One store conformance suite for every database backend a Logbook runs on (classic-level, memory-level,
// browser-level): appends, reads, reopening, import and export in any order or split, pending entries,
// forks, incremental exports, exports that race entries becoming ready, bad input, and replication, all
// through the public API. It imports nothing from Node, so a page can run the same cases: the runner hands
// it a way to open databases by name and gets named cases that throw on failure.
import type { AbstractLevel } from 'abstract-level'
import { Logbook } from '../../src/logbook.js'
import type { Identity } from '../../src/identity.js'
import { LogbookError } from '../../src/errors.js'
import { chunked, collect, concatBytes, frameBounds, identity, OTHER_SPACE_KEY, prng, snapshot, SPACE_KEY } from './fixtures.js'

type Db = AbstractLevel<any, any, any>

export interface StoreBackend {
  name: string
  /**
   * The database called `name`: a new one the first time, and the same data again when opened after the
   * Logbook on it was closed (closing a Logbook closes its database). Names are unique within one call of a
   * suite (`store-1`, `views-1`, ...), not across runs: a backend that keeps data between runs (IndexedDB in
   * a reused browser profile) needs a fresh place per run.
   */
  openDb: (name: string) => Db
}

export interface StoreCase { name: string, run: () => Promise<void> }

// ---- checks that throw, for any runner ----

export function fail (message: string): never {
  throw new Error(message)
}

export function check (condition: boolean, message: string): void {
  if (!condition) fail(message)
}

/** JSON text with bigints and bytes written out, so any two values compare by their text. */
function comparable (value: unknown): string {
  // The holder's own value, not what toJSON made of it (a Buffer's toJSON would hide that it is bytes).
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key]
    return typeof raw === 'bigint' ? `${raw}n` : raw instanceof Uint8Array ? `bytes:${Array.from(raw).join(',')}` : v
  })
}

export function same (actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [comparable(actual), comparable(expected)]
  if (a !== e) fail(`${what}:\n  expected ${e.slice(0, 2000)}\n  got      ${a.slice(0, 2000)}`)
}

export async function rejects (run: () => Promise<unknown>, code: string, what: string): Promise<void> {
  try {
    await run()
  } catch (error) {
    if (error instanceof LogbookError && error.code === code) return
    fail(`${what}: expected LogbookError ${code}, got ${String(error)}`)
  }
  fail(`${what}: expected LogbookError ${code}, nothing was thrown`)
}

// ---- books on fresh databases ----

/**
 * The books one case opens, each on a database of its own, closed when the case ends (pass or fail).
 * `prefix` keeps the names of one suite apart from another's on the same backend.
 */
export class BookScope {
  private readonly open: Logbook[] = []
  private readonly names = new Map<Logbook, string>()

  constructor (private readonly backend: StoreBackend, private readonly nextName: () => string) {}

  /** A new store on a new database, by `who` (identity 200 unless given), in the test space unless told. */
  async book (who: Identity = identity(200), spaceKey = SPACE_KEY): Promise<Logbook> {
    const name = this.nextName()
    const book = await Logbook.create({ db: this.backend.openDb(name), spaceKey, identity: who })
    return this.track(book, name)
  }

  /** Closes `book` and opens its database again, as the same identity. */
  async reopen (book: Logbook): Promise<Logbook> {
    const name = this.names.get(book) ?? fail('reopen: not a book of this case')
    await book.close()
    const again = await Logbook.open({ db: this.backend.openDb(name), spaceKey: book.spaceKey, identity: book.identity })
    return this.track(again, name)
  }

  private track (book: Logbook, name: string): Logbook {
    this.open.push(book)
    this.names.set(book, name)
    return book
  }

  async closeAll (): Promise<void> {
    const errors: unknown[] = []
    for (const book of this.open) await book.close().catch((error) => errors.push(error))
    if (errors.length > 0) throw errors[0]
  }
}

/** Turns case bodies into cases that each get a scope of fresh books, closed afterwards. */
export function scopedCases (backend: StoreBackend, prefix: string, bodies: Array<[string, (scope: BookScope) => Promise<void>]>): StoreCase[] {
  let made = 0
  const nextName = (): string => `${prefix}-${++made}`
  return bodies.map(([name, body]) => ({
    name,
    run: async () => {
      const scope = new BookScope(backend, nextName)
      let failed = true
      try {
        await body(scope)
        failed = false
      } finally {
        // A failure to close is reported only when the case itself passed (else its own error is the one to see).
        await scope.closeAll().catch((error) => { if (!failed) throw error })
      }
    }
  }))
}

// ---- moving entries between books ----

export async function exportOf (book: Logbook, options: Parameters<Logbook['export']>[0] = {}): Promise<Uint8Array> {
  return await collect(book.export(options))
}

/** The frames of a binary export, one segment each. */
export function framesOf (bytes: Uint8Array): Uint8Array[] {
  return frameBounds(bytes).map(({ start, end }) => bytes.slice(start, end))
}

/** Imports `bytes` and insists nothing was rejected. */
export async function importClean (book: Logbook, bytes: Uint8Array | AsyncIterable<Uint8Array>): Promise<Awaited<ReturnType<Logbook['import']>>> {
  const summary = await book.import(bytes)
  if (summary.rejectedCount > 0 || summary.corrupt !== null) fail(`import refused input: ${comparable(summary.rejected)} ${comparable(summary.corrupt)}`)
  return summary
}

/** `items` in an order drawn from `seed` (the same on every platform). */
export function shuffled<T> (items: T[], seed: number): T[] {
  const random = prng(seed)
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/**
 * A hub store holding three authors' entries written in rounds: each author first takes in what the hub
 * has, then appends one entry linking to the hub's heads, so entries depend on other authors' entries.
 * One author ends with a batch (one segment of many entries). Every entry is its own frame but the batch.
 */
async function linkedFeeds (scope: BookScope, rounds = 8, batch = 40): Promise<Logbook> {
  const hub = await scope.book(identity(10))
  const writers = [await scope.book(identity(11)), await scope.book(identity(12)), await scope.book(identity(13))]
  for (let round = 0; round < rounds; round++) {
    for (const [w, writer] of writers.entries()) {
      await importClean(writer, await exportOf(hub))
      await writer.append({ type: 'note', writer: w, round }, { links: hub.heads() })
      await importClean(hub, await exportOf(writer))
    }
  }
  await writers[0].append(Array.from({ length: batch }, (_, i) => ({ type: 'batch', i })))
  await importClean(hub, await exportOf(writers[0]))
  return hub
}

/** What a store holds, for comparing stores: ready ids, heads, feed heads, forks, signatures, and counts. */
async function stateOf (book: Logbook): Promise<unknown> {
  const { entries, feeds, heads, pendingEntries, forks } = book.status()
  return { ...await snapshot(book), entries, feeds, headCount: heads, pendingEntries, forkedAt: forks, pending: await book.pending() }
}

async function expectSameState (actual: Logbook, expected: Logbook, what: string): Promise<void> {
  same(await stateOf(actual), await stateOf(expected), what)
}

// ---- the cases ----

async function appendOne (scope: BookScope): Promise<void> {
  const book = await scope.book()
  const id = await book.append({ hello: 'world', n: 1 }, { timestamp: 1_700_000_000_000 })
  const entry = await book.get(id) ?? fail('the appended entry is not there')
  same({ ...entry, localSeq: undefined }, {
    id, author: book.author, seq: 1, prev: null, links: [], timestamp: 1_700_000_000_000, localSeq: undefined, signed: true, kind: 'json', payload: { hello: 'world', n: 1 }
  }, 'the entry read back')
  const second = await book.append(new Uint8Array([0, 1, 2, 255]), { links: [id] })
  const binary = await book.get(second) ?? fail('the second entry is not there')
  same([binary.kind, binary.payload, binary.prev, binary.links, binary.seq], ['binary', new Uint8Array([0, 1, 2, 255]), id, [id], 2], 'a binary entry read back')
  same(book.heads(), [second], 'heads')
  same([book.status().entries, book.status().feeds, book.status().heads], [2, 1, 1], 'status counts')
  check(await book.get('00'.repeat(32)) === undefined, 'an id nobody wrote is found')
}

async function appendBatch (scope: BookScope): Promise<void> {
  const book = await scope.book()
  const values = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? new Uint8Array([i & 255, i >> 8]) : { i, text: `entry ${i}` }))
  const ids = await book.append(values)
  same(ids.length, 300, 'ids returned')
  same(new Set(ids).size, 300, 'distinct ids')
  const seen: Array<[string, number, unknown]> = []
  for await (const entry of book.log()) seen.push([entry.id, entry.seq, entry.payload])
  same(seen, ids.map((id, i) => [id, i + 1, values[i]]), 'the log in order, with payloads')
  same((await book.get(ids[150]))?.prev, ids[149], 'an entry links to the one before it')
  same(book.feedHeads(), [{ author: book.author, id: ids[299], seq: 300 }], 'feed heads')
  const more = await book.append([{ after: 1 }, { after: 2 }])
  same((await book.get(more[0]))?.seq, 301, 'a second batch continues the feed')
  same((await book.verify()).ok, true, 'verify')
}

async function reopenKeepsEverything (scope: BookScope): Promise<void> {
  const hub = await linkedFeeds(scope, 3, 20)
  const book = await scope.book(identity(20))
  await book.append(Array.from({ length: 30 }, (_, i) => ({ mine: i })))
  const frames = framesOf(await exportOf(hub))
  // All but the first frame: what follows it waits (pending) across the reopen too.
  await importClean(book, concatBytes(frames.slice(1)))
  const before = await stateOf(book)
  const cursor = book.cursor
  check(book.status().pendingEntries > 0, 'nothing went pending')
  const again = await scope.reopen(book)
  same(await stateOf(again), before, 'state after reopening')
  same(again.cursor, cursor, 'cursor after reopening')
  await importClean(again, frames[0])
  same(again.status().pendingEntries, 0, 'pending entries left once the first frame came')
  const next = await again.append({ mine: 'after reopen' })
  same((await again.get(next))?.seq, 31, 'the own feed continues after reopening')
  const third = await scope.reopen(again)
  same((await third.get(next))?.payload, { mine: 'after reopen' }, 'an entry appended after one reopen, after another')
  same((await third.verify()).ok, true, 'verify after reopening')
}

async function importOfExport (scope: BookScope): Promise<void> {
  const hub = await linkedFeeds(scope)
  const copy = await scope.book(identity(21))
  const exported = await exportOf(hub)
  const summary = await importClean(copy, exported)
  same([summary.imported, summary.pending, summary.duplicates], [hub.status().entries, 0, 0], 'import summary')
  await expectSameState(copy, hub, 'a copy made by import')
  same(await exportOf(copy), exported, 'the copy exports the same bytes')
  same(await exportOf(copy, { format: 'json' }), await exportOf(hub, { format: 'json' }), 'the copy exports the same JSON')
  const again = await copy.import(exported)
  same([again.imported, again.duplicates], [0, hub.status().entries], 'a second import only finds duplicates')
}

async function importInAnyOrder (scope: BookScope): Promise<void> {
  const hub = await linkedFeeds(scope)
  const frames = framesOf(await exportOf(hub))
  const orders: Array<[string, Uint8Array[][]]> = [
    ['reversed', [frames.slice().reverse()]],
    ['shuffled', [shuffled(frames, 1)]],
    ['every frame twice', [shuffled([...frames, ...frames], 2)]],
    ['in five imports', [0, 1, 2, 3, 4].map((part) => shuffled(frames, 3).filter((_, i) => i % 5 === part))]
  ]
  for (const [what, imports] of orders) {
    const book = await scope.book(identity(21))
    for (const part of imports) await importClean(book, concatBytes(part))
    await expectSameState(book, hub, `imported ${what}`)
  }
  // One stream cut at odd byte boundaries (frames cross chunks).
  const cut = await scope.book(identity(21))
  await importClean(cut, chunked(concatBytes(shuffled(frames, 4)), [1, 7, 300, 13, 4096]))
  await expectSameState(cut, hub, 'imported as odd chunks')
  // Reversed frames one at a time: everything after a feed's first entry waits for it.
  const waiting = await scope.book(identity(21))
  const reversed = frames.slice().reverse()
  for (const frame of reversed.slice(0, -1)) await importClean(waiting, frame)
  check(waiting.status().pendingEntries > 0, 'entries before their predecessors did not go pending')
  check(waiting.status().entries < hub.status().entries, 'entries were ready before their predecessors came')
  await importClean(waiting, reversed[reversed.length - 1])
  await expectSameState(waiting, hub, 'pending entries all became ready')
}

async function pendingWaits (scope: BookScope): Promise<void> {
  const writer = await scope.book(identity(30))
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push(await writer.append({ i }))
  const frames = framesOf(await exportOf(writer))
  same(frames.length, 5, 'frames, one per single append')
  const other = await scope.book(identity(31))
  await importClean(other, frames[0])
  const linking = await other.append({ linksTo: ids[0] }, { links: [ids[0]] })
  const linkFrame = framesOf(await exportOf(other, { author: other.author }))

  const book = await scope.book(identity(32))
  const summary = await importClean(book, concatBytes([...linkFrame, frames[2], frames[3], frames[4]]))
  same([summary.imported, summary.pending], [4, 4], 'entries stored, all pending')
  same([book.status().entries, book.status().pendingEntries], [0, 4], 'status while pending')
  check(book.status().pendingBytes > 0, 'pending bytes are not counted')
  same(await book.pending(), [
    { author: writer.author, fromSeq: 3, toSeq: 5, entries: 3, waitsFor: ids[1], reason: 'prev' },
    { author: other.author, fromSeq: 1, toSeq: 1, entries: 1, waitsFor: ids[0], reason: 'link' }
  ].sort((a, b) => a.author.localeCompare(b.author)), 'what pending entries wait for')
  check(await book.get(ids[2]) === undefined, 'a pending entry reads as ready')
  await importClean(book, frames[0])
  same([book.status().entries, book.status().pendingEntries], [2, 3], 'the link arrived: the linking entry is ready')
  same(await book.pending(), [{ author: writer.author, fromSeq: 3, toSeq: 5, entries: 3, waitsFor: ids[1], reason: 'prev' }], 'still waiting')
  await importClean(book, frames[1])
  same([book.status().entries, book.status().pendingEntries, book.status().pendingBytes], [6, 0, 0], 'everything ready')
  same(await book.pending(), [], 'nothing waits')
  same((await book.get(linking))?.links, [ids[0]], 'the linking entry')
}

async function forkWithProof (scope: BookScope): Promise<void> {
  const forker = identity(7)
  const one = await scope.book(forker)
  const two = await scope.book(forker)
  await one.append([{ device: 1, n: 1 }, { device: 1, n: 2 }])
  await two.append({ device: 2 })
  const [first, second] = [await exportOf(one), await exportOf(two)]
  await importClean(one, second)
  await importClean(two, first)
  const forks = await one.forks()
  same(forks.length, 1, 'forks found')
  const [fork] = forks
  same([fork.author, fork.seq], [forker.author, 1], 'where the feed forks')
  const atSeq1: string[] = []
  for await (const entry of one.log({ author: forker.author })) if (entry.seq === 1) atSeq1.push(entry.id)
  same(fork.ids.slice().sort(), atSeq1.sort(), 'the fork names both entries at seq 1')
  same(fork.proof.map((segment) => [segment.author, segment.seq, segment.entries[segment.entries.length - 1].signature !== null]),
    [[forker.author, 1, true], [forker.author, 1, true]], 'the proof: two signed segments at seq 1')
  same(one.status().forks, [{ author: forker.author, seq: 1 }], 'status names the fork')
  same(await two.forks(), forks, 'both stores hold the same proof')
  await expectSameState(two, one, 'both stores after joining')
  await rejects(async () => await one.append({ deeper: true }), 'IDENTITY_FORKED', 'appending on a forked identity')
  // A third store that only gets the proof's segments learns of the fork from them alone.
  const witness = await scope.book(identity(8))
  await importClean(witness, await exportOf(two))
  same(await witness.forks(), forks, 'a store that imported the joined export')
}

async function exportSince (scope: BookScope): Promise<void> {
  const book = await scope.book(identity(40))
  await book.append(Array.from({ length: 20 }, (_, i) => ({ early: i })))
  const mirror = await scope.book(identity(41))
  let told = ''
  await importClean(mirror, await exportOf(book, { onCursor: (cursor) => { told = cursor } }))
  same(told, book.cursor, 'the cursor an export tells is where the store stands')
  const stranger = await scope.book(identity(42))
  const strangers: string[] = []
  for (let i = 1; i <= 3; i++) strangers.push(await stranger.append({ s: i }))
  await importClean(book, framesOf(await exportOf(stranger))[0])
  const later: string[] = []
  for (let i = 0; i < 5; i++) later.push(await book.append({ late: i }))
  const changes = await exportOf(book, { since: told })
  // Alone, the changes hold only later entries: they wait for the early ones.
  const fresh = await scope.book(identity(43))
  const summary = await importClean(fresh, changes)
  same([summary.imported, summary.pending], [6, 5], 'what an export since the cursor holds: the stranger\'s first, ready, and the later 5, pending')
  check(await fresh.get(strangers[0]) !== undefined, 'a change imported before the cursor moved is missing')
  await importClean(mirror, changes)
  await expectSameState(mirror, book, 'a mirror brought up to date by changes')
  same(await exportOf(book, { since: book.cursor }), new Uint8Array(0), 'an export since the current cursor')
  // A pending entry stored after a cursor, then woken, is in the next changes.
  const mark = book.cursor
  await importClean(book, framesOf(await exportOf(stranger))[2])
  same(book.status().pendingEntries, 1, 'the stranger\'s third entry waits')
  await importClean(book, framesOf(await exportOf(stranger))[1])
  await importClean(mirror, await exportOf(book, { since: mark }))
  await expectSameState(mirror, book, 'a mirror after changes that woke pending entries')
  await rejects(async () => await exportOf(book, { since: 'not a cursor' }), 'INVALID_CURSOR', 'a malformed cursor')
  await rejects(async () => await exportOf(book, { since: fresh.cursor }), 'INVALID_CURSOR', 'another store\'s cursor')
}

/** Binary payloads this large fill the export's first chunks, so a reader can stop between them. */
const LARGE_PAYLOAD = 256 * 1024

async function exportWhileEntriesWake (scope: BookScope): Promise<void> {
  const book = await scope.book(identity(50))
  // Several MiB of ready entries, read before the pending ones in an export.
  await book.append(Array.from({ length: 12 }, (_, i) => new Uint8Array(LARGE_PAYLOAD).fill(i)))
  const writer = await scope.book(identity(51))
  for (let i = 0; i < 30; i++) await writer.append({ w: i })
  const frames = framesOf(await exportOf(writer))
  await importClean(book, concatBytes(frames.slice(3)))
  same(book.status().pendingEntries, 27, 'entries waiting before the export starts')
  const before = await stateOf(book)

  const reading = book.export()[Symbol.asyncIterator]()
  const parts: Uint8Array[] = []
  const first = await reading.next()
  check(first.done !== true, 'the export ended before its first chunk')
  parts.push(first.value as Uint8Array)
  // The pending entries become ready while the export is half read.
  await importClean(book, concatBytes(frames.slice(0, 3)))
  same([book.status().pendingEntries, book.status().entries], [0, 42], 'every entry is ready now')
  for (let next = await reading.next(); next.done !== true; next = await reading.next()) parts.push(next.value)

  const copy = await scope.book(identity(52))
  await importClean(copy, concatBytes(parts))
  // What was in the store when the export started: the copy holds all of it (pending or ready).
  const copyState = await stateOf(copy) as { ready: string[], pendingEntries: number }
  const had = before as { ready: string[], pendingEntries: number }
  for (const id of had.ready) check(copyState.ready.includes(id), `the export missed ready entry ${id}`)
  check(copyState.ready.length + copyState.pendingEntries >= had.ready.length + had.pendingEntries,
    `the export missed entries that became ready while it was read: it held ${copyState.ready.length} ready and ${copyState.pendingEntries} pending, the store had ${had.ready.length} ready and ${had.pendingEntries} pending`)
  await importClean(copy, concatBytes(frames.slice(0, 3)))
  await expectSameState(copy, book, 'the copy, given the entries that woke the pending ones')
}

async function invalidInput (scope: BookScope): Promise<void> {
  const book = await scope.book(identity(60))
  const kept = await book.append([{ keep: 1 }, { keep: 2 }])
  const writer = await scope.book(identity(61))
  for (let i = 0; i < 4; i++) await writer.append({ w: i })
  const lines = new TextDecoder().decode(await exportOf(writer, { format: 'json' })).trim().split('\n')
  // A signature with one digit changed, in the last line: the three lines before it are fine.
  const forged = JSON.parse(lines[3]) as { entries: Array<{ signature: string }> }
  const sig = forged.entries[0].signature
  forged.entries[0].signature = (sig[0] === '0' ? '1' : '0') + sig.slice(1)
  const text = new TextEncoder().encode([...lines.slice(0, 3), JSON.stringify(forged)].join('\n') + '\n')
  const summary = await book.import(text)
  same([summary.imported, summary.rejectedCount, summary.rejected[0]?.code], [3, 1, 'BAD_SIGNATURE'], 'a forged signature is refused, the rest kept')

  // A damaged frame ends an import at its offset; the frames before it stay.
  const frames = framesOf(await exportOf(writer))
  const damaged = frames[3].slice()
  damaged[damaged.length - 6] ^= 0xff
  const bytes = concatBytes([frames[3], damaged])
  const other = await scope.book(identity(62))
  await importClean(other, concatBytes(frames.slice(0, 3)))
  const cut = await other.import(bytes)
  same([cut.imported, cut.corrupt?.code, cut.corrupt?.offset], [1, 'CORRUPT_FRAME', frames[3].byteLength], 'a damaged frame ends the import at its offset')
  same(other.status().entries, 4, 'entries before the damaged frame are kept')

  const stranger = await scope.book(identity(63), OTHER_SPACE_KEY)
  await stranger.append({ elsewhere: true })
  const foreign = await book.import(await exportOf(stranger))
  same([foreign.imported, foreign.rejected[0]?.code], [0, 'WRONG_SPACE'], 'a segment of another space')
  const truncated = await book.import(frames[0].slice(0, frames[0].byteLength - 3))
  same(truncated.corrupt?.code, 'CORRUPT_FRAME', 'a truncated frame')

  await rejects(async () => await book.append({ bad: undefined as unknown as null }), 'INVALID_PAYLOAD', 'an undefined inside a payload')
  await rejects(async () => await book.append({ n: Number.NaN }), 'INVALID_PAYLOAD', 'NaN in a payload')
  await rejects(async () => await book.append(new Uint8Array(1024 * 1024 + 1)), 'PAYLOAD_TOO_LARGE', 'a payload over 1 MiB')
  await rejects(async () => await book.append({ x: 1 }, { links: ['ab'.repeat(32)] }), 'LINK_NOT_FOUND', 'a link to an entry the store lacks')
  await rejects(async () => await book.append({ x: 1 }, { links: ['XYZ'] }), 'INVALID_KEY', 'a link that is not an id')
  await rejects(async () => await book.append([{ ok: 1 }, { bad: () => 1 } as unknown as null]), 'INVALID_PAYLOAD', 'a batch with one bad payload')
  await rejects(async () => await book.get('nope'), 'INVALID_KEY', 'get of something that is not an id')
  same(book.status().entries, 5, 'refused appends wrote nothing')
  same(book.status().pendingEntries, 0, 'nothing pending')
  same((await book.get(kept[1]))?.payload, { keep: 2 }, 'an entry from before the bad input')
  same((await book.verify()).ok, true, 'verify after bad input')
}

async function replicationConverges (scope: BookScope): Promise<void> {
  const a = await linkedFeeds(scope, 4, 30)
  const b = await scope.book(identity(70))
  await b.append(Array.from({ length: 25 }, (_, i) => ({ b: i })))
  for (let i = 0; i < 5; i++) await b.append({ single: i })
  const forkA = await scope.book(identity(7))
  const forkB = await scope.book(identity(7))
  await forkA.append({ branch: 'a' })
  await forkB.append({ branch: 'b' })
  await importClean(a, await exportOf(forkA))
  await importClean(b, await exportOf(forkB))
  await replicate(a, b)
  await expectSameState(b, a, 'after one session')
  same(a.status().forks.length, 1, 'the fork travelled')
  same(a.status().entries, 4 * 3 + 30 + 30 + 2, 'entries on both sides')
  await a.append({ later: 'a' })
  await b.append([{ later: 'b1' }, { later: 'b2' }])
  await replicate(b, a)
  await expectSameState(a, b, 'after a second session')
}

/** One replication session between two books over an in-memory pipe, until both sides end. */
async function replicate (initiator: Logbook, responder: Logbook): Promise<void> {
  const one = initiator.replicate(true, { timeout: 10_000 })
  const two = responder.replicate(false, { timeout: 10_000 })
  one.pipe(two).pipe(one)
  await Promise.all([one.session.synced, two.session.synced])
  await Promise.all([one.session.done, two.session.done])
}

export function storeConformanceCases (backend: StoreBackend): StoreCase[] {
  return scopedCases(backend, 'store', [
    ['append one entry and read it back', appendOne],
    ['append a batch: one feed, in order, with payloads', appendBatch],
    ['close and reopen keeps ready and pending entries, the cursor, and the own feed', reopenKeepsEverything],
    ['import of an export gives the same state and the same export', importOfExport],
    ['import in any order, duplicated, or split gives the same state', importInAnyOrder],
    ['pending entries say what they wait for, and become ready when it comes', pendingWaits],
    ['a fork is reported with its proof, the same on both stores', forkWithProof],
    ['export since a cursor holds what changed after it', exportSince],
    ['entries that become ready while an export is read are in it', exportWhileEntriesWake],
    ['bad input is refused with a code and valid entries are kept', invalidInput],
    ['two stores replicating over a pipe converge', replicationConverges]
  ])
}
