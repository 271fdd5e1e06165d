// Shape of the browser part of bench/out/results.json.

export interface BrowserSizes {
  /** Entries imported and replicated (the import's export is two authors' halves, 100-byte payloads). */
  entries: number
  /** Entries a call when the stores are filled (not timed). */
  batch: number
}

/** Where the import lands: a page's IndexedDB or memory-level store, or a Node store on disk or in memory. */
export const IMPORT_TARGETS = ['page-indexeddb', 'page-memory', 'node-classic', 'node-memory'] as const
export type ImportTarget = typeof IMPORT_TARGETS[number]

/**
 * Who receives the replication, and over what: a page over its WebSocket, or a Node store over ws:// or
 * tcp://; live until synced, then ended. `-once`: one sync, not live (the peer ends its side first).
 */
export const REPLICATION_TARGETS = ['page-indexeddb', 'page-memory', 'node-ws', 'node-tcp', 'page-indexeddb-once', 'node-ws-once'] as const
export type ReplicationTarget = typeof REPLICATION_TARGETS[number]

/** What one timed run measured, in a page or in a Node child alike. */
export interface BrowserTiming {
  entries: number
  /** Import: until `book.import()` resolved. Replication: from just before the connect to `session.done`. */
  workSeconds: number
  /** The close of the receiving store afterwards. */
  closeSeconds: number
  /** Replication only: from just before the connect to `session.synced`. */
  syncedSeconds?: number
}

export interface BrowserRun {
  run: number
  ok: boolean
  error?: string
  result?: BrowserTiming
}

export interface BrowserResults {
  sizes: BrowserSizes
  runs: number
  /** Why nothing was measured (no Chromium here), if so. */
  skipped?: string
  /** navigator.userAgent of the measuring Chromium, and the version in it. */
  userAgent: string | null
  chromium: string | null
  /** logbook's version and those of the packages the work goes through, as installed. */
  versions: Record<string, string>
  /** Bytes of the export every import reads. */
  exportBytes: number | null
  /** How long the setup of the export took (not timed in any run). */
  setupSeconds: number | null
  import: Record<ImportTarget, BrowserRun[]>
  replication: Record<ReplicationTarget, BrowserRun[]>
}
