// The shapes a view author works with: the entries a view is given, the transaction it writes through,
// its definition, and what the runner reports about it. docs/VIEWS.md states the contract in prose.
import type { LogEntry } from '../log-entry.js'
import type { Logbook } from '../logbook.js'

/**
 * A ready entry as a view sees it: only what every store holding the entry agrees on. Deliberately absent:
 * the local sequence number (each store has its own order) and whether a signature is stored (a
 * signature may arrive later), since a view that used either would differ between peers.
 */
export type ViewEntry = Omit<LogEntry, 'localSeq' | 'signed'>

/**
 * A view's writes to its own keyspace. Keys are strings, values JSON values (stored as JSON text).
 * Reads see the writes made earlier in the same transaction. The runner commits the writes together with
 * the view's checkpoint in one atomic batch, or discards them all.
 */
export interface ViewTx {
  get: (key: string) => Promise<unknown>
  /**
   * Several keys in one database round trip, in the order given (undefined where absent). Later `get`s of
   * these keys in the same transaction are answered from memory: a view that knows a batch's keys up front
   * reads them all at once instead of one by one.
   */
  getMany: (keys: string[]) => Promise<unknown[]>
  put: (key: string, value: unknown) => void
  del: (key: string) => void
}

/**
 * What a view's query API is built from: read access to its own keyspace (committed state), a way to
 * wait until it has caught up, and the book (for helpers that append, such as the kv view's `put`, and
 * for reading the log through `book.reader`, as its `get` does to name each value's author).
 */
export interface ViewContext {
  readonly name: string
  readonly book: Logbook
  /** Resolves once the view has applied every entry that was ready when it was called. */
  ready: () => Promise<void>
  get: (key: string) => Promise<unknown>
  /** Committed rows in key order (UTF-8 byte order), with the usual abstract-level range options. */
  rows: (range?: RowRange) => AsyncGenerator<[string, unknown]>
}

export interface RowRange {
  gt?: string
  gte?: string
  lt?: string
  lte?: string
  limit?: number
  reverse?: boolean
}

export type ForkPolicy = 'include' | 'exclude'

export interface ViewDefinition<Api = unknown> {
  /** Changing it wipes the view's keyspace and rebuilds it from the log. Default 1. */
  version?: number | string
  /**
   * 'include' (default): entries of a forked author are applied like any other, both branches as
   * concurrent writes. 'exclude': every entry of an author with a fork proof is ignored, and the view is
   * rebuilt when a new proof arrives.
   */
  forks?: ForkPolicy
  /**
   * Applies a batch of ready entries, in local (causal) order, through `tx`. Must be a function of the
   * entries and the view's own state only; must give the same state whatever the batch boundaries; may
   * throw, in which case the runner applies the batch entry by entry and records each entry that throws.
   */
  apply: (entries: ViewEntry[], tx: ViewTx) => Promise<void> | void
  /** Builds the view's query API. */
  api?: (context: ViewContext) => Api
}

/** One entry a view threw on; recorded, skipped, identical on every peer. */
export interface ViewFailure {
  id: string
  message: string
}

export interface ViewStatus {
  name: string
  /** Whether this process has the view's definition (views found on disk may belong to another program). */
  registered: boolean
  version: number | string | null
  forks: ForkPolicy | null
  /** Last local sequence number applied. */
  applied: number
  /** Ready entries in the store. */
  entries: number
  behind: number
  failures: number
  /** The first few failures in local order. */
  firstFailures: ViewFailure[]
  /** Authors whose entries the view leaves out (forks: 'exclude'). */
  excluded: string[]
}

export interface ViewProgress {
  name: string
  applied: number
  /** Ready entries when this catch-up started. */
  target: number
  rebuilding: boolean
}

/** 'log': the log no longer has the entry the checkpoint ends at (the views database outlived its log). */
export type RebuildReason = 'new' | 'version' | 'forks' | 'requested' | 'interrupted' | 'log'
