// Child process: the library's batched append of the JSON values of a lines file (parsed before the clock
// starts), into a fresh store in --dir. The side of the `cli-lines` case that the command is measured against.
// Usage: node logbook-append-json.js --dir D --file F --batch B
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Logbook, type JsonValue } from '../../src/index.js'
import { caseArgs, closeAndReport, chunk, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const batch = needInt(args, 'batch')
  const values = readFileSync(need(args, 'file'), 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as JsonValue)
  const batches = chunk(values, batch)

  const book = await Logbook.create({ dir })
  let ids = 0
  const t0 = performance.now()
  for (const b of batches) ids += (await book.append(b)).length
  const seconds = (performance.now() - t0) / 1000

  if (ids !== values.length) throw new Error(`logbook returned ${ids} ids for ${values.length} payloads`)
  await closeAndReport({ system: 'logbook', case: 'library-json', entries: values.length, dir, seconds, close: async () => await book.close() })
})
