// The hostile cases: what each sends, what N counts, which part is timed, and the base N (chosen so that
// 8N takes a few seconds at most on code that is linear in what the stranger sends).
import * as g from './generators.js'
import type { HostileInput } from './generators.js'

/** What the measuring child does with the input (bench/hostile/procedures.ts). */
export type Procedure = 'import' | 'import-tail' | 'import-view' | 'verify-forks' | 'reopen' | 'read-text' | 'reimport'

export interface HostileCase {
  id: string
  title: string
  /** What N counts. */
  unit: string
  /** What the time per unit divides by, where that is not N. */
  per?: string
  baseN: number
  generate: (n: number) => HostileInput
  procedure: Procedure
  /** How the input is built and what is timed, for BENCHMARKS.md. */
  method: string
}

export const HOSTILE_CASES: HostileCase[] = [
  {
    id: 'control-single-entries',
    title: 'Control: one signed entry per author',
    unit: 'entries',
    baseN: 2000,
    generate: g.singleEntries,
    procedure: 'import',
    method: 'Not hostile: N throwaway authors with one signed entry each at seq 1 (nothing forks, waits or links). It shows the rate of an input that carries a signature every entry when the work is linear: the other cases that send one signature per entry cannot ingest faster.'
  },
  {
    id: 'branches',
    title: 'Signed branches at one seq',
    unit: 'branches',
    baseN: 1000,
    generate: g.branches,
    procedure: 'import',
    method: 'N single-entry signed segments of one author, all at seq 1 with distinct payloads (N forks of one feed). Timed: their import.'
  },
  {
    id: 'forked-authors-views',
    title: 'Forked authors against a view excluding forks',
    unit: 'forked authors',
    baseN: 1000,
    generate: g.forkedAuthorsViews,
    procedure: 'import-view',
    method: 'A store holding an honest feed of N entries and a `countView({ forks: \'exclude\' })` that has applied them; then N throwaway authors, each with two different signed entries at seq 1. Timed: their import and `view.ready()` (the view rebuilds when its set of excluded authors changes; the count of rebuilds is noted).'
  },
  {
    id: 'overlapping-pending',
    title: 'Overlapping waiting segments',
    unit: 'segments of 1,024 entries',
    baseN: 64,
    generate: g.overlappingPending,
    procedure: 'import',
    method: 'One chain of one author whose seq 1 is never sent; N windows of 1,024 entries of it, each shifted by one entry from the last and signed at its end. All of them wait. Timed: their import.'
  },
  {
    id: 'pending-woken-one-at-a-time',
    title: 'A waiting segment woken once per entry',
    unit: 'wake-ups',
    baseN: 256,
    generate: g.pendingWokenOneAtATime,
    procedure: 'import',
    method: 'One author\'s segment of N entries (1,024 a segment), entry i linking entry i of a second author; then the second author\'s N entries, one signed segment each, in order: each wakes the waiting segment once. Timed: the import of both.'
  },
  {
    id: 'many-heads-link',
    title: 'One segment joining many DAG heads',
    unit: 'heads',
    baseN: 2000,
    generate: g.manyHeadsLink,
    procedure: 'import',
    method: 'N throwaway authors with one entry each (N DAG heads), then one author\'s segment whose entries link all of them, 256 links an entry. Timed: the import of all of it.'
  },
  {
    id: 'reversed-feed',
    title: 'A feed sent newest first',
    unit: 'entries',
    baseN: 2000,
    generate: g.reversedFeed,
    procedure: 'import',
    method: 'One feed of N entries as N single-entry signed segments, newest first: each waits for the next one sent, and the last one sent wakes the whole chain. Timed: their import.'
  },
  {
    id: 'forked-authors-proofs',
    title: 'Fork proofs of many waiting forks',
    unit: 'forked authors',
    baseN: 500,
    generate: g.forkedAuthorsProofs,
    procedure: 'verify-forks',
    method: 'N throwaway authors, each with two different signed entries at seq 1 that link an id nobody has (so both wait, and the author is forked). Timed: `verify()` and `forks()` (every fork proof, as JSON) after the import; the import\'s rate is the ingest figure.'
  },
  {
    id: 'all-pairs-conflict',
    title: 'An invalid chain dropped from a long forked feed',
    unit: 'feed entries',
    // Large enough that the pairs compared (a page holds 16 entries) outweigh reading the pages.
    baseN: 50_000,
    generate: g.allPairsConflict,
    procedure: 'import-tail',
    method: 'A store holding one author\'s feed of N entries (1,024 a segment); then a segment of that author at seq 2 whose prev is another author\'s entry, and that entry: the segment waits and forks the feed, then proves invalid and is dropped, and the fork marker is found again without it. Timed: the import of those two segments. The ingest figure is the whole stream, the feed included (a stranger can send it all).'
  },
  {
    id: 'comb',
    title: 'Side branches all along a feed',
    unit: 'branches',
    baseN: 2000,
    generate: g.comb,
    procedure: 'import',
    method: 'A main chain of N entries (1,024 a segment), then N single-entry signed branches, branch i at seq i off the main entry at seq i − 1. Timed: the import of all of it.'
  },
  {
    id: 'pending-open',
    title: 'Opening a store with many waiting segments',
    unit: 'waiting segments',
    baseN: 2000,
    generate: g.pendingOpen,
    procedure: 'reopen',
    method: 'A store on disk (classic-level) holding N waiting single-entry segments, each a throwaway author\'s seq 2 whose seq 1 was never sent, built and closed beforehand. Timed, in a fresh process: `Logbook.open`, `status()` and `verify()`; the peak RSS is that process\'s. The ingest figure is the import that built the store (against a normal import into a store on disk too).'
  },
  {
    id: 'deep-payload',
    title: 'Deeply nested JSON payloads',
    unit: 'entries',
    baseN: 1000,
    generate: g.deepPayload,
    procedure: 'read-text',
    method: `N entries, each a throwaway author's seq 1, whose JSON payloads nest ${g.DEEP_PAYLOAD_DEPTHS.join(', ')} containers deep in turn (the format's limit is 256; deeper ones are to be refused). Timed: reading them all back with \`log()\` and the export as text; accepted and refused counts are noted.`
  },
  {
    id: 'reimport',
    title: 'Import of entries the store holds already',
    unit: 'entries',
    baseN: 25_000,
    generate: g.reimport,
    procedure: 'reimport',
    method: 'An export of N normal entries (100-byte payloads, 1,024 a segment) imported into a fresh store (noted), then again into the same store. Timed: the second import.'
  },
  {
    id: 'prefix-cuts',
    title: 'One chain sent as every prefix',
    unit: 'cuts',
    per: 'entries sent',
    baseN: 128,
    generate: g.prefixCuts,
    procedure: 'import',
    method: 'One chain of N entries whose seq 1 is never sent, sent as N prefix cuts (entries 1..k for k = 1..N, each signed at its end): N distinct entries in N(N+1)/2 entries sent. Timed: their import; the time per unit divides by the entries sent, and the imported and pending counts are noted against N.'
  }
]

export function hostileCase (id: string): HostileCase {
  const found = HOSTILE_CASES.find((c) => c.id === id)
  if (found === undefined) throw new Error(`unknown hostile case ${id} (known: ${HOSTILE_CASES.map((c) => c.id).join(', ')})`)
  return found
}
