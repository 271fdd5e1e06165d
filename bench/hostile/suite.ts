// Runs one hostile case at N × each factor, every step in a fresh child process with its own temp
// directory (removed afterwards), and judges the scaling: the time per unit at the largest size against
// the smallest (≤ 1.5×), and the ingest rate against a normal import of as many bytes (≥ 25%).
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChild } from '../spawn.js'
import type { HostileCase } from './cases.js'
import type { HostileCaseReport, HostileResult, NormalResult, PreparedMeta, SizeRecord } from './types.js'

export const MAX_UNIT_TIME_RATIO = 1.5
export const MIN_NORMAL_SHARE = 0.25
export const DEFAULT_FACTORS = [1, 2, 4, 8]

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url))

export interface SuiteOptions {
  /** N; the case's own base N when absent. */
  base?: number
  factors: number[]
  timeoutMs: number
  /** Where each run's temp directory is made (under os.tmpdir()). */
  tmpRoot: string
  log: (line: string) => void
}

export function perUnit (r: HostileResult): number {
  return r.seconds / r.units
}

export function ingestRate (r: HostileResult): number {
  return r.ingestBytes / r.ingestSeconds
}

export function normalRate (n: NormalResult): number {
  return n.bytes / n.seconds
}

/** The ingest rate as a share of the normal import's, when both are known. */
export function shareOf (size: SizeRecord): number | null {
  if (size.result === undefined || size.normal === undefined) return null
  const share = ingestRate(size.result) / normalRate(size.normal)
  return Number.isFinite(share) ? share : null
}

/** Preparing takes longer than the import it prepares (it signs what the import verifies): allow it more. */
const PREPARE_TIMEOUT_FACTOR = 4

async function runSize (c: HostileCase, factor: number, n: number, o: SuiteOptions): Promise<SizeRecord> {
  const dir = mkdtempSync(join(o.tmpRoot, `${c.id}-${n}-`))
  try {
    const prepared = await runChild<PreparedMeta>(CHILD, ['--phase', 'prepare', '--case', c.id, '--n', String(n), '--dir', dir], o.timeoutMs * PREPARE_TIMEOUT_FACTOR)
    if (!prepared.ok) return { factor, n, status: 'failed', error: 'preparing: ' + prepared.error }
    const measured = await runChild<HostileResult>(CHILD, ['--phase', 'measure', '--case', c.id, '--dir', dir], o.timeoutMs)
    if (!measured.ok) return { factor, n, status: measured.timedOut === true ? 'timeout' : 'failed', error: measured.error }
    const normal = await runChild<NormalResult>(CHILD, ['--phase', 'normal', '--case', c.id, '--dir', dir], o.timeoutMs)
    return { factor, n, status: 'ok', result: measured.result, ...(normal.ok ? { normal: normal.result } : { error: 'normal import: ' + normal.error }) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function describeSize (s: SizeRecord): string {
  if (s.status !== 'ok' || s.result === undefined) return `${s.status}${s.error === undefined ? '' : ': ' + s.error.split('\n')[0]}`
  const r = s.result
  const share = shareOf(s)
  return `${r.seconds.toFixed(3)} s, ${(perUnit(r) * 1e6).toFixed(1)} µs/unit, peak RSS ${r.peakRssMB.toFixed(0)} MB` +
    (share === null ? '' : `, ingest ${(share * 100).toFixed(0)}% of normal`)
}

/** The verdicts of a case from its sizes: both fail when the largest size did not finish. */
export function judge (sizes: SizeRecord[]): Pick<HostileCaseReport, 'ratio' | 'share' | 'ratioPass' | 'sharePass'> {
  const first = sizes[0]?.result
  const last = sizes[sizes.length - 1]
  const ratio = first !== undefined && last?.result !== undefined ? perUnit(last.result) / perUnit(first) : null
  const share = last === undefined ? null : shareOf(last)
  return { ratio, share, ratioPass: ratio !== null && ratio <= MAX_UNIT_TIME_RATIO, sharePass: share !== null && share >= MIN_NORMAL_SHARE }
}

export async function runHostileCase (c: HostileCase, o: SuiteOptions): Promise<HostileCaseReport> {
  const base = o.base ?? c.baseN
  const sizes: SizeRecord[] = []
  let stopped: SizeRecord | null = null
  for (const factor of o.factors) {
    const n = base * factor
    if (stopped !== null) {
      // A size that did not finish in time: a larger one would not either.
      sizes.push({ factor, n, status: 'skipped', error: `${stopped.status} at ${stopped.factor}N` })
      continue
    }
    const size = await runSize(c, factor, n, o)
    o.log(`  ${c.id} ${factor}N = ${n}: ${describeSize(size)}`)
    if (size.status !== 'ok') stopped = size
    sizes.push(size)
  }
  return { id: c.id, title: c.title, unit: c.unit, per: c.per ?? c.unit, method: c.method, base, sizes, ...judge(sizes) }
}
