// The rows of one window of the log, read through the reader's pages: from the window's first local seq,
// stopping at its last, so the explorer never holds more than a screenful (and one page) of entries.
import { bytesToHex } from './hex.js'
import type { LogEntry, LogReader } from './logbook-api.js'

/** One ready entry as the DAG drawing needs it (no payload): where it is, whose it is, what it follows. */
export type DagRow = Pick<LogEntry, 'localSeq' | 'id' | 'author' | 'seq' | 'prev' | 'links' | 'timestamp'>

/** The ready entries with local seqs `first` to `last` (inclusive), in local order. */
export async function readRows (reader: LogReader, first: number, last: number): Promise<DagRow[]> {
  const rows: DagRow[] = []
  if (last < first) return rows
  for await (const page of reader.pages(first)) {
    for (let i = 0; i < page.ids.length; i++) {
      const localSeq = page.localSeq + i
      if (localSeq > last) return rows
      const body = page.entries[i]
      rows.push({
        localSeq,
        id: page.ids[i],
        author: page.author,
        seq: page.seq + i,
        prev: i === 0 ? page.prev : page.ids[i - 1],
        links: body.links.map(bytesToHex),
        timestamp: body.timestamp
      })
    }
  }
  return rows
}
