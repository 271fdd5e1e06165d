// Shape of bench/out/results.json.
import type { CaseResult } from './measure.js'
import type { HostileResults } from './hostile/types.js'
import type { ReplicationResults } from './replication/types.js'
import type { BrowserResults } from './browser/types.js'

export type System = 'logbook' | 'hypercore'
export const SYSTEMS: System[] = ['logbook', 'hypercore']

export type CaseId = 'batched' | 'single' | 'disk-batched' | 'import' | 'view-rebuild' | 'cli-lines'

export interface RunRecord {
  run: number
  ok: boolean
  error?: string
  result?: CaseResult
}

export interface Medians {
  entriesPerSec: number
  seconds: number
  peakRssMB: number
  diskBytesPerEntry: number | null
  okRuns: number
}

export interface SystemCase {
  runs: RunRecord[]
  median: Medians | null
  /** set when the system does not take part in this case */
  notApplicable?: string
}

export interface CaseReport {
  id: CaseId
  title: string
  entries: number
  /** how the data set was produced, for BENCHMARKS.md */
  method: string
  systems: Record<System, SystemCase>
  /** logbook / hypercore entries per second (median), null if either is missing; with `versus`, logbook / versus */
  ratio: number | null
  /** A case that measures one logbook path against another (the command against the library), not hypercore. */
  versus?: SystemCase & { label: string, subject: string }
}

export interface TargetCheck {
  name: string
  target: string
  measured: string
  pass: boolean | null
}

export interface Environment {
  date: string
  cpuModel: string
  cores: number
  ramGB: number
  os: string
  node: string
  versions: Record<string, string>
}

export interface Sizes {
  batched: number
  batch: number
  single: number
  diskBatched: number
  import: number
  viewRebuild: number
  cliLines: number
}

export interface Results {
  quick: boolean
  runs: number
  sizes: Sizes
  env: Environment
  importSetup: { ok: boolean, error?: string, result?: CaseResult } | null
  cases: CaseReport[]
  /** The hostile inputs (bench/hostile/), when they were run. */
  hostile: HostileResults | null
  /** The replication cases (bench/replication/), when they were run; they carry their own targets. */
  replication: ReplicationResults | null
  /** The browser case (bench/browser/), when it was run: the same work in Chromium and in Node. */
  browser: BrowserResults | null
  targets: TargetCheck[]
}
