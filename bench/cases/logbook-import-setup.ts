// Child process (setup, not timed as part of the result): two logbook stores of one space with
// different authors, --half entries each appended in batches of --batch, each exported (binary)
// to a file, the two files concatenated into --out.
// Usage: node logbook-import-setup.js --work W --out FILE --half N --batch B
import { Logbook } from '../../src/index.js'
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { performance } from 'node:perf_hooks'
import { caseArgs, chunk, makePayloads, need, needInt, peakRssMB, report, runCase } from '../measure.js'

async function fill (book: Logbook, half: number, batch: number): Promise<void> {
  for (const b of chunk(makePayloads(half), batch)) await book.append(b)
}

runCase(async () => {
  const args = caseArgs()
  const work = need(args, 'work')
  const out = need(args, 'out')
  const half = needInt(args, 'half')
  const batch = needInt(args, 'batch')
  const t0 = performance.now()

  const dirA = join(work, 'store-a')
  const dirB = join(work, 'store-b')
  mkdirSync(dirA, { recursive: true })
  mkdirSync(dirB, { recursive: true })
  const a = await Logbook.create({ dir: dirA })
  const b = await Logbook.create({ dir: dirB, spaceKey: a.spaceKey })
  await fill(a, half, batch)
  await fill(b, half, batch)

  const fileA = join(work, 'a.export')
  const fileB = join(work, 'b.export')
  await pipeline(Readable.from(a.export()), createWriteStream(fileA))
  await pipeline(Readable.from(b.export()), createWriteStream(fileB))
  await a.close()
  await b.close()

  const dst = createWriteStream(out)
  await pipeline(createReadStream(fileA), dst, { end: false })
  await pipeline(createReadStream(fileB), dst)

  report({
    system: 'logbook',
    case: 'import-setup',
    entries: 2 * half,
    seconds: (performance.now() - t0) / 1000,
    entriesPerSec: NaN,
    peakRssMB: peakRssMB(),
    diskBytes: null,
    diskBytesPerEntry: null,
    extra: {
      spaceKey: Buffer.from(a.spaceKey).toString('hex'),
      exportBytesA: statSync(fileA).size,
      exportBytesB: statSync(fileB).size,
      exportBytes: statSync(out).size
    }
  })
})
