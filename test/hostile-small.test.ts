// The hostile inputs of `npm run drill:hostile` (bench/hostile/), at small sizes and without timing: each
// must end in the state its entries give in a plain order, and say what it did in its import summary
// (counting each distinct entry once, however many segments carried it).
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { countView, Logbook, type ImportSummary } from '../src/index.js'
import { HOSTILE_CASES } from '../bench/hostile/cases.js'
import * as g from '../bench/hostile/generators.js'
import { firstEntry, T0 } from '../bench/hostile/inputs.js'
import { collect, concatBytes, frameOf, identity, jsonTextBody, memoryBook, numberedIdentity, segmentOf, snapshot, SPACE, SPACE_KEY, type Snapshot } from './helpers/fixtures.js'


/** N for each case here: small, so the whole file runs in seconds. */
const SMALL: Record<string, number> = {
  'control-single-entries': 10,
  branches: 12,
  'forked-authors-views': 6,
  'overlapping-pending': 4,
  'pending-woken-one-at-a-time': 20,
  'many-heads-link': 300,
  'reversed-feed': 30,
  'forked-authors-proofs': 5,
  'all-pairs-conflict': 40,
  comb: 20,
  'pending-open': 20,
  'deep-payload': 8,
  reimport: 2500,
  'prefix-cuts': 10
}

/** A fresh memory store that has imported each group of frames in turn, with the summaries. */
async function importedInto (book: Logbook, ...groups: Uint8Array[][]): Promise<ImportSummary[]> {
  const summaries: ImportSummary[] = []
  for (const frames of groups) summaries.push(await book.import(concatBytes(frames)))
  return summaries
}

async function stateOf (...groups: Uint8Array[][]): Promise<Snapshot> {
  const book = await memoryBook()
  try {
    await importedInto(book, ...groups)
    return await snapshot(book)
  } finally {
    await book.close()
  }
}

/** Runs `check` on a memory store holding `before` and the hostile `input`, with the input's summary. */
async function withHostile (made: g.HostileInput, check: (book: Logbook, summary: ImportSummary) => Promise<void>): Promise<void> {
  const book = await memoryBook()
  try {
    const [, summary] = await importedInto(book, made.before, made.input)
    await check(book, summary)
  } finally {
    await book.close()
  }
}

describe('hostile inputs, small', () => {
  for (const c of HOSTILE_CASES) {
    test(`${c.id}: sent in the hostile order, the entries end in the state of a plain order`, async () => {
      const made = c.generate(SMALL[c.id])
      assert.deepEqual(await stateOf(made.before, made.input, made.withheld), await stateOf(made.canonical))
    })
  }

  test('branches: every branch is a ready entry and a feed head; the feed has one fork, at seq 1', async () => {
    const b = SMALL.branches
    await withHostile(g.branches(b), async (book, summary) => {
      assert.equal(summary.imported, b)
      assert.equal(summary.rejectedCount, 0)
      const state = await snapshot(book)
      assert.equal(state.ready.length, b)
      assert.equal(state.feedHeads.length, b)
      assert.deepEqual(state.forks.map((f) => f.seq), [1])
    })
  })

  test('forked-authors-views: a view excluding forks counts only the honest feed, as on a store that got the forks first', async () => {
    const n = SMALL['forked-authors-views']
    const made = g.forkedAuthorsViews(n)
    const digests: string[] = []
    for (const order of [[made.before, made.input], [made.canonical]]) {
      const book = await memoryBook()
      try {
        const view = book.use('trusted', countView({ forks: 'exclude' }))
        await importedInto(book, ...order)
        await view.ready()
        assert.equal(await view.api.get(), n)
        assert.equal(book.status().forks.length, n)
        digests.push(await view.digest())
      } finally {
        await book.close()
      }
    }
    assert.equal(digests[0], digests[1])
  })

  describe('overlapping-pending: windows of one chain wait whole', () => {
    const made = g.overlappingPending(SMALL['overlapping-pending'])
    test('nothing is ready and nothing is rejected', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.rejectedCount, 0)
        assert.equal(book.status().entries, 0)
      })
    })
    test('the summary and status count each waiting entry once', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.imported, made.distinct)
        assert.equal(summary.pending, made.distinct)
        assert.equal(book.status().pendingEntries, made.distinct)
      })
    })
  })

  test('pending-woken-one-at-a-time: every wake-up readies one more entry, and nothing waits at the end', async () => {
    const n = SMALL['pending-woken-one-at-a-time']
    await withHostile(g.pendingWokenOneAtATime(n), async (book, summary) => {
      assert.equal(summary.imported, 2 * n)
      assert.equal(summary.pending, 0)
      assert.equal(book.status().entries, 2 * n)
    })
  })

  test('many-heads-link: the joining entries leave a single DAG head', async () => {
    const h = SMALL['many-heads-link']
    await withHostile(g.manyHeadsLink(h), async (book, summary) => {
      assert.equal(summary.imported, h + Math.ceil(h / 256))
      const heads = book.heads()
      assert.equal(heads.length, 1)
      assert.equal((await book.get(heads[0]))?.author, identity(1).author)
    })
  })

  test('reversed-feed: the feed ends ready, with its newest entry the head', async () => {
    const n = SMALL['reversed-feed']
    await withHostile(g.reversedFeed(n), async (book, summary) => {
      assert.equal(summary.imported, n)
      assert.equal(summary.pending, 0)
      assert.deepEqual(book.feedHeads().map((h) => h.seq), [n])
    })
  })

  test('forked-authors-proofs: one proof per author, the same as a store that got them in the other order, and verify passes', async () => {
    const n = SMALL['forked-authors-proofs']
    const made = g.forkedAuthorsProofs(n)
    const other = await memoryBook()
    try {
      await importedInto(other, made.canonical)
      await withHostile(made, async (book) => {
        assert.equal(book.status().pendingEntries, 2 * n)
        const proofs = await book.forks()
        assert.equal(proofs.length, n)
        assert.deepEqual(proofs, await other.forks())
        assert.deepEqual(await book.verify(), { ok: true, entries: 0, problems: [] })
      })
    } finally {
      await other.close()
    }
  })

  test('all-pairs-conflict: the invalid segment is dropped, and the fork it made goes with it', async () => {
    const n = SMALL['all-pairs-conflict']
    const made = g.allPairsConflict(n)
    await withHostile(made, async (book, summary) => {
      assert.equal(summary.pending, 0)
      assert.equal(book.status().entries, n + 1)
      assert.deepEqual(await book.forks(), [])
    })
    // Sent after the entry it names as its prev, the same segment is rejected outright.
    const book = await memoryBook()
    try {
      const [summary] = await importedInto(book, made.canonical)
      assert.deepEqual(summary.rejected.map((p) => p.code), ['BAD_CHAIN'])
    } finally {
      await book.close()
    }
  })

  test('comb: every branch is a feed head, and the fork is recorded at seq 1', async () => {
    const n = SMALL.comb
    await withHostile(g.comb(n), async (book, summary) => {
      assert.equal(summary.imported, 2 * n)
      assert.equal(book.feedHeads().length, n + 1)
      assert.deepEqual(book.status().forks.map((f) => f.seq), [1])
    })
  })

  test('pending-open: a store on disk reopens with every waiting segment listed, verifies, and readies them when the missing entry comes', async () => {
    const p = SMALL['pending-open']
    const made = g.pendingOpen(p)
    const root = await mkdtemp(join(tmpdir(), 'logbook-hostile-'))
    const dir = join(root, 'store')
    try {
      const created = await Logbook.create({ dir, spaceKey: SPACE_KEY, identity: identity(200) })
      await importedInto(created, made.input)
      await created.close()
      const book = await Logbook.open({ dir })
      try {
        const status = book.status()
        const pending = await book.pending()
        assert.equal(pending.length, p)
        assert.equal(status.pendingEntries, p)
        assert.deepEqual(pending.map((item) => item.reason), new Array(p).fill('prev'))
        assert.equal((await book.verify()).ok, true)
        await importedInto(book, made.withheld)
        assert.equal(book.status().pendingEntries, 0)
        assert.deepEqual(await snapshot(book), await stateOf(made.canonical))
      } finally {
        await book.close()
      }
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  describe('deep-payload: payloads at the nesting limit and beyond', () => {
    const n = SMALL['deep-payload']
    const made = g.deepPayload(n)
    const atLimit = Array.from({ length: n }, (_, i) => g.deepPayloadDepth(i)).filter((depth) => depth <= 256).length

    test('what is accepted reads back as sent, and its export as text imports to the same state', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.imported + summary.rejectedCount, n)
        assert.ok(summary.imported >= atLimit)
        for await (const entry of book.log()) {
          const i = (entry.payload as unknown[]).flat(Infinity)[0] as number
          assert.equal(JSON.stringify(entry.payload), g.nestedJson(g.deepPayloadDepth(i), i))
        }
        const copy = await memoryBook()
        try {
          await copy.import(await collect(book.export({ format: 'json' })))
          assert.deepEqual(await snapshot(copy), await snapshot(book))
        } finally {
          await copy.close()
        }
      })
    })

    test('payloads nested deeper than 256 are refused', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.imported, atLimit)
        assert.equal(summary.rejectedCount, n - atLimit)
        assert.ok(summary.rejected.every((p) => p.code === 'INVALID_PAYLOAD'))
        assert.equal(book.status().entries, atLimit)
      })
    })

    test('a payload too deep for JSON.stringify is refused, so the export as text never meets it', async () => {
      const frame = frameOf(segmentOf(SPACE, [firstEntry(numberedIdentity(0), jsonTextBody(g.nestedJson(20_000), T0))]))
      const book = await memoryBook()
      try {
        const summary = await book.import(frame)
        assert.deepEqual(summary.rejected.map((p) => p.code), ['INVALID_PAYLOAD'])
        await collect(book.export({ format: 'json' }))
      } finally {
        await book.close()
      }
    })
  })

  test('reimport: entries the store holds are duplicates, and the state does not change', async () => {
    const n = SMALL.reimport
    await withHostile(g.reimport(n), async (book, first) => {
      assert.equal(first.imported, n)
      const before = await snapshot(book)
      const again = await book.import(concatBytes(g.reimport(n).input))
      assert.equal(again.imported, 0)
      assert.equal(again.duplicates, n)
      assert.deepEqual(await snapshot(book), before)
    })
  })

  describe('prefix-cuts: n entries sent as n prefixes', () => {
    const n = SMALL['prefix-cuts']
    const made = g.prefixCuts(n)
    test('all of them wait, none is rejected, and the missing entry readies n + 1', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.rejectedCount, 0)
        assert.equal(book.status().entries, 0)
        await importedInto(book, made.withheld)
        assert.equal(book.status().entries, n + 1)
        assert.equal(book.status().pendingEntries, 0)
      })
    })
    test('the summary counts n imported and n pending entries', async () => {
      await withHostile(made, async (book, summary) => {
        assert.equal(summary.imported, n)
        assert.equal(summary.pending, n)
        assert.equal(book.status().pendingEntries, n)
      })
    })
  })
})
