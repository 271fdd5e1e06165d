// Child process: append N payloads to a fresh logbook store in --dir, batched or one awaited append at a time.
// Usage: node logbook-append.js --dir D --mode batched|single --n N [--batch B]
import { Logbook } from '../../src/index.js'
import { performance } from 'node:perf_hooks'
import { caseArgs, dirBreakdown, chunk, dirBytes, makePayloads, need, needInt, peakRssMB, report, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const mode = need(args, 'mode')
  const n = needInt(args, 'n')
  const batch = mode === 'batched' ? needInt(args, 'batch') : 1

  const payloads = makePayloads(n)
  const batches = mode === 'batched' ? chunk(payloads, batch) : []

  const book = await Logbook.create({ dir }) // defaults: no fsync

  let ids = 0
  const t0 = performance.now()
  if (mode === 'batched') {
    for (const b of batches) ids += (await book.append(b)).length
  } else if (mode === 'single') {
    for (const p of payloads) { await book.append(p); ids++ }
  } else {
    throw new Error('unknown --mode ' + mode)
  }
  const seconds = (performance.now() - t0) / 1000

  if (ids !== n) throw new Error(`logbook returned ${ids} ids for ${n} payloads`)
  const c0 = performance.now()
  await book.close()
  const closeSeconds = (performance.now() - c0) / 1000
  const disk = dirBytes(dir)

  report({
    system: 'logbook',
    case: mode,
    entries: n,
    // Timed until the store is closed: logbook applies writes behind its journal, and the close
    // (which drains it) counts, for both systems alike.
    seconds: seconds + closeSeconds,
    entriesPerSec: n / (seconds + closeSeconds),
    peakRssMB: peakRssMB(),
    diskBytes: disk,
    diskBytesPerEntry: disk / n,
    extra: { disk: dirBreakdown(dir), appendSeconds: seconds, closeSeconds, heapUsedMBAfter: process.memoryUsage().heapUsed / 2 ** 20 }
  })
})
