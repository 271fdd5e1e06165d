// Shape of the replication part of bench/out/results.json.
import type { ReplicationStats } from '../../src/index.js'
import type { RunRecord, SystemCase, TargetCheck } from '../types.js'

export interface ReplicationSizes {
  /** Entries replicated between two processes, appended in batches of `batch`. */
  entries: number
  batch: number
  /** Feeds both peers hold for the small difference, `perFeed` entries each; `changed` new entries on as many feeds. */
  feeds: number
  perFeed: number
  changed: number
  livePeers: number
  liveAppends: number
}

/** One sync of the small-difference case, as the child reports it. */
export interface DiffSync {
  peers: 'known' | 'unknown'
  difference: 'none' | 'on initiator' | 'on responder'
  entriesAfter: [number, number]
  initiator: ReplicationStats
  responder: ReplicationStats
}

export interface DiffResult {
  feeds: number
  perFeed: number
  changed: number
  baseBytes: number
  deltaBytes: number
  peakRssMB: number
  syncs: DiffSync[]
}

export interface LiveResult {
  peers: number
  appends: number
  /** Per append: ms from just before it to the last peer holding it, to the first, and to each peer. */
  lastMs: number[]
  firstMs: number[]
  eachMs: number[]
  peakRssMB: number
}

export interface ChildRun<T> {
  run: number
  ok: boolean
  error?: string
  result?: T
}

/** Medians over the runs of one row of the small-difference table. */
export interface DiffRow {
  peers: DiffSync['peers']
  difference: DiffSync['difference']
  mode: string
  /** Bytes on the wire each way, as the sending side counted them (Noise framing included). */
  initiatorToResponder: number
  responderToInitiator: number
  total: number
  /** The larger of the two sides' counts. */
  roundTrips: number
  entriesSent: { byInitiator: number, byResponder: number }
  syncMs: number
}

export interface LiveSummary {
  /** Over the runs: the median of each run's median, and of each run's worst, time to the last peer. */
  medianLastMs: number
  worstLastMs: number
  /** The worst single append of all runs. */
  worstOfAllMs: number
  medianFirstMs: number
  medianEachMs: number
}

export interface ReplicationResults {
  sizes: ReplicationSizes
  runs: number
  throughput: {
    logbook: SystemCase
    hypercore: SystemCase
    /** logbook's import of an export of the same entries, in the same runs. */
    import: SystemCase
    /** What went wrong on a sending side (its own process), if anything. */
    sourceErrors: string[]
  }
  diff: { runs: Array<ChildRun<DiffResult>>, rows: DiffRow[] }
  live: { runs: Array<ChildRun<LiveResult>>, summary: LiveSummary | null }
  targets: TargetCheck[]
}

export type { RunRecord }
