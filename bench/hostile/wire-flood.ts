// The overlapping-pending flood of the hostile drill, sent by a hostile peer over the replication
// protocol at N, 2N and 4N segments, each size in a fresh process: the honest side's time and peak RSS
// to absorb it, beside an import of the same segments, to show that the cost over the wire stays linear.
//
//   node dist/bench/hostile/wire-flood.js [--n N]
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { concatBytes, memoryBook, SPACE_KEY } from '../../test/helpers/fixtures.js'
import { HostilePeer } from '../../test/helpers/hostile-peer.js'
import { caseArgs, peakRssMB, report } from '../measure.js'
import { runChild } from '../spawn.js'
import { overlappingPending } from './generators.js'

interface FloodResult { n: number, via: 'wire' | 'import', seconds: number, peakRssMB: number, pendingEntries: number }

const FACTORS = [1, 2, 4]

async function measure (n: number, via: 'wire' | 'import'): Promise<FloodResult> {
  const { input } = overlappingPending(n)
  const book = await memoryBook()
  const start = performance.now()
  if (via === 'import') {
    await book.import(concatBytes(input))
  } else {
    const honest = book.replicate(false, { timeout: 60_000 })
    const peer = HostilePeer.piped(honest, true)
    await peer.handshake(SPACE_KEY)
    await peer.reconcile()
    for (const frame of input) await peer.sendFrame(frame)
    await peer.finish()
    await honest.session.done
  }
  const seconds = (performance.now() - start) / 1000
  const pendingEntries = book.status().pendingEntries
  await book.close()
  return { n, via, seconds, peakRssMB: peakRssMB(), pendingEntries }
}

async function main (): Promise<void> {
  const args = caseArgs()
  const child = args.get('measure')
  if (child !== undefined) {
    report(await measure(Number(args.get('n')), child as 'wire' | 'import'))
    return
  }
  const base = Number(args.get('n') ?? 32)
  const script = fileURLToPath(import.meta.url)
  process.stdout.write('segments  via     seconds  ms/segment  peak RSS MB  pending entries\n')
  for (const factor of FACTORS) {
    for (const via of ['import', 'wire'] as const) {
      const outcome = await runChild<FloodResult>(script, ['--measure', via, '--n', String(base * factor)], 600_000)
      if (!outcome.ok) { process.stdout.write(`${base * factor}  ${via}  failed: ${outcome.error}\n`); continue }
      const r = outcome.result
      process.stdout.write(`${String(r.n).padStart(8)}  ${via.padEnd(6)}  ${r.seconds.toFixed(2).padStart(7)}  ${(r.seconds * 1000 / r.n).toFixed(1).padStart(10)}  ${r.peakRssMB.toFixed(0).padStart(11)}  ${String(r.pendingEntries).padStart(15)}\n`)
    }
  }
}

await main()
