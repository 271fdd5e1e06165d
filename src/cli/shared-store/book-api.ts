// The part of the Logbook API that the commands use: what a store opened here and the process that holds
// the store (through its socket) both give a command. A Logbook is a BookApi as it is; so is RemoteBook.
import type {
  AppendOptions, CheckOptions, ExportOptions, ForkReport, ImportOptions, ImportSummary, LogEntry, Logbook, Payload,
  PendingReport, StatusReport, ViewCheckReport, ViewDefinition, ViewProgress, ViewStatus
} from '../../index.js'

export type LogOptions = NonNullable<Parameters<Logbook['log']>[0]>
export type FeedHead = ReturnType<Logbook['feedHeads']>[number]

/** A registered view as the commands use it: its api, waiting for it to catch up, and its progress. */
export interface BookView<Api> {
  readonly api: Api
  ready: () => Promise<void>
  on: (event: 'progress', listener: (progress: ViewProgress) => void) => unknown
  off: (event: 'progress', listener: (progress: ViewProgress) => void) => unknown
}

/** Reads that a Logbook answers at once may take a round trip elsewhere: the commands await them all. */
type Answer<T> = T | Promise<T>

export interface BookApi {
  resolveId: (prefix: string) => Promise<string>
  resolveAuthor: (prefix: string) => Promise<string>
  get: (id: string) => Promise<LogEntry | undefined>
  append: (payloads: Payload[], options?: AppendOptions) => Promise<string[]>
  log: (options?: LogOptions) => AsyncIterable<LogEntry>
  export: (options?: ExportOptions) => AsyncIterable<Uint8Array>
  import: (source: AsyncIterable<Uint8Array>, options?: ImportOptions) => Promise<ImportSummary>
  verify: () => Promise<{ ok: boolean, entries: number, problems: string[] }>
  status: () => Answer<StatusReport>
  pending: () => Promise<PendingReport[]>
  heads: () => Answer<string[]>
  feedHeads: () => Answer<FeedHead[]>
  forks: () => Promise<ForkReport[]>
  hasView: (name: string) => boolean
  /** Elsewhere only a built-in view (DEFAULT_VIEWS) can be used: the holder registers its own of that name. */
  use: (name: string, definition: ViewDefinition<any>) => unknown
  view: <Api = unknown>(name: string) => BookView<Api>
  rebuild: (name: string, options?: { onProgress?: (progress: ViewProgress) => void }) => Promise<ViewStatus>
  checkView: (name: string, options?: CheckOptions) => Promise<ViewCheckReport>
  viewStatuses: () => Promise<ViewStatus[]>
}
