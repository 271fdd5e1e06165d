// Child process, timed: a fresh store of --space in --dir imports the concatenated export --file,
// streamed from disk (fs.createReadStream, default 64 KiB chunks).
// Usage: node logbook-import.js --dir D --file F --space HEX --expect N
import { Logbook } from '../../src/index.js'
import { createReadStream } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { caseArgs, closeAndReport, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const file = need(args, 'file')
  const spaceKey = new Uint8Array(Buffer.from(need(args, 'space'), 'hex'))
  const expect = needInt(args, 'expect')

  const book = await Logbook.create({ dir, spaceKey })

  const t0 = performance.now()
  const res = await book.import(createReadStream(file))
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
