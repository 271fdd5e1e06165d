// The two checks a view must pass. Determinism: a rebuild from scratch (into a scratch memory-level
// database) has the same digest as the live view. Convergence: replaying the same entries in K random
// topological orders, with random batch boundaries, gives the same digest every time; a view that
// fails is reported with the seed that reproduces the order, both orders and the first differing key.
// Exported for users' own tests: `checkView(book, definitionOrName, { orders, seed })`.
import { MemoryLevel } from 'memory-level'
import { randomBytes } from '../crypto/index.js'
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import { applyBatch } from './apply.js'
import { firstDifference, viewDigest, type KeyDifference } from './digest.js'
import { entryAuthor, entryId, readyEntries, type ReadyEntry } from './entry.js'
import { ViewKeyspace } from './keyspace.js'
import { orderRandom, randomBatchSizes, randomTopologicalOrder } from './order.js'
import type { ViewDefinition } from './types.js'
import { BATCH_ENTRIES, definitionForks } from './view.js'

export interface CheckOptions {
  /** Random topological orders to replay (0: only the determinism check). */
  orders?: number
  /** Seed of the orders; random when not given, and always reported. */
  seed?: number
}

export interface CheckMismatch {
  check: 'determinism' | 'convergence'
  /** For convergence: the order (1..K) that differs from the local order; replay it with the same seed. */
  order: number
  seed: number
  /** Entry ids in the order applied: [the reference (local order), the one that differs]. */
  orders: [string[], string[]]
  digests: [string, string]
  /** The first key (or failing entry) where the two states differ. */
  difference: KeyDifference | null
}

export interface ViewCheckReport {
  name: string
  /** Entries replayed: the ready entries up to the live view's checkpoint, less excluded authors'. */
  entries: number
  /** The live view's digest; null when checking a definition that is not registered. */
  liveDigest: string | null
  rebuildDigest: string
  deterministic: boolean
  orders: number
  seed: number
  /** null when no orders were asked for. */
  converges: boolean | null
  ok: boolean
  mismatch: CheckMismatch | null
}

interface Scratch {
  keyspace: ViewKeyspace
  digest: string
  /** Entries given to the view (excluded authors' left out). */
  entries: number
  close: () => Promise<void>
}

/** Applies `entries` to a fresh in-memory keyspace, cutting batches by `nextSize`. */
async function scratchBuild (definition: ViewDefinition<any>, name: string, entries: Iterable<ReadyEntry> | AsyncIterable<ReadyEntry>, excluded: ReadonlySet<string>, nextSize: () => number): Promise<Scratch> {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  await db.open()
  const keyspace = new ViewKeyspace(db, name)
  await keyspace.open()
  let batch: ReadyEntry[] = []
  let size = nextSize()
  let given = 0
  const flush = async (): Promise<void> => {
    const result = await applyBatch(definition, keyspace, batch, excluded)
    if (result.rows.size > 0 || result.failureOps.length > 0) await keyspace.commit(result.rows, result.failureOps)
    batch = []
    size = nextSize()
  }
  for await (const entry of entries) {
    batch.push(entry)
    if (!excluded.has(entryAuthor(entry))) given++
    if (batch.length >= size) await flush()
  }
  if (batch.length > 0) await flush()
  return { keyspace, digest: await viewDigest(keyspace), entries: given, close: async () => { await db.close() } }
}

async function * readyUpTo (book: Logbook, last: number): AsyncGenerator<ReadyEntry> {
  if (last < 1) return
  for await (const entry of readyEntries(book.reader, 1)) {
    if (entry.localSeq > last) return
    yield entry
  }
}

/** Ids of the entries a view is given, in local order. */
async function localOrder (book: Logbook, last: number, excluded: ReadonlySet<string>): Promise<string[]> {
  const ids: string[] = []
  for await (const entry of readyUpTo(book, last)) if (!excluded.has(entryAuthor(entry))) ids.push(entryId(entry))
  return ids
}

const fixed = (size: number) => () => size

/** Batch sizes drawn for one order of a check (order 0: the second rebuild of an unregistered view). */
function drawnSizes (seed: number, order: number, count: number, random = orderRandom(seed, order)): () => number {
  const sizes = randomBatchSizes(count, random, BATCH_ENTRIES)
  let at = 0
  return () => sizes[at++] ?? BATCH_ENTRIES
}

/** What the determinism check leaves for the convergence check: the reference state and its entries. */
interface Reference {
  name: string
  definition: ViewDefinition<any>
  /** The last local seq replayed. */
  last: number
  excluded: Set<string>
  scratch: Scratch
  liveDigest: string | null
  mismatch: CheckMismatch | null
}

/** A registered view: its live keyspace (paused at a checkpoint) against a rebuild up to that checkpoint. */
async function againstLive (book: Logbook, name: string, seed: number): Promise<Reference> {
  const live = book.view(name)
  const definition = live.definition
  await live.ready()
  return await live.whilePaused(async (checkpoint) => {
    const last = checkpoint.applied
    const excluded = new Set(checkpoint.excluded)
    const liveDigest = await viewDigest(live.keyspace)
    const scratch = await scratchBuild(definition, name, readyUpTo(book, last), excluded, fixed(BATCH_ENTRIES))
    let mismatch: CheckMismatch | null = null
    if (scratch.digest !== liveDigest) {
      const order = await localOrder(book, last, excluded)
      mismatch = { check: 'determinism', order: 0, seed, orders: [order, order], digests: [liveDigest, scratch.digest], difference: await firstDifference(live.keyspace, scratch.keyspace) }
    }
    return { name, definition, last, excluded, scratch, liveDigest, mismatch }
  })
}

/** A definition that is not registered: two rebuilds with different batch boundaries must agree. */
async function twoRebuilds (book: Logbook, definition: ViewDefinition<any>, seed: number): Promise<Reference> {
  const name = 'check'
  const last = book.reader.readyCount
  const excluded = new Set(definitionForks(definition) === 'exclude' ? book.reader.forkedAuthors() : [])
  const scratch = await scratchBuild(definition, name, readyUpTo(book, last), excluded, fixed(BATCH_ENTRIES))
  let mismatch: CheckMismatch | null = null
  const again = await scratchBuild(definition, name, readyUpTo(book, last), excluded, drawnSizes(seed, 0, last))
  try {
    if (again.digest !== scratch.digest) {
      const order = await localOrder(book, last, excluded)
      mismatch = { check: 'determinism', order: 0, seed, orders: [order, order], digests: [scratch.digest, again.digest], difference: await firstDifference(scratch.keyspace, again.keyspace) }
    }
  } finally {
    await again.close()
  }
  return { name, definition, last, excluded, scratch, liveDigest: null, mismatch }
}

/** Replays the reference's entries in `orders` random topological orders; the first that differs is reported. */
async function convergence (book: Logbook, reference: Reference, orders: number, seed: number): Promise<CheckMismatch | null> {
  const { definition, name, excluded, scratch } = reference
  const all: ReadyEntry[] = []
  for await (const entry of readyUpTo(book, reference.last)) if (!excluded.has(entryAuthor(entry))) all.push(entry)
  for (let order = 1; order <= orders; order++) {
    const random = orderRandom(seed, order)
    // Renumbered as this order's local sequence (failure records are keyed by it).
    const shuffled = randomTopologicalOrder(all, random).map((entry, i) => ({ ...entry, localSeq: i + 1 }))
    const replay = await scratchBuild(definition, name, shuffled, excluded, drawnSizes(seed, order, shuffled.length, random))
    try {
      if (replay.digest !== scratch.digest) {
        return {
          check: 'convergence',
          order,
          seed,
          orders: [all.map(entryId), shuffled.map(entryId)],
          digests: [scratch.digest, replay.digest],
          difference: await firstDifference(scratch.keyspace, replay.keyspace)
        }
      }
    } finally {
      await replay.close()
    }
  }
  return null
}

export async function checkView (book: Logbook, view: string | ViewDefinition<any>, options: CheckOptions = {}): Promise<ViewCheckReport> {
  const orders = options.orders ?? 0
  if (!Number.isSafeInteger(orders) || orders < 0) throw new LogbookError('INVALID_ARGUMENT', 'orders must be a non-negative integer')
  const seed = options.seed ?? new DataView(randomBytes(4).buffer).getUint32(0)
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new LogbookError('INVALID_ARGUMENT', 'seed must be an integer from 0 to 4294967295')
  const reference = typeof view === 'string' ? await againstLive(book, view, seed) : await twoRebuilds(book, view, seed)
  let mismatch = reference.mismatch
  try {
    if (mismatch === null && orders > 0) mismatch = await convergence(book, reference, orders, seed)
  } finally {
    await reference.scratch.close()
  }
  const deterministic = mismatch?.check !== 'determinism'
  return {
    name: reference.name,
    entries: reference.scratch.entries,
    liveDigest: reference.liveDigest,
    rebuildDigest: reference.scratch.digest,
    deterministic,
    orders,
    seed,
    converges: orders === 0 || !deterministic ? null : mismatch === null,
    ok: mismatch === null,
    mismatch
  }
}
