// Child process, the sending side of the replication case (nothing timed here): a fresh store in --dir gets
// --n payloads appended in batches of --batch and is closed (so its LevelDB work is over before a peer
// comes), reopened, exported (binary) to --export for the import the replication is compared with, then
// serves one peer on loopback TCP. Reports its side's session stats once the session has ended.
// Usage: node logbook-repl-source.js --dir D --n N --batch B --export FILE
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { filledStore } from '../filled-store.js'
import { caseArgs, need, needInt, peakRssMB, report, runCase, serveOnce } from '../measure.js'

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const n = needInt(args, 'n')
  const batch = needInt(args, 'batch')
  const file = need(args, 'export')

  const book = await filledStore(dir, n, batch)
  await pipeline(Readable.from(book.export()), createWriteStream(file))

  const stats = await serveOnce({ spaceKey: Buffer.from(book.spaceKey).toString('hex') }, async (socket) => {
    const stream = book.replicate(false, { stream: socket })
    return await stream.session.done
  })
  await book.close()
  report({ system: 'logbook', case: 'replicate-source', entries: n, seconds: NaN, entriesPerSec: NaN, peakRssMB: peakRssMB(), diskBytes: null, diskBytesPerEntry: null, extra: { stats } })
})
