// The replication targets of the project's issue, checked against the medians.
import type { TargetCheck } from '../types.js'
import type { DiffRow, ReplicationResults } from './types.js'

export const REPLICATION_MIN_RATIO_HYPERCORE = 10
export const REPLICATION_MIN_SHARE_OF_IMPORT = 0.5
export const SMALL_DIFF_MAX_BYTES = 8 * 1024
export const SMALL_DIFF_MAX_ROUND_TRIPS = 2

const n0 = (v: number): string => Math.round(v).toLocaleString('en-US')

/** The small-difference target for one kind of peer: every placement of the difference within the limits. */
function smallDiff (rows: DiffRow[], peers: DiffRow['peers'], mode: string): TargetCheck {
  const mine = rows.filter((r) => r.peers === peers && r.difference !== 'none')
  return {
    name: `Small difference, ${peers} peer (\`${mode}\`)`,
    target: `< ${n0(SMALL_DIFF_MAX_BYTES)} B on the wire, ≤ ${SMALL_DIFF_MAX_ROUND_TRIPS} round trips after the handshake`,
    measured: mine.length === 0 ? 'missing' : mine.map((r) => `${r.difference}: ${n0(r.total)} B, ${r.roundTrips} RT`).join('; '),
    pass: mine.length === 0 ? null : mine.every((r) => r.total < SMALL_DIFF_MAX_BYTES && r.roundTrips <= SMALL_DIFF_MAX_ROUND_TRIPS && r.mode === mode)
  }
}

export function replicationTargets (r: ReplicationResults): TargetCheck[] {
  const lb = r.throughput.logbook.median
  const hc = r.throughput.hypercore.median
  const imp = r.throughput.import.median
  const out: TargetCheck[] = []
  out.push({
    name: 'Replication throughput against hypercore',
    target: `logbook ≥ ${REPLICATION_MIN_RATIO_HYPERCORE}× hypercore`,
    measured: lb === null || hc === null ? 'missing' : `${(lb.entriesPerSec / hc.entriesPerSec).toFixed(2)}× (${n0(lb.entriesPerSec)} vs ${n0(hc.entriesPerSec)} entries/s)`,
    pass: lb === null || hc === null ? null : lb.entriesPerSec >= REPLICATION_MIN_RATIO_HYPERCORE * hc.entriesPerSec
  })
  out.push({
    name: 'Replication throughput against import of the same entries',
    target: `≥ ${REPLICATION_MIN_SHARE_OF_IMPORT}× import`,
    measured: lb === null || imp === null ? 'missing' : `${(lb.entriesPerSec / imp.entriesPerSec).toFixed(2)}× (${n0(lb.entriesPerSec)} vs ${n0(imp.entriesPerSec)} entries/s)`,
    pass: lb === null || imp === null ? null : lb.entriesPerSec >= REPLICATION_MIN_SHARE_OF_IMPORT * imp.entriesPerSec
  })
  const runs = r.throughput.logbook.runs
  out.push({
    name: 'Replication is complete (every run)',
    target: `${n0(r.sizes.entries)} entries received`,
    measured: runs.length === 0 ? 'missing' : runs.map((x) => x.ok && x.result !== undefined ? n0(x.result.entries) : 'failed').join(', '),
    pass: runs.length === 0 ? null : runs.every((x) => x.ok && x.result?.entries === r.sizes.entries)
  })
  out.push(smallDiff(r.diff.rows, 'known', 'changes'))
  out.push(smallDiff(r.diff.rows, 'unknown', 'reconciled'))
  const live = r.live.runs
  out.push({
    name: `Live: every append reaches all ${r.sizes.livePeers} peers (every run)`,
    target: `${r.sizes.liveAppends} of ${r.sizes.liveAppends} appends at every peer`,
    measured: live.length === 0 ? 'missing' : live.map((x) => x.ok ? 'all' : 'failed').join(', '),
    pass: live.length === 0 ? null : live.every((x) => x.ok)
  })
  return out
}
