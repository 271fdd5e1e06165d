// Child process, timed: a fresh store of --space in --dir connects to the sending side on loopback TCP
// (--port) and replicates until its session is synced (everything the sender held is stored), then closes.
// The clock starts before the connect; the close is timed too, as in every case (logbook applies writes to
// LevelDB behind its journal, and the close waits for that).
// Usage: node logbook-repl-sink.js --dir D --port P --space HEX --expect N
import { performance } from 'node:perf_hooks'
import { Logbook } from '../../src/index.js'
import { caseArgs, closeAndReport, connectLoopback, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const port = needInt(args, 'port')
  const spaceKey = new Uint8Array(Buffer.from(need(args, 'space'), 'hex'))
  const expect = needInt(args, 'expect')

  const book = await Logbook.create({ dir, spaceKey })

  const t0 = performance.now()
  const socket = await connectLoopback(port)
  const stream = book.replicate(true, { stream: socket })
  const stats = await stream.session.synced
  const syncedSeconds = (performance.now() - t0) / 1000
  const entries = book.status().entries
  if (entries !== expect) throw new Error(`logbook holds ${entries} entries after the sync; ${expect} were sent`)
  await stream.session.done

  await closeAndReport({ system: 'logbook', case: 'replicate', entries, dir, seconds: syncedSeconds, close: async () => await book.close(), extra: { syncedSeconds, stats } })
})
