// Child process, the sending side of the replication case for hypercore (nothing timed here): a fresh core
// in --dir gets --n payloads appended in batches of --batch and is closed, reopened, then serves one peer
// on loopback TCP (`core.replicate(false)` piped to the socket) until the peer hangs up.
// Usage: node hypercore-repl-source.js --dir D --n N --batch B
import Hypercore from 'hypercore'
import { caseArgs, chunk, makePayloads, need, needInt, peakRssMB, report, runCase, serveOnce } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const n = needInt(args, 'n')
  const batch = needInt(args, 'batch')

  const writer = new Hypercore(dir)
  await writer.ready()
  for (const b of chunk(makePayloads(n), batch)) await writer.append(b)
  await writer.close()
  const core = new Hypercore(dir)
  await core.ready()

  await serveOnce({ key: Buffer.from(core.key).toString('hex') }, async (socket) => {
    const stream = core.replicate(false)
    socket.pipe(stream).pipe(socket)
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve())
      socket.once('error', () => resolve())
    })
    stream.destroy()
  })
  await core.close()
  report({ system: 'hypercore', case: 'replicate-source', entries: n, seconds: NaN, entriesPerSec: NaN, peakRssMB: peakRssMB(), diskBytes: null, diskBytesPerEntry: null, extra: {} })
})
