// Child process: append N payloads to a fresh hypercore in --dir, batched or one awaited append at a time.
// Usage: node hypercore-append.js --dir D --mode batched|single --n N [--batch B]
import Hypercore from 'hypercore'
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

  const core = new Hypercore(dir) // defaults: binary, no fsync
  await core.ready()

  const t0 = performance.now()
  if (mode === 'batched') {
    for (const b of batches) await core.append(b)
  } else if (mode === 'single') {
    for (const p of payloads) await core.append(p)
  } else {
    throw new Error('unknown --mode ' + mode)
  }
  const seconds = (performance.now() - t0) / 1000

  if (core.length !== n) throw new Error(`hypercore length ${core.length} != ${n}`)
  await closeAndReport({ system: 'hypercore', case: mode, entries: n, dir, seconds, close: async () => await core.close() })
})
