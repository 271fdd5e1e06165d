// Child process, timed: rebuild of the kv view over --n ready entries (one kv put each, distinct keys).
// Setup (not timed) runs in a separate process, this script with --fill, so that its memory does not count
// in the peak RSS: a fresh store in --dir gets --n entries appended in batches of --batch.
// Timed: open the store, register the kv view (which has never been built) and wait until it has applied
// every entry, then close (which commits the last batch). Rows are kept on disk: one per key.
// Usage: node logbook-view-rebuild.js --dir D --n N [--batch B]
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { kvView, Logbook } from '../../src/index.js'
import { caseArgs, dirBytes, need, needInt, peakRssMB, report, runCase } from '../measure.js'

async function fill (dir: string, n: number, batch: number): Promise<void> {
  const book = await Logbook.create({ dir })
  for (let at = 0; at < n; at += batch) {
    await book.append(Array.from({ length: Math.min(batch, n - at) }, (_, i) => ({ type: 'kv', key: `key-${at + i}`, value: at + i })))
  }
  await book.close()
}

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const n = needInt(args, 'n')
  const batch = args.has('batch') ? needInt(args, 'batch') : 1000
  const store = join(dir, 'store')
  if (args.has('fill')) {
    await fill(store, n, batch)
    process.exit(0)
  }

  const s0 = performance.now()
  const setup = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--dir', dir, '--n', String(n), '--batch', String(batch), '--fill', '1'], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (setup.status !== 0) throw new Error(`setup failed with exit code ${String(setup.status)}`)
  const setupSeconds = (performance.now() - s0) / 1000

  const book = await Logbook.open({ dir: store })
  const t0 = performance.now()
  const view = book.use('kv', kvView())
  await view.ready()
  await book.close()
  const seconds = (performance.now() - t0) / 1000
  const applied = view.entriesApplied
  if (applied !== n) throw new Error(`the view applied ${applied} entries, expected ${n}`)

  report({
    system: 'logbook',
    case: 'view-rebuild',
    entries: applied,
    seconds,
    entriesPerSec: applied / seconds,
    peakRssMB: peakRssMB(),
    diskBytes: null,
    diskBytesPerEntry: null,
    extra: { setupSeconds, storeBytesAfter: dirBytes(store), heapUsedMBAfter: process.memoryUsage().heapUsed / 2 ** 20 }
  })
})
