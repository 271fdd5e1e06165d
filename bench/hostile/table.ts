// The drill's printed table: one block per case (a row per size, then the verdicts), and a summary.
import { ingestRate, MAX_UNIT_TIME_RATIO, MIN_NORMAL_SHARE, normalRate, perUnit, shareOf } from './suite.js'
import type { HostileCaseReport, HostileResult, SizeRecord } from './types.js'

const MB = 1024 * 1024

function pad (cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === cells.length - 1 ? cell : i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()
}

const HEADER = ['size', 'N', 'units', 'time s', 'µs/unit', 'peak RSS MB', 'ingest MB/s', 'normal MB/s', 'share', 'counts and notes']
const WIDTHS = [5, 8, 9, 9, 9, 11, 11, 11, 5, 0]

/** The import summary and state counts worth reading, then the case's own notes. */
export function countsLine (r: HostileResult): string {
  const c = r.counts
  const parts: string[] = []
  for (const key of ['imported', 'duplicates', 'pending', 'rejected', 'ready', 'pendingEntries', 'forks', 'rebuilds', 'proofs']) {
    if (c[key] !== undefined) parts.push(`${key} ${c[key]}`)
  }
  if (r.distinct !== r.units) parts.push(`(${r.distinct} distinct)`)
  return [parts.join(', '), ...r.notes].filter((s) => s !== '').join('; ')
}

function sizeRow (s: SizeRecord, label: string): string {
  const r = s.result
  if (s.status !== 'ok' || r === undefined) return pad([label, String(s.n), '', s.status, '', '', '', '', '', s.error?.split('\n')[0].slice(0, 160) ?? ''], WIDTHS)
  const share = shareOf(s)
  return pad([
    label,
    String(s.n),
    String(r.units),
    r.seconds.toFixed(3),
    (perUnit(r) * 1e6).toFixed(1),
    r.peakRssMB.toFixed(0),
    Number.isFinite(ingestRate(r)) ? (ingestRate(r) / MB).toFixed(2) : '—',
    s.normal === undefined ? '—' : (normalRate(s.normal) / MB).toFixed(2),
    share === null ? '—' : `${(share * 100).toFixed(0)}%`,
    countsLine(r)
  ], WIDTHS)
}

export function verdictLine (c: HostileCaseReport, factors: number[]): string {
  const top = `${factors[factors.length - 1]}N`
  const ratio = c.ratio === null ? 'did not finish' : `${c.ratio.toFixed(2)}×`
  const share = c.share === null ? 'did not finish' : `${(c.share * 100).toFixed(0)}% of normal`
  return `time per unit ${top} ÷ ${factors[0]}N: ${ratio} (≤ ${MAX_UNIT_TIME_RATIO}×) ${c.ratioPass ? 'pass' : 'FAIL'}; ` +
    `ingest bytes/s at ${top}: ${share} (≥ ${MIN_NORMAL_SHARE * 100}%) ${c.sharePass ? 'pass' : 'FAIL'}`
}

export function caseBlock (c: HostileCaseReport, factors: number[]): string {
  const lines = [`${c.id}: ${c.title} (N counts ${c.unit}${c.per === c.unit ? '' : `; time per unit is per ${c.per}`})`]
  lines.push('  ' + pad(HEADER, WIDTHS))
  for (const s of c.sizes) lines.push('  ' + sizeRow(s, `${s.factor}N`))
  lines.push('  ' + verdictLine(c, factors))
  return lines.join('\n')
}

export function summaryTable (cases: HostileCaseReport[]): string {
  const lines = ['case                         time/unit ratio  ingest share  result']
  for (const c of cases) {
    const ratio = c.ratio === null ? 'timeout/failed' : `${c.ratio.toFixed(2)}×`
    const share = c.share === null ? '—' : `${(c.share * 100).toFixed(0)}%`
    lines.push(`${c.id.padEnd(28)} ${ratio.padStart(15)}  ${share.padStart(12)}  ${c.ratioPass && c.sharePass ? 'pass' : 'FAIL'}`)
  }
  return lines.join('\n')
}
