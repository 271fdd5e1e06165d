// Horizontal grouped bar chart (SVG, no library): median entries/s per case, logbook vs hypercore.
// Log-scale x axis, since single appends and batched appends differ by orders of magnitude.
import { BATCHED_MIN_RATIO, IMPORT_MIN_ENTRIES_PER_SEC, SINGLE_MIN_RATIO, VIEW_REBUILD_MIN_ENTRIES_PER_SEC } from './targets.js'
import type { CaseReport, Results, System } from './types.js'

const COLORS: Record<System, string> = { logbook: '#2b6cb0', hypercore: '#dd6b20' }

function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function short (n: number): string {
  if (n >= 1e6) return (n / 1e6).toFixed(n >= 1e7 ? 0 : 2) + 'M'
  if (n >= 1e3) return (n / 1e3).toFixed(n >= 1e5 ? 0 : 1) + 'k'
  return n.toFixed(0)
}

function tick (v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`
  if (v >= 1e3) return `${v / 1e3}k`
  return String(v)
}

/** The logbook entries/s a case has to reach, if it has a throughput target. */
function targetFor (c: CaseReport): number | null {
  const hc = c.systems.hypercore.median?.entriesPerSec
  if (c.id === 'batched' && hc !== undefined) return hc * BATCHED_MIN_RATIO
  if (c.id === 'single' && hc !== undefined) return hc * SINGLE_MIN_RATIO
  if (c.id === 'import') return IMPORT_MIN_ENTRIES_PER_SEC
  if (c.id === 'view-rebuild') return VIEW_REBUILD_MIN_ENTRIES_PER_SEC
  return null
}

export function renderChart (r: Results): string {
  const groups = r.cases.filter(c => c.id !== 'disk-batched' && c.versus === undefined)
  const values: number[] = []
  for (const c of groups) {
    for (const s of ['logbook', 'hypercore'] as System[]) {
      const v = c.systems[s].median?.entriesPerSec
      if (v !== undefined && v > 0) values.push(v)
    }
    const t = targetFor(c)
    if (t !== null) values.push(t)
  }
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...values, 1e3))))
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...values, 1e4) * 1.0001)))

  const W = 900
  const left = 250
  const plotW = 520
  const barH = 22
  const barGap = 6
  const groupGap = 26
  const top = 70
  const x = (v: number): number => left + plotW * (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))

  const parts: string[] = []
  let y = top
  for (const c of groups) {
    const ratio = c.ratio === null ? '' : ` — logbook/hypercore ${c.ratio.toFixed(2)}×`
    parts.push(`<text x="10" y="${y + 14}"><tspan font-weight="bold">${esc(c.title)}</tspan><tspan fill="#555" dx="8">${esc('· ' + c.entries.toLocaleString('en-US') + ' entries' + ratio)}</tspan></text>`)
    y += 30
    const t = targetFor(c)
    const gy = y
    for (const s of ['logbook', 'hypercore'] as System[]) {
      const sc = c.systems[s]
      const v = sc.median?.entriesPerSec
      parts.push(`<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${s}</text>`)
      if (v !== undefined && v > 0) {
        const w = Math.max(1, x(v) - left)
        parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${COLORS[s]}"/>`)
        parts.push(`<text x="${(left + w + 6).toFixed(1)}" y="${y + barH / 2 + 4}">${esc(Math.round(v).toLocaleString('en-US'))} /s</text>`)
      } else {
        const why = sc.notApplicable ?? (sc.runs.length > 0 ? 'failed' : 'not run')
        parts.push(`<text x="${left + 6}" y="${y + barH / 2 + 4}" fill="#888" font-style="italic">${esc('n/a: ' + why)}</text>`)
      }
      y += barH + barGap
    }
    if (t !== null) {
      const tx = x(t).toFixed(1)
      parts.push(`<line x1="${tx}" x2="${tx}" y1="${gy - 4}" y2="${gy + barH + 4}" stroke="#c53030" stroke-width="2" stroke-dasharray="4 3"/>`)
      parts.push(`<text x="${tx}" y="${gy - 7}" text-anchor="middle" fill="#c53030" font-size="11">target ${esc(short(t))}/s</text>`)
    }
    y += groupGap
  }
  const axisY = y
  const axis: string[] = [`<line x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333"/>`]
  for (let v = lo; v <= hi * 1.0001; v *= 10) {
    const tx = x(v).toFixed(1)
    axis.push(`<line x1="${tx}" x2="${tx}" y1="${top}" y2="${axisY}" stroke="#e2e2e2"/>`)
    axis.push(`<text x="${tx}" y="${axisY + 16}" text-anchor="middle" fill="#333">${tick(v)}</text>`)
  }
  axis.push(`<text x="${left + plotW / 2}" y="${axisY + 36}" text-anchor="middle" fill="#333">entries per second (median of ${r.runs} run${r.runs === 1 ? '' : 's'}, log scale)</text>`)
  const H = axisY + 50

  const legend = (['logbook', 'hypercore'] as System[]).map((s, i) =>
    `<rect x="${left + i * 130}" y="30" width="14" height="14" fill="${COLORS[s]}"/><text x="${left + i * 130 + 20}" y="42">${s}</text>`).join('')
  const title = `logbook vs hypercore ${esc(r.env.versions.hypercore ?? '')}${r.quick ? ' (QUICK run, reduced sizes)' : ''}`

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${title}</text>`,
    legend,
    `<line x1="${left + 270}" x2="${left + 270}" y1="30" y2="44" stroke="#c53030" stroke-width="2" stroke-dasharray="4 3"/><text x="${left + 278}" y="42">logbook target</text>`,
    ...axis,
    ...parts,
    '</svg>',
    ''
  ].join('\n')
}
