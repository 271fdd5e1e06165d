// Child process: append N payloads to a fresh logbook store in --dir, batched or one awaited append at a time.
// Usage: node logbook-append.js --dir D --mode batched|single --n N [--batch B]
import { Logbook } from '../../src/index.js'
import { performance } from 'node:perf_hooks'
import { caseArgs, closeAndReport, chunk, makePayloads, need, needInt, runCase } from '../measure.js'

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
  await closeAndReport({ system: 'logbook', case: mode, entries: n, dir, seconds, close: async () => await book.close() })
})
