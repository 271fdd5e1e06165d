// What a reader of the log needs, and nothing more: ready entries in local order (a page at a time), how
// many there are, one entry by its id, the authors with a fork proof, and word when any of these change.
// Views, their checks and the command read the log only through this; the store behind it is not theirs
// to see. It is also the seam where another source of a log (a replica, a browser's store) fits in.
import type { EntryBody } from './entry/types.js'
import type { LogEntry } from './log-entry.js'

/** What each entry's author chose: its timestamp, links (32 bytes each, sorted), payload kind and bytes. */
export type LogPageEntry = EntryBody

/**
 * A run of consecutive ready entries of one author's feed, consecutive in local order too. Entry `i` of
 * the page has local seq `localSeq + i`, feed seq `seq + i`, id `ids[i]` and body `entries[i]`; its prev
 * is `ids[i - 1]`, or `prev` for the first. Shared, not copied: a reader must not change it.
 */
export interface LogPage {
  /** Local seq of the page's first entry. */
  readonly localSeq: number
  /** The author (hex). */
  readonly author: string
  /** Feed seq of the page's first entry. */
  readonly seq: number
  /** Id (hex) of the entry before the first in its feed; null when the first is seq 1. */
  readonly prev: string | null
  /** Ids (hex), one per entry. */
  readonly ids: readonly string[]
  readonly entries: readonly LogPageEntry[]
}

/** Told when the log changes. Called synchronously after the write that made the change; keep it short. */
export interface LogChangeListener {
  /** More entries are ready: every local seq up to `lastLocalSeq`. */
  ready?: (lastLocalSeq: number) => void
  /** The fork proof of `author` (hex) changed: it got one, another one, or lost it (an entry behind it was invalid). */
  forksChanged?: (author: string) => void
}

export interface LogReader {
  /** Ready entries: local seqs 1 to `readyCount` are ready, in local order (causes before effects). */
  readonly readyCount: number
  /**
   * Ready entries from local seq `from` (default 1) to the end, in local order, a page at a time: the first
   * page starts at `from`; none when `from` is past the last ready entry. Reads what is ready as it goes.
   */
  pages: (from?: number) => AsyncIterable<LogPage>
  /** The ready entry with this id (64 lowercase hex digits); undefined when there is none. */
  entry: (id: string) => Promise<LogEntry | undefined>
  /** Authors (hex) this store holds a fork proof for, sorted. */
  forkedAuthors: () => string[]
  /** Calls `listener` on every change from now on; returns the function that stops it. */
  subscribe: (listener: LogChangeListener) => () => void
}
