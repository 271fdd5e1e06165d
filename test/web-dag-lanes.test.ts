// The explorer's drawing of a window of the DAG: lanes per author, edges up to prevs and links, marks.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { layoutWindow } from '../web/dag-lanes.js'
import type { DagRow } from '../web/dag-rows.js'

const id = (n: number): string => n.toString(16).padStart(64, '0')
const ALICE = 'a'.repeat(64)
const BOB = 'b'.repeat(64)
const CAROL = 'c'.repeat(64)

function row (localSeq: number, author: string, seq: number, prev: number | null, links: number[] = []): DagRow {
  return { localSeq, id: id(localSeq), author, seq, prev: prev === null ? null : id(prev), links: links.map(id), timestamp: 0 }
}

const none = { heads: new Set<string>(), forkIds: new Set<string>(), forkedAuthors: new Set<string>() }

test('lanes follow the given author order; an author not in it gets the next lane', () => {
  const rows = [row(1, BOB, 1, null), row(2, CAROL, 1, null), row(3, ALICE, 1, null)]
  const layout = layoutWindow(rows, [ALICE, BOB], none)
  assert.deepEqual(layout.lanes, [ALICE, BOB, CAROL])
  assert.deepEqual(layout.rows.map((laid) => laid.lane), [1, 2, 0])
})

test('prev and link edges go to the rows they name, with their lanes; ends above the window are open', () => {
  // The window starts at local seq 10: alice's seq 5 follows her seq 4 (above), bob's entry links to
  // alice's and to an entry above the window.
  const rows = [row(10, ALICE, 5, 9), row(11, BOB, 2, 7, [4, 10]), row(12, ALICE, 6, 10, [11])]
  const layout = layoutWindow(rows, [ALICE, BOB], none)
  const edges = layout.edges.map((edge) => [edge.kind, edge.fromSeq, edge.fromLane, edge.toSeq, edge.toLane])
  assert.deepEqual(edges, [
    ['prev', 10, 0, null, 0],
    ['prev', 11, 1, null, 1],
    ['link', 11, 1, null, null],
    ['link', 11, 1, 10, 0],
    ['prev', 12, 0, 10, 0],
    ['link', 12, 0, 11, 1]
  ])
})

test('a first entry has no prev edge; heads, fork entries and forked authors are marked', () => {
  const rows = [row(1, ALICE, 1, null), row(2, ALICE, 2, 1), row(3, ALICE, 2, 1), row(4, BOB, 1, null)]
  const layout = layoutWindow(rows, [ALICE, BOB], { heads: new Set([id(3), id(4)]), forkIds: new Set([id(2), id(3)]), forkedAuthors: new Set([ALICE]) })
  assert.deepEqual(layout.edges.filter((edge) => edge.fromSeq === 1), [])
  assert.deepEqual(layout.rows.map((laid) => [laid.head, laid.fork, laid.forkedAuthor]), [
    [false, false, true], [false, true, true], [true, true, true], [true, false, false]
  ])
})
