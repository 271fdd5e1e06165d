// Child process, timed: a fresh core of --key in --dir connects to the sending side on loopback TCP
// (--port), downloads the whole core (`core.download({ start: 0, end: -1 })`) and waits until
// `contiguousLength` reaches --expect, then hangs up and closes. The clock starts before the connect and
// runs through the close, as for logbook.
// Usage: node hypercore-repl-sink.js --dir D --port P --key HEX --expect N
import Hypercore from 'hypercore'
import { performance } from 'node:perf_hooks'
import { caseArgs, closeAndReport, connectLoopback, need, needInt, runCase } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const port = needInt(args, 'port')
  const key = Buffer.from(need(args, 'key'), 'hex')
  const expect = needInt(args, 'expect')

  const core = new Hypercore(dir, key)
  await core.ready()

  const t0 = performance.now()
  const socket = await connectLoopback(port)
  const stream = core.replicate(true)
  socket.pipe(stream).pipe(socket)
  const complete = new Promise<void>((resolve) => {
    const check = (): void => {
      if (core.contiguousLength < expect) return
      core.off('download', check)
      resolve()
    }
    core.on('download', check)
    check()
  })
  const range = core.download({ start: 0, end: -1 })
  await complete
  const syncedSeconds = (performance.now() - t0) / 1000
  range.destroy()
  stream.destroy()
  socket.destroy()

  await closeAndReport({ system: 'hypercore', case: 'replicate', entries: core.contiguousLength, dir, seconds: syncedSeconds, close: async () => await core.close(), extra: { syncedSeconds } })
})
