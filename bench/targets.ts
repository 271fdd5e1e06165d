// The project's performance targets, checked against the medians.
import type { CaseId, CaseReport, Results, TargetCheck } from './types.js'
import { MAX_UNIT_TIME_RATIO, MIN_NORMAL_SHARE } from './hostile/suite.js'
import type { HostileResults } from './hostile/types.js'

export const IMPORT_MIN_ENTRIES_PER_SEC = 150_000
export const IMPORT_MAX_RSS_MB = 300
export const BATCHED_MIN_RATIO = 1.5
export const SINGLE_MIN_RATIO = 3
export const VIEW_REBUILD_MIN_ENTRIES_PER_SEC = 200_000
export const VIEW_REBUILD_MAX_RSS_MB = 300
export const CLI_LINES_MIN_RATIO = 0.8

function find (r: Results, id: CaseId): CaseReport | undefined {
  return r.cases.find(c => c.id === id)
}

function ratioCheck (c: CaseReport | undefined, name: string, min: number): TargetCheck {
  const ratio = c?.ratio ?? null
  return {
    name,
    target: `logbook ≥ ${min}× hypercore`,
    measured: ratio === null ? 'missing' : `${ratio.toFixed(2)}×`,
    pass: ratio === null ? null : ratio >= min
  }
}

function diskCheck (c: CaseReport | undefined, name: string): TargetCheck {
  const lb = c?.systems.logbook.median?.diskBytesPerEntry ?? null
  const hc = c?.systems.hypercore.median?.diskBytesPerEntry ?? null
  return {
    name,
    target: 'logbook < hypercore',
    measured: lb === null || hc === null ? 'missing' : `${lb.toFixed(1)} vs ${hc.toFixed(1)} B/entry`,
    pass: lb === null || hc === null ? null : lb < hc
  }
}

type Median = NonNullable<CaseReport['systems']['logbook']['median']>

/** logbook's median entries/s of a case against an absolute floor. */
function rateCheck (name: string, m: Median | null, min: number): TargetCheck {
  return {
    name,
    target: `≥ ${min.toLocaleString('en-US')} entries/s`,
    measured: m === null ? 'missing' : `${Math.round(m.entriesPerSec).toLocaleString('en-US')} entries/s`,
    pass: m === null ? null : m.entriesPerSec >= min
  }
}

/** logbook's median peak RSS of a case against a ceiling. */
function rssCheck (name: string, m: Median | null, maxMB: number): TargetCheck {
  return {
    name,
    target: `< ${maxMB} MB`,
    measured: m === null ? 'missing' : `${m.peakRssMB.toFixed(0)} MB`,
    pass: m === null ? null : m.peakRssMB < maxMB
  }
}

/** One target per hostile input: its time per unit stays flat from N to the largest size, and it ingests near a normal import's rate. */
function hostileTargets (h: HostileResults): TargetCheck[] {
  const top = `${h.factors[h.factors.length - 1]}N`
  return h.cases.map(c => {
    const last = c.sizes[c.sizes.length - 1]
    const unfinished = c.sizes.find(s => s.status !== 'ok')
    return {
      name: `Hostile input: ${c.title}`,
      target: `time per unit at ${top} ≤ ${MAX_UNIT_TIME_RATIO}× at N; ingest ≥ ${MIN_NORMAL_SHARE * 100}% of a normal import's bytes/s`,
      measured: c.ratio === null || c.share === null
        ? `${unfinished?.status ?? last?.status ?? 'missing'} at ${unfinished?.factor ?? last?.factor ?? '?'}N`
        : `${c.ratio.toFixed(2)}×, ${(c.share * 100).toFixed(0)}%`,
      pass: c.ratioPass && c.sharePass
    }
  })
}

export function evaluateTargets (r: Results): TargetCheck[] {
  const out: TargetCheck[] = []
  out.push(ratioCheck(find(r, 'batched'), 'Batched append throughput', BATCHED_MIN_RATIO))
  out.push(ratioCheck(find(r, 'single'), 'Single awaited append throughput', SINGLE_MIN_RATIO))
  const imp = find(r, 'import')
  const m = imp?.systems.logbook.median ?? null
  out.push(rateCheck('Import throughput', m, IMPORT_MIN_ENTRIES_PER_SEC))
  out.push(rssCheck('Import peak RSS', m, IMPORT_MAX_RSS_MB))
  const runs = imp?.systems.logbook.runs.filter(x => x.ok && x.result !== undefined) ?? []
  out.push({
    name: 'Import is complete (every run)',
    target: `imported = ${imp === undefined ? '?' : imp.entries.toLocaleString('en-US')}, 0 rejected/pending`,
    measured: runs.length === 0
      ? 'missing'
      : runs.map(x => {
        const e = x.result!.extra
        return `${Number(e.imported)}/${Number(e.duplicates)}/${Number(e.pending)}/${Number(e.rejected)}`
      }).join(', ') + ' (imported/dup/pending/rejected)',
    pass: runs.length === 0 || imp === undefined
      ? null
      : runs.every(x => {
        const e = x.result!.extra
        return e.imported === imp.entries && e.pending === 0 && e.rejected === 0
      })
  })
  const view = find(r, 'view-rebuild')?.systems.logbook.median ?? null
  out.push(rateCheck('kv view rebuild throughput', view, VIEW_REBUILD_MIN_ENTRIES_PER_SEC))
  out.push(rssCheck('kv view rebuild peak RSS', view, VIEW_REBUILD_MAX_RSS_MB))
  out.push(diskCheck(find(r, 'disk-batched'), 'Disk bytes/entry after batched append'))
  out.push(diskCheck(find(r, 'single'), 'Disk bytes/entry after single appends'))
  const cli = find(r, 'cli-lines')
  out.push({
    name: '`append --lines` against the library\'s batched append',
    target: `command ≥ ${CLI_LINES_MIN_RATIO}× library`,
    measured: cli?.ratio === null || cli?.ratio === undefined ? 'missing' : `${cli.ratio.toFixed(2)}×`,
    pass: cli?.ratio === null || cli?.ratio === undefined ? null : cli.ratio >= CLI_LINES_MIN_RATIO
  })
  if (r.hostile !== null) out.push(...hostileTargets(r.hostile))
  return out
}
