// The browser section of BENCHMARKS.md: the same import and replication in Chromium and in Node, the
// machine and versions they ran on, and an estimate of where the page's time goes.
import { median } from '../measure.js'
import { mergeSection } from '../sections.js'
import type { Environment } from '../types.js'
import type { BrowserResults, BrowserRun, BrowserTiming, ImportTarget, ReplicationTarget } from './types.js'

export const BROWSER_HEADING = '## Browser'

const n0 = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—'
const x2 = (v: number): string => Number.isFinite(v) ? `${v.toFixed(2)}×` : '—'
const pct = (v: number): string => Number.isFinite(v) ? `${Math.round(v * 100)}%` : '—'
const s3 = (v: number): string => Number.isFinite(v) ? v.toFixed(3) : '—'

const IMPORT_NAMES: Record<ImportTarget, string> = {
  'page-indexeddb': 'page, IndexedDB (`Logbook.create({ dir })`)',
  'page-memory': 'page, memory-level (`Logbook.create({ db })`)',
  'node-classic': 'Node, classic-level (temp dir)',
  'node-memory': 'Node, memory-level'
}

const REPLICATION_NAMES: Record<ReplicationTarget, string> = {
  'page-indexeddb': 'page, IndexedDB, page `connectWebSocket`',
  'page-memory': 'page, memory-level, page `connectWebSocket`',
  'node-ws': 'Node, classic-level, Node `connectWebSocket`',
  'node-tcp': 'Node, classic-level, `connectTcp`',
  'page-indexeddb-once': 'one sync, not live: page, IndexedDB, page `connectWebSocket`',
  'node-ws-once': 'one sync, not live: Node, classic-level, Node `connectWebSocket`'
}

const REPLICATION_SHORT: Record<ReplicationTarget, string> = {
  'page-indexeddb': 'page IndexedDB',
  'page-memory': 'page memory-level',
  'node-ws': 'Node over ws',
  'node-tcp': 'Node over tcp',
  'page-indexeddb-once': 'page IndexedDB, one sync',
  'node-ws-once': 'Node over ws, one sync'
}

/** What each page figure is compared with: the same store kind in Node, or Node's fastest path. */
const IMPORT_VERSUS: Partial<Record<ImportTarget, ImportTarget>> = { 'page-indexeddb': 'node-classic', 'page-memory': 'node-memory' }
const REPLICATION_VERSUS: Partial<Record<ReplicationTarget, ReplicationTarget[]>> = { 'page-indexeddb': ['node-ws', 'node-tcp'], 'page-memory': ['node-ws', 'node-tcp'], 'page-indexeddb-once': ['node-ws-once'] }

type Pick = (t: BrowserTiming) => number
const work: Pick = (t) => t.workSeconds
const withClose: Pick = (t) => t.workSeconds + t.closeSeconds

function timings (runs: BrowserRun[]): BrowserTiming[] {
  return runs.filter((r) => r.ok && r.result !== undefined).map((r) => r.result as BrowserTiming)
}

/** Median entries/s over the runs that succeeded, with seconds taken by `pick`. */
export function medianRate (runs: BrowserRun[], pick: Pick): number {
  return median(timings(runs).map((t) => t.entries / pick(t)))
}

function medianSeconds (runs: BrowserRun[], pick: Pick): number {
  return median(timings(runs).map(pick))
}

function okNote (runs: BrowserRun[]): string {
  const ok = timings(runs).length
  return ok === runs.length ? '' : ` (${ok}/${runs.length} ok)`
}

export function renderBrowser (r: BrowserResults, env: Environment): string[] {
  const n = r.sizes.entries
  const imp = r.import
  const rep = r.replication
  const L: string[] = []
  L.push(BROWSER_HEADING)
  L.push('')
  L.push(`Written by \`npm run bench -- --only browser\` (or a whole run) on ${env.date}; ${r.runs} run(s) of each, medians. The machine is shared with other work: expect 10–40% spread between runs.`)
  L.push('')
  L.push('| | |')
  L.push('|---|---|')
  L.push(`| CPU | ${env.cpuModel}, ${env.cores} cores, ${env.ramGB.toFixed(1)} GiB RAM |`)
  L.push(`| OS | ${env.os} |`)
  L.push(`| Chromium | ${r.chromium ?? 'unknown'} (headless; user agent \`${r.userAgent ?? '?'}\`) |`)
  L.push(`| Node | ${env.node} |`)
  for (const [k, v] of Object.entries(r.versions)) L.push(`| ${k} | ${v} |`)
  L.push('')
  L.push('Method:')
  L.push('')
  L.push(`- Every measurement is a fresh process: a fresh headless Chromium (playwright-core, \`--no-sandbox\`) with its own profile on disk under \`os.tmpdir()\` (a context without a profile would keep IndexedDB in memory), or a fresh Node child. The page code is \`bench/browser/page.ts\` with the library's browser entry and memory-level, bundled by esbuild for browsers (as the browser tests bundle theirs); the page, its script and the export come from the benchmark's own HTTP server on loopback (\`http://127.0.0.1:PORT\`, the origin the Node peer allows). In each run the targets alternate which goes first.`)
  L.push(`- **Import**: setup (not timed): two stores of one space with different authors append ${n0(n / 2)} payloads of 100 random bytes each in batches of ${n0(r.sizes.batch)}, are exported (binary \`book.export()\`) and the exports concatenated (${n0(r.exportBytes ?? NaN)} bytes), as the import case above makes its file. Each target gets those bytes in memory before the clock starts (the page fetches them from the benchmark) and creates a fresh store of the space; timed: \`book.import(bytes)\` with the bytes as one Uint8Array (every signature verified), then the close. Page stores: IndexedDB (\`Logbook.create({ dir: NAME })\`, browser-level with a batch's requests made at once, written through: each batch one IndexedDB transaction) and memory-level in the page (\`Logbook.create({ db: new MemoryLevel(…), spaceKey })\`), the same work without IndexedDB. Node stores: classic-level in a temp directory (journal, then LevelDB behind it; the close waits for that) and memory-level.`)
  L.push(`- **Replication**: per measurement, a fresh Node process appends ${n0(n)} payloads of 100 random bytes in batches of ${n0(r.sizes.batch)} (not timed), closes and reopens its store and serves it with the library's \`listen(book, { live: true })\` on loopback, as \`logbook serve\` does by default (raw TCP and WebSocket on one port; the page's origin allowed). The receiving side creates an empty store of the space and connects with \`live: true\`; once \`stream.session.synced\` has resolved (everything the peer held is stored) it calls \`session.end()\`. Timed: from just before the connect to \`stream.session.done\` (\`synced\` noted), then the close. The rows \"one sync, not live\" connect with \`live: false\` instead: the peer then ends its side as soon as it has sent everything and heard the receiver's \`done\`, while a page whose store is slower than the wire is still storing (the WebSocket's empty end-of-stream frame keeps the connection open until both sides have ended: docs/TRANSPORTS.md). The page connects with the browser entry's \`connectWebSocket(book, 'ws://127.0.0.1:PORT')\` over its own WebSocket; Node with \`connectWebSocket\` (the ws package) and with \`connectTcp\`, into classic-level in a temp directory.`)
  L.push('')
  L.push(`### Verified import of ${n0(n)} entries (medians)`)
  L.push('')
  L.push('| Store | entries/s, with the close | entries/s, until import resolved | close s | page / Node, with the close | page / Node, until resolved |')
  L.push('|---|---:|---:|---:|---:|---:|')
  for (const [target, name] of Object.entries(IMPORT_NAMES) as Array<[ImportTarget, string]>) {
    const runs = imp[target]
    const versus = IMPORT_VERSUS[target]
    const ratio = (pick: Pick): string => versus === undefined ? '' : `${x2(medianRate(runs, pick) / medianRate(imp[versus], pick))} of ${IMPORT_NAMES[versus].split(' (')[0]}`
    L.push(`| ${name}${okNote(runs)} | ${n0(medianRate(runs, withClose))} | ${n0(medianRate(runs, work))} | ${s3(medianSeconds(runs, (t) => t.closeSeconds))} | ${ratio(withClose)} | ${ratio(work)} |`)
  }
  L.push('')
  L.push(`### Replication of ${n0(n)} entries from a Node peer (medians)`)
  L.push('')
  L.push('| Receiver | entries/s, connect → done | entries/s, with the close | connect → synced s | close s | page / Node, connect → done |')
  L.push('|---|---:|---:|---:|---:|---|')
  for (const [target, name] of Object.entries(REPLICATION_NAMES) as Array<[ReplicationTarget, string]>) {
    const runs = rep[target]
    const versus = REPLICATION_VERSUS[target] ?? []
    const ratio = versus.map((v) => `${x2(medianRate(runs, work) / medianRate(rep[v], work))} of ${REPLICATION_SHORT[v]}`).join(', ')
    L.push(`| ${name}${okNote(runs)} | ${n0(medianRate(runs, work))} | ${n0(medianRate(runs, withClose))} | ${s3(medianSeconds(runs, (t) => t.syncedSeconds ?? NaN))} | ${s3(medianSeconds(runs, (t) => t.closeSeconds))} | ${ratio} |`)
  }
  L.push(...failures(r))
  L.push('')
  L.push(...whereTimeGoes(r))
  L.push('')
  L.push('### Browser raw runs')
  L.push('')
  L.push('| What | Store | Run | Entries | import / to done s | to synced s | close s | entries/s, with the close |')
  L.push('|---|---|---:|---:|---:|---:|---:|---:|')
  const raw = (what: string, name: string, runs: BrowserRun[]): void => {
    for (const run of runs) {
      const t = run.result
      L.push(run.ok && t !== undefined
        ? `| ${what} | ${name} | ${run.run} | ${n0(t.entries)} | ${t.workSeconds.toFixed(3)} | ${t.syncedSeconds?.toFixed(3) ?? '—'} | ${t.closeSeconds.toFixed(3)} | ${n0(t.entries / withClose(t))} |`
        : `| ${what} | ${name} | ${run.run} | | | | | failed: ${(run.error ?? '').split('\n')[0].replace(/\|/g, '\\|').slice(0, 160)} |`)
    }
  }
  for (const [target, name] of Object.entries(IMPORT_NAMES) as Array<[ImportTarget, string]>) raw('import', name.split(' (')[0], imp[target])
  for (const [target, name] of Object.entries(REPLICATION_NAMES) as Array<[ReplicationTarget, string]>) raw('replication', name, rep[target])
  L.push('')
  return L
}

/** Failed runs, one line each; with why one sync into a page's IndexedDB fails, when it did. */
function failures (r: BrowserResults): string[] {
  const lines: string[] = []
  for (const [what, targets] of [['import', r.import], ['replication', r.replication]] as const) {
    for (const [target, runs] of Object.entries(targets) as Array<[string, BrowserRun[]]>) {
      for (const run of runs.filter((x) => !x.ok)) lines.push(`- ${what} ${target}, run ${run.run}: \`${(run.error ?? '').split('\n')[0].slice(0, 200)}\``)
    }
  }
  if (lines.length === 0) return []
  const out = ['', 'Failed runs:', '', ...lines]
  if (r.replication['page-indexeddb-once'].some((x) => !x.ok)) {
    out.push('', 'Why one sync into a page\'s IndexedDB fails: the Node peer ends the session once it has sent everything and has the page\'s `done`, which comes while the page is still storing what it received (IndexedDB is slower than the wire). A browser\'s WebSocket cannot stop reading, so the close arrives at once, and the page\'s session fails: `the WebSocket is closed` when it next writes, or `Stream was destroyed` when its stream is torn down with messages unread (seen with 2,000 entries). In Node the socket is paused while the store catches up, so the close is read only after the data before it. Live sessions that the page ends itself once synced (the rows above) do not meet this.')
  }
  return out
}

/** The estimate of where a page's time goes: IndexedDB against the same work on memory-level in the page. */
function whereTimeGoes (r: BrowserResults): string[] {
  const imp = r.import
  const rep = r.replication
  const idb = medianSeconds(imp['page-indexeddb'], withClose)
  const mem = medianSeconds(imp['page-memory'], withClose)
  const nodeMem = medianSeconds(imp['node-memory'], withClose)
  const repIdb = medianSeconds(rep['page-indexeddb'], work)
  const repMem = medianSeconds(rep['page-memory'], work)
  const importShare = (idb - mem) / idb
  const replicationShare = (repIdb - repMem) / repIdb
  return [
    'Where the page\'s time goes (estimates from the medians above, not a profile):',
    '',
    `- **IndexedDB**: the same import into memory-level in the page takes ${mem.toFixed(2)} s against ${idb.toFixed(2)} s into IndexedDB, so about ${pct(importShare)} of the page's import is spent in IndexedDB (the store's writes and reads through browser-level). For the replication, ${repMem.toFixed(2)} s into memory-level against ${repIdb.toFixed(2)} s into IndexedDB: about ${pct(replicationShare)}.`,
    `- **The rest** (decoding, hashing, verifying each segment's signature with libsodium's WASM build, indexing, and the store's own reads, on memory-level in both): ${mem.toFixed(2)} s in the page against ${nodeMem.toFixed(2)} s in Node, ${x2(nodeMem / mem)} Node's speed${nodeMem / mem >= 0.8 ? ': the library\'s own work costs about as much in a page as in Node, and what a page loses is IndexedDB' : ': the same JavaScript with WASM crypto and the `buffer` package in place of Node\'s native bindings'}.`,
    ...(nodeMem > medianSeconds(imp['node-classic'], withClose)
      ? ['- memory-level is a stand-in for "no IndexedDB", not a floor: in Node it is slower than classic-level, which acknowledges a batch once it is in the journal and applies it to LevelDB behind (the close waits for that), where memory-level is written through, batch by batch, into a sorted tree in the heap.']
      : [])
  ]
}

/** `doc` with its browser section replaced by `section` (put before the chart when it has none). */
export function mergeBrowser (doc: string, section: string): string {
  return mergeSection(doc, BROWSER_HEADING, section)
}
