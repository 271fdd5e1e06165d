// Child process, timed: a fresh store of --space in --dir imports the concatenated export --file,
// streamed from disk (fs.createReadStream, default 64 KiB chunks). With --whole the file is read into
// memory before the clock starts and imported as one Uint8Array (as a page imports bytes it holds); with
// --store memory the store is memory-level instead of classic-level in --dir.
// Usage: node logbook-import.js --dir D --file F --space HEX --expect N [--whole yes] [--store dir|memory]
import { Logbook } from '../../src/index.js'
import { createReadStream, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { MemoryLevel } from 'memory-level'
import { caseArgs, closeAndReport, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const file = need(args, 'file')
  const spaceKey = new Uint8Array(Buffer.from(need(args, 'space'), 'hex'))
  const expect = needInt(args, 'expect')
  const whole = args.get('whole') === 'yes'
  const store = args.get('store') ?? 'dir'
  if (store !== 'dir' && store !== 'memory') throw new Error('--store takes dir or memory')

  const book = store === 'dir'
    ? await Logbook.create({ dir, spaceKey })
    : await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey })
  const source = whole ? new Uint8Array(readFileSync(file)) : createReadStream(file)

  const t0 = performance.now()
  const res = await book.import(source)
  const seconds = (performance.now() - t0) / 1000

  const summary = {
    imported: res.imported,
    duplicates: res.duplicates,
    pending: res.pending,
    rejected: res.rejectedCount,
    segments: res.segments,
    corrupt: res.corrupt,
    firstProblems: res.rejected.slice(0, 3)
  }

  await closeAndReport({ system: 'logbook', case: 'import', entries: res.imported, dir, seconds, close: async () => await book.close(), extra: { ...summary, expected: expect, complete: res.imported === expect } })
})
