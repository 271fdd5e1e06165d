// One view convergence suite for every database backend: the built-in views (kv, index, count, sum,
// reduce; the command's defaults among them) reach the same state on every store that holds the same
// entries, whatever order and splits they arrived in, whether the views saw them arrive or were registered
// afterwards, with kv conflicts, deletions, entries a view refuses, and a forked author under both fork
// policies. Compared by view digest and by what the views' APIs answer. Nothing here imports from Node.
import type { Logbook } from '../../src/logbook.js'
import { useDefaultViews } from '../../src/views/defaults.js'
import { kvView, type KvApi } from '../../src/views/builtin/kv.js'
import { countView, reduceView, sumView, type ReduceApi } from '../../src/views/builtin/reduce.js'
import type { IndexApi } from '../../src/views/builtin/index-view.js'
import type { ViewEntry } from '../../src/views/types.js'
import { concatBytes, identity } from './fixtures.js'
import { check, exportOf, fail, framesOf, importClean, same, scopedCases, shuffled, type BookScope, type StoreBackend, type StoreCase } from './store-conformance.js'

const FORKER = identity(7)

/** The JSON object payload of an entry, or undefined. */
function fields (entry: ViewEntry): Record<string, unknown> | undefined {
  const payload = entry.payload
  return entry.kind === 'json' && typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload as Record<string, unknown> : undefined
}

const amountOf = (entry: ViewEntry): number | undefined => {
  const amount = fields(entry)?.amount
  return typeof amount === 'number' ? amount : undefined
}

/** Every built-in view, under names of its own: 'kv' and 'types' are the command's defaults. */
function useBuiltins (book: Logbook): void {
  useDefaultViews(book)
  book.use('kv-trusted', kvView({ forks: 'exclude' }))
  book.use('count-by-type', countView({ group: (entry) => { const type = fields(entry)?.type; return typeof type === 'string' ? type : undefined } }))
  book.use('sum-by-author', sumView('amount', { group: (entry) => entry.author }))
  book.use('max-trusted', reduceView<number>({ forks: 'exclude', map: amountOf, reduce: (a, b) => Math.max(a, b), initial: 0 }))
}

const VIEWS = ['kv', 'types', 'kv-trusted', 'count-by-type', 'sum-by-author', 'max-trusted']

/** Each view's digest once it has caught up; its determinism check (a rebuild) must pass too. */
async function digests (book: Logbook): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const name of VIEWS) {
    const report = await book.checkView(name)
    check(report.ok, `view ${name} is not deterministic: ${JSON.stringify(report.mismatch?.difference)}`)
    out[name] = report.liveDigest ?? fail(`view ${name} has no live digest`)
  }
  return out
}

/** What the views' APIs answer, without what is local to a store (the kv `forked` flag is, by design). */
async function answers (book: Logbook): Promise<unknown> {
  const kvList = async (name: string): Promise<unknown> => (await book.view<KvApi>(name).api.list()).map((result) =>
    [result.key, result.conflict, result.values.map((value) => [value.id, value.author, value.seq, value.value, value.deleted])])
  const types = book.view<IndexApi>('types').api
  return {
    kv: await kvList('kv'),
    trusted: await kvList('kv-trusted'),
    types: await types.values(),
    notes: await types.ids('note'),
    counts: await book.view<ReduceApi<number>>('count-by-type').api.groups(),
    sums: await book.view<ReduceApi<bigint>>('sum-by-author').api.groups(),
    max: await book.view<ReduceApi<number>>('max-trusted').api.get()
  }
}

interface Written {
  /** Every entry, as frames of one export (one segment each but the batch). */
  frames: Uint8Array[]
  /** The author of each frame's segment (hex), in frame order. */
  segmentAuthors: string[]
  /** The frames that do not involve the forked author. */
  honest: Uint8Array[]
  ids: Record<string, string>
}

/**
 * Three authors and a forked one writing kv entries, typed and counted entries, and one malformed kv entry:
 * concurrent writes of 'title' resolved by a later write that links to both, concurrent writes of 'color'
 * left in conflict, a key written then deleted, and the forked author writing 'owner' on two devices.
 */
async function writeEntries (scope: BookScope): Promise<Written> {
  const [a, b, c] = [await scope.book(identity(80)), await scope.book(identity(81)), await scope.book(identity(82))]
  const ids: Record<string, string> = {}
  ids.titleA = await a.append({ type: 'kv', key: 'title', value: 'from a' })
  ids.titleB = await b.append({ type: 'kv', key: 'title', value: 'from b' })
  ids.colorA = await a.append({ type: 'kv', key: 'color', value: 'red' })
  ids.colorB = await b.append({ type: 'kv', key: 'color', value: 'blue' })
  ids.gone = await a.append({ type: 'kv', key: 'gone', value: 1 })
  ids.deleted = await a.append({ type: 'kv', key: 'gone', value: null }, { links: [ids.gone] })
  ids.malformed = await b.append({ type: 'kv', value: 'no key' })
  for (let i = 0; i < 12; i++) {
    const writer = [a, b, c][i % 3]
    await writer.append({ type: i % 2 === 0 ? 'note' : 'task', amount: i * 10 + 1, text: `item ${i}` }, { timestamp: 1_700_000_000_000 + i })
  }
  await c.append(Array.from({ length: 30 }, (_, i) => ({ type: 'bulk', amount: i })))
  await importClean(c, concatBytes([await exportOf(a), await exportOf(b)]))
  ids.titleC = await c.append({ type: 'kv', key: 'title', value: 'from c' }, { links: [ids.titleA, ids.titleB] })
  const honest = await scope.book(identity(83))
  for (const writer of [a, b, c]) await importClean(honest, await exportOf(writer))

  const [device1, device2] = [await scope.book(FORKER), await scope.book(FORKER)]
  ids.owner1 = (await device1.append([{ type: 'kv', key: 'owner', value: 'device 1' }, { type: 'note', amount: 1000 }]))[0]
  ids.owner2 = await device2.append({ type: 'kv', key: 'owner', value: 'device 2' })
  const all = await scope.book(identity(84))
  await importClean(all, concatBytes([await exportOf(honest), await exportOf(device1), await exportOf(device2)]))
  same(all.status().forks.length, 1, 'the forked author is known as forked')
  const lines = new TextDecoder().decode(await exportOf(all, { format: 'json' })).trim().split('\n')
  const segmentAuthors = lines.map((line) => (JSON.parse(line) as { author: string }).author)
  const frames = framesOf(await exportOf(all))
  same(frames.length, segmentAuthors.length, 'segments in the binary and the JSON export')
  return { frames, segmentAuthors, honest: framesOf(await exportOf(honest)), ids }
}

/** A store that gets `imports` (each a list of frames, imported as one stream), its views registered before or after. */
async function storeFed (scope: BookScope, imports: Uint8Array[][], viewsFirst: boolean): Promise<Logbook> {
  const book = await scope.book(identity(90))
  if (viewsFirst) useBuiltins(book)
  for (const part of imports) {
    await importClean(book, concatBytes(part))
    // Views catch up between imports, so they see the entries in this store's arrival order.
    if (viewsFirst) for (const name of VIEWS) await book.view(name).ready()
  }
  if (!viewsFirst) useBuiltins(book)
  return book
}

async function checksPass (scope: BookScope): Promise<void> {
  const { frames } = await writeEntries(scope)
  const book = await storeFed(scope, [frames], true)
  for (const name of VIEWS) {
    const report = await book.checkView(name, { orders: 6, seed: 11 })
    check(report.ok, `view ${name} fails its check (seed 11): ${JSON.stringify(report.mismatch?.difference)}`)
    same([report.deterministic, report.converges], [true, true], `view ${name}: deterministic, converges`)
  }
}

async function ordersGiveSameDigests (scope: BookScope): Promise<void> {
  const { frames } = await writeEntries(scope)
  const reference = await storeFed(scope, [frames], true)
  const expected = { digests: await digests(reference), answers: await answers(reference) }
  const feeds: Array<[string, Uint8Array[][], boolean]> = [
    ['one frame at a time, reversed, views live', frames.slice().reverse().map((frame) => [frame]), true],
    ['shuffled, in three imports, views live', [0, 1, 2].map((part) => shuffled(frames, 5).filter((_, i) => i % 3 === part)), true],
    ['shuffled with every frame twice, views registered afterwards', [shuffled([...frames, ...frames], 6)], false],
    ['one frame at a time, shuffled, views registered afterwards', shuffled(frames, 7).map((frame) => [frame]), false]
  ]
  for (const [what, imports, viewsFirst] of feeds) {
    const book = await storeFed(scope, imports, viewsFirst)
    same({ digests: await digests(book), answers: await answers(book) }, expected, `views of a store fed ${what}`)
  }
}

async function forkExcluded (scope: BookScope): Promise<void> {
  const { frames, segmentAuthors, honest, ids } = await writeEntries(scope)
  // Which frames are the forked author's: the JSON export names each segment's author, in the same order.
  const forker = segmentAuthors.map((author) => author === FORKER.author)
  const forkFrames = frames.filter((_, i) => forker[i])
  const others = frames.filter((_, i) => !forker[i])
  same(forkFrames.length, 2, 'the forked author\'s frames: one per branch')
  // The proof arrives first, in the middle, or last, while the views are live.
  const stores = [
    await storeFed(scope, [forkFrames, others], true),
    await storeFed(scope, [[forkFrames[1]], others.slice(0, 10), [forkFrames[0]], others.slice(10)], true),
    await storeFed(scope, [others, [forkFrames[0]], [forkFrames[1]]], true)
  ]
  // Under `forks: exclude`, a forked author is as if it had never written.
  const withoutForker = await storeFed(scope, [honest], true)
  const trusted = ['kv-trusted', 'max-trusted']
  const expected = await digests(withoutForker)
  for (const [i, book] of stores.entries()) {
    same(book.status().forks.map((fork) => fork.author), [FORKER.author], `store ${i} knows the fork`)
    const got = await digests(book)
    same(trusted.map((name) => got[name]), trusted.map((name) => expected[name]), `store ${i}: excluding views as if the forked author never wrote`)
    same(got, await digests(stores[0]), `store ${i}: every view the same as on store 0`)
    const owner = await book.view<KvApi>('kv').api.get('owner') ?? fail('owner is missing from kv')
    same([owner.conflict, owner.values.map((value) => [value.id, value.forked])], [true, [[ids.owner1, true], [ids.owner2, true]].sort()], `store ${i}: both branches' owner, marked forked`)
    same(await book.view<KvApi>('kv-trusted').api.get('owner'), undefined, `store ${i}: owner under forks: exclude`)
    same(await book.view<ReduceApi<number>>('max-trusted').api.get(), 111, `store ${i}: the largest amount of the trusted authors`)
  }
}

async function kvConflicts (scope: BookScope): Promise<void> {
  const { frames, ids } = await writeEntries(scope)
  const stores = [
    await storeFed(scope, [frames], true),
    await storeFed(scope, frames.slice().reverse().map((frame) => [frame]), true),
    await storeFed(scope, [shuffled(frames, 8)], false)
  ]
  const digestsOf0 = await digests(stores[0])
  for (const [i, book] of stores.entries()) {
    const kv = book.view<KvApi>('kv').api
    const color = await kv.get('color') ?? fail('color is missing')
    same([color.conflict, color.values.map((value) => [value.id, value.value])], [true, [[ids.colorA, 'red'], [ids.colorB, 'blue']].sort()], `store ${i}: concurrent writes of color conflict`)
    const title = await kv.get('title') ?? fail('title is missing')
    same([title.conflict, title.values.map((value) => [value.id, value.value])], [false, [[ids.titleC, 'from c']]], `store ${i}: a write linking to both resolves title`)
    same(await kv.get('gone'), undefined, `store ${i}: a deleted key`)
    same((await kv.list()).map((result) => result.key), ['color', 'owner', 'title'], `store ${i}: keys listed`)
    const status = (await book.viewStatuses()).find((view) => view.name === 'kv') ?? fail('kv has no status')
    same([status.failures, status.firstFailures.map((failure) => failure.id)], [1, [ids.malformed]], `store ${i}: the malformed kv entry is the one failure`)
    same(await digests(book), digestsOf0, `store ${i}: the same digests as store 0`)
  }
}

export function viewConvergenceCases (backend: StoreBackend): StoreCase[] {
  return scopedCases(backend, 'views', [
    ['every built-in view passes its determinism and convergence checks', checksPass],
    ['the same entries in any order or split give the same view digests and answers', ordersGiveSameDigests],
    ['a fork under forks: exclude leaves the views as if the forked author never wrote, whichever branch came first', forkExcluded],
    ['kv conflicts, resolutions and deletions are the same on every store', kvConflicts]
  ])
}
