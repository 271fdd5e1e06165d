// The replication section of BENCHMARKS.md, and how it is merged into a file the other cases wrote.
import { mergeSection } from '../sections.js'
import type { SystemCase } from '../types.js'
import { SMALL_DIFF_MAX_BYTES } from './targets.js'
import type { ReplicationResults } from './types.js'

export const REPLICATION_HEADING = '## Replication'

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US')
const ms = (v: number): string => v.toFixed(1)

function rate (c: SystemCase, pick: 'all' | 'work'): string {
  const ok = c.runs.filter((r) => r.ok && r.result !== undefined).map((r) => r.result!)
  if (ok.length === 0) return c.runs.length > 0 ? 'failed' : '—'
  if (pick === 'all') return n0(c.median?.entriesPerSec ?? NaN)
  const work = ok.map((r) => r.entries / Number(r.extra.workSeconds)).sort((a, b) => a - b)
  const m = work.length >> 1
  return n0(work.length % 2 === 1 ? work[m] : (work[m - 1] + work[m]) / 2)
}

export function renderReplication (r: ReplicationResults, env: { date: string }): string[] {
  const s = r.sizes
  const t = r.throughput
  const L: string[] = []
  L.push(REPLICATION_HEADING)
  L.push('')
  L.push(`Written by \`npm run bench -- --only replication\` (or a whole run) on ${env.date}; ${r.runs} run(s) per case, medians.` +
    ' The machine is shared with other work: expect 10–40% spread between runs.')
  L.push('')
  L.push('Method:')
  L.push('')
  L.push(`- **Throughput**: per run, a fresh sending process appends ${n0(s.entries)} payloads of 100 random bytes in batches of ${n0(s.batch)} (not timed), closes and reopens its store, then listens on loopback TCP; a fresh receiving process with an empty store connects and replicates everything. Timed in the receiver: from just before the connect to logbook's \`stream.session.synced\` (hypercore: \`core.contiguousLength\` reaching ${n0(s.entries)} after \`core.download({ start: 0, end: -1 })\`), plus the close of the receiving store, as every other case counts the close. logbook: \`book.replicate(true, { stream: socket })\` against \`replicate(false, { stream: socket })\`; hypercore: \`core.replicate(isInitiator)\` piped to the socket. Both on disk (\`Logbook.create({ dir })\`, \`new Hypercore(dir)\`) under \`os.tmpdir()\`. The sender also exports its store (binary \`book.export()\`) to a file; in the same run a fresh process imports that file into a fresh store (\`book.import(fs.createReadStream(file))\`, timed with its close): the import the replication is compared with. Import and replication alternate which goes first, and so do logbook and hypercore.`)
  L.push(`- **Small differences**: one process; stores on disk, paired over loopback TCP. ${n0(s.feeds)} feeds (one identity each) of ${s.perFeed} JSON entries; every store imports them. A known pair syncs once (not reported), then again with no difference (the handshake and \`done\` messages: the handshake cost), then after ${s.changed} new entries (one on each of ${s.changed} feeds) on one side. Unknown pairs are fresh stores with the same feeds that never met: one pair syncs with no difference (handshake plus bucket fingerprints of every feed tip), others with the ${s.changed} new entries on one side. The new entries sit once on the connecting side (initiator) and once on the accepting side (responder). Bytes are \`stats.wireBytes.sent\` of each side (Noise framing included; the receiving side's \`received\` is a few bytes lower, it stops counting at its own end), round trips \`stats.roundTrips\`, the larger of the two sides.`)
  L.push(`- **Live**: one process (in-process peers: twenty-one Node processes on a two-core machine would measure the scheduler more than replication), a hub store and ${s.livePeers} peer stores on disk, each peer on its own loopback TCP connection to the hub with \`live: true\`. Once all are synced, the hub appends ${s.liveAppends} entries of 100 bytes, one at a time; for each, the time from just before \`hub.append\` to each peer's \`'ready'\` event with the new count. The next append waits until every peer has the last.`)
  L.push('')
  L.push(`### Throughput: ${n0(s.entries)} entries between two processes (medians)`)
  L.push('')
  L.push('| | entries/s, with the close | entries/s, without the close (to synced; import: until it resolved) | peak RSS MB | disk B/entry |')
  L.push('|---|---:|---:|---:|---:|')
  const row = (name: string, c: SystemCase): string => c.median === null
    ? `| ${name} | ${rate(c, 'all')} | | | |`
    : `| ${name} | ${rate(c, 'all')} | ${rate(c, 'work')} | ${c.median.peakRssMB.toFixed(0)} | ${c.median.diskBytesPerEntry?.toFixed(1) ?? '—'} |`
  L.push(row('logbook replication', t.logbook))
  L.push(row('hypercore replication', t.hypercore))
  L.push(row('logbook import of the same entries', t.import))
  for (const e of t.sourceErrors) L.push('', `Sending side failed: ${e}`)
  L.push('')
  L.push(`### Small differences: ${n0(s.feeds)} feeds, ${s.changed} new entries (medians)`)
  L.push('')
  L.push('| Peers | New entries | Mode | initiator → responder B | responder → initiator B | total B | round trips | entries sent (initiator / responder) | sync ms |')
  L.push('|---|---|---|---:|---:|---:|---:|---:|---:|')
  for (const d of r.diff.rows) {
    L.push(`| ${d.peers} | ${d.difference} | ${d.mode} | ${n0(d.initiatorToResponder)} | ${n0(d.responderToInitiator)} | ${d.total >= SMALL_DIFF_MAX_BYTES ? `**${n0(d.total)}**` : n0(d.total)} | ${d.roundTrips} | ${d.entriesSent.byInitiator} / ${d.entriesSent.byResponder} | ${n0(d.syncMs)} |`)
  }
  for (const f of r.diff.runs.filter((x) => !x.ok)) L.push('', `Run ${f.run} failed: \`${(f.error ?? '').split('\n')[0]}\``)
  L.push('')
  L.push(`### Live: ${s.livePeers} peers of one hub, ${s.liveAppends} appends (medians of runs)`)
  L.push('')
  const v = r.live.summary
  L.push('| append → last peer, median | append → last peer, worst | worst of all runs | append → first peer, median | append → a peer, median |')
  L.push('|---:|---:|---:|---:|---:|')
  L.push(v === null ? '| failed | | | | |' : `| ${ms(v.medianLastMs)} ms | ${ms(v.worstLastMs)} ms | ${ms(v.worstOfAllMs)} ms | ${ms(v.medianFirstMs)} ms | ${ms(v.medianEachMs)} ms |`)
  for (const f of r.live.runs.filter((x) => !x.ok)) L.push('', `Run ${f.run} failed: \`${(f.error ?? '').split('\n')[0]}\``)
  L.push('')
  L.push('### Replication targets')
  L.push('')
  L.push('| Target | Goal | Measured (median) | Result |')
  L.push('|---|---|---|---|')
  for (const x of r.targets) L.push(`| ${x.name} | ${x.target} | ${x.measured} | ${x.pass === null ? 'n/a' : x.pass ? '**pass**' : '**FAIL**'} |`)
  L.push('')
  L.push('### Replication raw runs')
  L.push('')
  L.push('| What | Run | Entries | Seconds with close | to synced | close | Peak RSS MB |')
  L.push('|---|---:|---:|---:|---:|---:|---:|')
  for (const [name, c] of [['logbook replication', t.logbook], ['hypercore replication', t.hypercore], ['logbook import', t.import]] as const) {
    for (const run of c.runs) {
      const x = run.result
      L.push(run.ok && x !== undefined
        ? `| ${name} | ${run.run} | ${n0(x.entries)} | ${x.seconds.toFixed(3)} | ${Number(x.extra.workSeconds).toFixed(3)} | ${Number(x.extra.closeSeconds).toFixed(3)} | ${x.peakRssMB.toFixed(0)} |`
        : `| ${name} | ${run.run} | | | | | failed: ${(run.error ?? '').split('\n')[0].replace(/\|/g, '\\|').slice(0, 160)} |`)
    }
  }
  L.push('')
  return L
}

/** `doc` with its replication section replaced by `section` (put before the chart when it has none). */
export function mergeReplication (doc: string, section: string): string {
  return mergeSection(doc, REPLICATION_HEADING, section)
}
