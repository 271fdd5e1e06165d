// The LogReader over a Store: the one place that reads the store's internals on behalf of views, their
// checks and the command. Pages come from the store's reader (which waits for the log's write-behind),
// with the hex forms every entry of a page needs computed once per page.
import { toHex } from './entry/bytes.js'
import { parseId, toLogEntry, type LogEntry } from './log-entry.js'
import type { LogChangeListener, LogPage, LogReader } from './log-reader.js'
import { pageIdsHex, type DecodedPage } from './store/page.js'
import type { Store } from './store/store.js'

/** The entries of `page` from local seq `from` on; null when it holds none of them. */
function logPage (page: DecodedPage, from: number): LogPage | null {
  const { segment } = page
  const skip = Math.max(0, from - page.pageKey)
  if (skip >= page.ids.length) return null
  const ids = pageIdsHex(page)
  const prev = skip > 0 ? ids[skip - 1] : segment.firstPrev === null ? null : toHex(segment.firstPrev)
  return {
    localSeq: page.pageKey + skip,
    author: toHex(segment.author),
    seq: segment.firstSeq + skip,
    prev,
    ids: skip > 0 ? ids.slice(skip) : ids,
    entries: skip > 0 ? segment.entries.slice(skip) : segment.entries
  }
}

export class StoreLogReader implements LogReader {
  constructor (private readonly store: Store) {}

  get readyCount (): number {
    return this.store.readyCount
  }

  async * pages (from = 1): AsyncGenerator<LogPage> {
    for await (const page of this.store.reader.pages(from)) {
      const read = logPage(page, from)
      if (read !== null) yield read
    }
  }

  async entry (id: string): Promise<LogEntry | undefined> {
    const entry = await this.store.reader.get(parseId(id))
    return entry === undefined ? undefined : toLogEntry(entry)
  }

  forkedAuthors (): string[] {
    return [...this.store.state.forks.keys()].sort()
  }

  subscribe (listener: LogChangeListener): () => void {
    // A listener of its own, so the same listener subscribed twice is told twice and stopped once each.
    const told = {
      ready: (lastLocalSeq: number) => listener.ready?.(lastLocalSeq),
      fork: (author: string) => listener.forksChanged?.(author)
    }
    this.store.ingestor.listeners.add(told)
    return () => { this.store.ingestor.listeners.delete(told) }
  }
}
