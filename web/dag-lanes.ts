// The drawing of a window of the DAG, as numbers: one lane (column) per author, one row per entry, and the
// edges from each entry to its prev and its links. Causes come before effects in local order, so every edge
// goes up; one whose far end is above the window leaves at the top edge (its lane is known for a prev, the
// same author's; for a link it is not, without reading that entry, so it is drawn as a short stub).
import type { DagRow } from './dag-rows.js'

export interface LaneMarks {
  /** Entries nothing links to and nothing follows (the log's heads). */
  heads: ReadonlySet<string>
  /** Entries at the start of a fork (the two entries of one author at one seq that a fork proof names). */
  forkIds: ReadonlySet<string>
  /** Authors with a fork proof. */
  forkedAuthors: ReadonlySet<string>
}

export interface LaidRow {
  localSeq: number
  id: string
  author: string
  seq: number
  lane: number
  head: boolean
  /** One of the two entries a fork proof names. */
  fork: boolean
  /** Its author has a fork proof. */
  forkedAuthor: boolean
}

export interface LaidEdge {
  kind: 'prev' | 'link'
  /** The later entry (the one whose prev or link this is). */
  fromSeq: number
  fromLane: number
  /** The earlier entry's local seq, or null when it is above the window. */
  toSeq: number | null
  /** The earlier entry's lane, or null when it is not known (a link to an entry above the window). */
  toLane: number | null
}

export interface DagLayout {
  /** Authors in lane order: lane i is authors[i]. */
  lanes: string[]
  rows: LaidRow[]
  edges: LaidEdge[]
}

/**
 * Lays out `rows` (in local order). Lanes follow `authors` (the feeds the store holds, in a
 * stable order), so a lane keeps its place while scrolling; an author of the window not among them (one
 * that arrived since they were read) gets a lane after them.
 */
export function layoutWindow (rows: readonly DagRow[], authors: readonly string[], marks: LaneMarks): DagLayout {
  const lanes = [...authors]
  const laneOf = new Map(lanes.map((author, i) => [author, i]))
  const lane = (author: string): number => {
    let at = laneOf.get(author)
    if (at === undefined) {
      at = lanes.length
      lanes.push(author)
      laneOf.set(author, at)
    }
    return at
  }
  const byId = new Map<string, LaidRow>()
  const laid: LaidRow[] = []
  const edges: LaidEdge[] = []
  for (const row of rows) {
    const fromLane = lane(row.author)
    const here: LaidRow = {
      localSeq: row.localSeq,
      id: row.id,
      author: row.author,
      seq: row.seq,
      lane: fromLane,
      head: marks.heads.has(row.id),
      fork: marks.forkIds.has(row.id),
      forkedAuthor: marks.forkedAuthors.has(row.author)
    }
    laid.push(here)
    byId.set(row.id, here)
    if (row.prev !== null) edges.push({ kind: 'prev', fromSeq: row.localSeq, fromLane, toSeq: byId.get(row.prev)?.localSeq ?? null, toLane: fromLane })
    for (const link of row.links) {
      const target = byId.get(link)
      edges.push({ kind: 'link', fromSeq: row.localSeq, fromLane, toSeq: target?.localSeq ?? null, toLane: target?.lane ?? null })
    }
  }
  return { lanes, rows: laid, edges }
}
