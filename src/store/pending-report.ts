// What the pending area waits for, as people read it: per author, runs of pending entries, each starting at
// an entry that waits for something outside the pending area (a missing previous entry, a linked entry, or a
// signature that has not arrived), and the entries after it that wait for it in turn.
import { toHex } from '../entry/bytes.js'
import { WAIT } from './pending.js'
import type { StoreReader } from './reader.js'

export interface PendingRun {
  author: string
  fromSeq: number
  toSeq: number
  entries: number
  /** The id the run waits for (null when it waits for a signature). */
  waitsFor: string | null
  reason: 'prev' | 'link' | 'signature'
}

/** The pending area as runs, sorted by author then seq. */
export async function pendingRuns (reader: StoreReader): Promise<PendingRun[]> {
  const runs: PendingRun[] = []
  // Pending ids (hex) → the run each belongs to; an entry joins the run of its prev when its prev is pending.
  const runOf = new Map<string, PendingRun>()
  let author = ''
  for await (const pending of reader.pendingEntries()) {
    const authorHex = toHex(pending.author)
    if (authorHex !== author) { runOf.clear(); author = authorHex }
    const { kind, on } = pending.wait
    const prevRun = pending.prev === null ? undefined : runOf.get(toHex(pending.prev))
    let run = prevRun
    if (kind === WAIT.link && run !== undefined) {
      // Entries waiting only for a signature wait, in fact, for what the entry after them waits for.
      if (run.reason === 'signature') { run.reason = 'link'; run.waitsFor = toHex(on as Uint8Array) } else run = undefined
    }
    if (run === undefined) {
      const reason = kind === WAIT.link ? 'link' : kind === WAIT.signature ? 'signature' : 'prev'
      run = { author: authorHex, fromSeq: pending.seq, toSeq: pending.seq, entries: 0, waitsFor: on === null ? null : toHex(on), reason }
      runs.push(run)
    }
    run.entries++
    run.toSeq = Math.max(run.toSeq, pending.seq)
    runOf.set(toHex(pending.id), run)
  }
  return runs
}
