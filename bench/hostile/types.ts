// What the hostile drill's child processes report, and what the drill and the benchmark keep of a case.

/** What the child preparing a run writes beside the input files (meta.json). */
export interface PreparedMeta {
  n: number
  units: number
  distinct: number
  inputBytes: number
  /** Bytes of what the store holds before the input. */
  beforeBytes: number
  normalBytes: number
  /** For a case whose store is built while preparing (pending-open): that import's time. */
  importSeconds?: number
}

/** One timed run of a hostile case. */
export interface HostileResult {
  case: string
  n: number
  units: number
  distinct: number
  /** Seconds of the timed part. */
  seconds: number
  /** The import of the stranger's bytes (the timed part itself, for most cases). */
  ingestSeconds: number
  ingestBytes: number
  peakRssMB: number
  /** The import summary and the store's state afterwards. */
  counts: Record<string, number>
  notes: string[]
}

/** The normal import of as many bytes, in the same run. */
export interface NormalResult {
  seconds: number
  bytes: number
  entries: number
}

export interface SizeRecord {
  factor: number
  n: number
  status: 'ok' | 'timeout' | 'failed' | 'skipped'
  error?: string
  result?: HostileResult
  normal?: NormalResult
}

export interface HostileCaseReport {
  id: string
  title: string
  unit: string
  per: string
  method: string
  base: number
  sizes: SizeRecord[]
  /** Time per unit at the largest size ÷ at the smallest; null when either did not finish. */
  ratio: number | null
  /** Ingest bytes/s ÷ the normal import's, at the largest size. */
  share: number | null
  ratioPass: boolean
  sharePass: boolean
}

export interface HostileResults {
  factors: number[]
  timeoutSeconds: number
  cases: HostileCaseReport[]
}
