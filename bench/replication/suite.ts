// The replication cases of the benchmark, each run in fresh child processes with fresh temp directories:
// throughput between two processes over loopback TCP (logbook against hypercore, and against logbook's own
// import of the same entries), what a small difference among many feeds costs on the wire, and how fast a
// live append reaches twenty peers.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { median, mediansOf } from '../measure.js'
import { caseScript, runChild, startServer, type RunOutcome } from '../spawn.js'
import type { RunRecord, System, SystemCase } from '../types.js'
import { replicationTargets } from './targets.js'
import type { ChildRun, DiffResult, DiffRow, DiffSync, LiveResult, LiveSummary, ReplicationResults, ReplicationSizes } from './types.js'

export interface ReplicationOptions {
  sizes: ReplicationSizes
  runs: number
  systems: System[]
  timeoutMs: number
  /** Where each run's temp directories are made (under os.tmpdir()). */
  tmpRoot: string
  log: (line: string) => void
}

const fmtN = (n: number): string => Math.round(n).toLocaleString('en-US')

function record<T> (run: number, o: RunOutcome<T>): ChildRun<T> {
  return o.ok ? { run, ok: true, result: o.result } : { run, ok: false, error: o.error }
}

function describe (o: RunOutcome): string {
  if (!o.ok) return 'FAILED: ' + o.error.split('\n')[0]
  return `${fmtN(o.result.entriesPerSec)} entries/s, ${o.result.seconds.toFixed(2)} s, peak RSS ${o.result.peakRssMB.toFixed(0)} MB`
}

export async function runReplication (o: ReplicationOptions): Promise<ReplicationResults> {
  const { sizes, log } = o
  let seq = 0
  const freshDir = (name: string): string => {
    const dir = join(o.tmpRoot, `repl-${name}-${seq++}`)
    mkdirSync(dir)
    return dir
  }
  const empty = (): SystemCase => ({ runs: [], median: null })
  const throughput = { logbook: empty(), hypercore: empty(), import: empty(), sourceErrors: [] as string[] }

  /** One sending process and one receiving (timed) process; the sender's failure is kept aside. */
  async function pair (system: System, run: number, source: string, sourceArgs: string[], sink: (info: Record<string, unknown>, dir: string) => Promise<RunRecord>): Promise<RunRecord> {
    const dir = freshDir(`${system}-source`)
    try {
      const server = startServer(source, ['--dir', dir, ...sourceArgs], o.timeoutMs)
      let info: Record<string, unknown>
      try {
        info = await server.listening
      } catch (err) {
        return { run, ok: false, error: String(err) }
      }
      const sinkDir = freshDir(`${system}-sink`)
      try {
        const rec = await sink(info, sinkDir)
        const sent = await server.outcome
        if (!sent.ok) throughput.sourceErrors.push(`${system} run ${run}: ${sent.error.split('\n')[0]}`)
        return rec
      } finally {
        rmSync(sinkDir, { recursive: true, force: true })
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  async function timed (label: string, run: number, script: string, args: string[]): Promise<RunRecord> {
    const out = await runChild(caseScript(script), args, o.timeoutMs)
    log(`  ${label} run ${run}: ${describe(out)}`)
    return record(run, out)
  }

  log(`case replication-throughput: ${fmtN(sizes.entries)} entries between two processes over loopback TCP`)
  const common = ['--n', String(sizes.entries), '--batch', String(sizes.batch)]
  for (let run = 1; run <= o.runs; run++) {
    const logbook = async (): Promise<void> => {
      const exportFile = join(o.tmpRoot, `repl-export-${run}`)
      throughput.logbook.runs.push(await pair('logbook', run, 'logbook-repl-source', [...common, '--export', exportFile], async (info, dir) => {
        const space = String(info.spaceKey)
        const importDir = freshDir('import')
        const importRun = async (): Promise<void> => {
          throughput.import.runs.push(await timed('import   ', run, 'logbook-import', ['--dir', importDir, '--file', exportFile, '--space', space, '--expect', String(sizes.entries)]))
        }
        try {
          // the import of the same entries alternates with the replication, the sender idle meanwhile
          if (run % 2 === 1) await importRun()
          const rec = await timed('logbook  ', run, 'logbook-repl-sink', ['--dir', dir, '--port', String(info.port), '--space', space, '--expect', String(sizes.entries)])
          if (run % 2 === 0) await importRun()
          return rec
        } finally {
          rmSync(importDir, { recursive: true, force: true })
        }
      }))
      rmSync(exportFile, { force: true })
    }
    const hypercore = async (): Promise<void> => {
      throughput.hypercore.runs.push(await pair('hypercore', run, 'hypercore-repl-source', common, async (info, dir) =>
        await timed('hypercore', run, 'hypercore-repl-sink', ['--dir', dir, '--port', String(info.port), '--key', String(info.key), '--expect', String(sizes.entries)])))
    }
    // alternate which system goes first, so neither always gets the cooler machine
    const order: Array<[System, () => Promise<void>]> = [['logbook', logbook], ['hypercore', hypercore]]
    if (run % 2 === 0) order.reverse()
    for (const [system, go] of order) if (o.systems.includes(system)) await go()
  }
  for (const c of [throughput.logbook, throughput.hypercore, throughput.import]) c.median = mediansOf(c.runs)

  log(`case replication-diff: ${fmtN(sizes.feeds)} feeds, ${sizes.changed} new entries on one side`)
  const diffRuns: Array<ChildRun<DiffResult>> = []
  for (let run = 1; run <= o.runs; run++) {
    const dir = freshDir('diff')
    try {
      const out = await runChild<DiffResult>(caseScript('logbook-repl-diff'), ['--dir', dir, '--feeds', String(sizes.feeds), '--per-feed', String(sizes.perFeed), '--changed', String(sizes.changed)], o.timeoutMs)
      log(`  diff run ${run}: ${out.ok ? out.result.syncs.map((s) => `${s.peers}/${s.difference}: ${wire(s).total} B`).join(', ') : 'FAILED: ' + out.error.split('\n')[0]}`)
      diffRuns.push(record(run, out))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  log(`case replication-live: ${sizes.livePeers} live peers of one hub, ${sizes.liveAppends} appends`)
  const liveRuns: Array<ChildRun<LiveResult>> = []
  for (let run = 1; run <= o.runs; run++) {
    const dir = freshDir('live')
    try {
      const out = await runChild<LiveResult>(caseScript('logbook-repl-live'), ['--dir', dir, '--peers', String(sizes.livePeers), '--appends', String(sizes.liveAppends)], o.timeoutMs)
      log(`  live run ${run}: ${out.ok ? `to the last peer: median ${median(out.result.lastMs).toFixed(1)} ms, worst ${Math.max(...out.result.lastMs).toFixed(1)} ms` : 'FAILED: ' + out.error.split('\n')[0]}`)
      liveRuns.push(record(run, out))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  const results: ReplicationResults = {
    sizes,
    runs: o.runs,
    throughput,
    diff: { runs: diffRuns, rows: diffRows(diffRuns) },
    live: { runs: liveRuns, summary: liveSummary(liveRuns) },
    targets: []
  }
  results.targets = replicationTargets(results)
  return results
}

/** Bytes each way as the sending side counted them. */
export function wire (s: DiffSync): { initiatorToResponder: number, responderToInitiator: number, total: number } {
  const initiatorToResponder = s.initiator.wireBytes.sent
  const responderToInitiator = s.responder.wireBytes.sent
  return { initiatorToResponder, responderToInitiator, total: initiatorToResponder + responderToInitiator }
}

function diffRows (runs: Array<ChildRun<DiffResult>>): DiffRow[] {
  const ok = runs.filter((r) => r.ok && r.result !== undefined).map((r) => r.result as DiffResult)
  if (ok.length === 0) return []
  return ok[0].syncs.map((first, i) => {
    const same = ok.map((r) => r.syncs[i])
    const w = same.map(wire)
    return {
      peers: first.peers,
      difference: first.difference,
      mode: [...new Set(same.map((s) => s.initiator.mode))].join('/'),
      initiatorToResponder: median(w.map((x) => x.initiatorToResponder)),
      responderToInitiator: median(w.map((x) => x.responderToInitiator)),
      total: median(w.map((x) => x.total)),
      roundTrips: median(same.map((s) => Math.max(s.initiator.roundTrips, s.responder.roundTrips))),
      entriesSent: { byInitiator: median(same.map((s) => s.initiator.sent.entries)), byResponder: median(same.map((s) => s.responder.sent.entries)) },
      syncMs: median(same.map((s) => Math.max(s.initiator.syncMs ?? NaN, s.responder.syncMs ?? NaN)))
    }
  })
}

function liveSummary (runs: Array<ChildRun<LiveResult>>): LiveSummary | null {
  const ok = runs.filter((r) => r.ok && r.result !== undefined).map((r) => r.result as LiveResult)
  if (ok.length === 0) return null
  return {
    medianLastMs: median(ok.map((r) => median(r.lastMs))),
    worstLastMs: median(ok.map((r) => Math.max(...r.lastMs))),
    worstOfAllMs: Math.max(...ok.flatMap((r) => r.lastMs)),
    medianFirstMs: median(ok.map((r) => median(r.firstMs))),
    medianEachMs: median(ok.map((r) => median(r.eachMs)))
  }
}
