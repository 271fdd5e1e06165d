// The hostile inputs' section of BENCHMARKS.md: how they are built and timed, and a row per case.
import { ingestRate, MAX_UNIT_TIME_RATIO, MIN_NORMAL_SHARE, normalRate, perUnit, shareOf } from './suite.js'
import { countsLine } from './table.js'
import type { HostileResults, SizeRecord } from './types.js'

const MB = 1024 * 1024

function cell (s: SizeRecord | undefined, show: (s: Required<Pick<SizeRecord, 'result'>> & SizeRecord) => string): string {
  if (s === undefined) return '—'
  if (s.status !== 'ok' || s.result === undefined) return s.status
  return show(s as Required<Pick<SizeRecord, 'result'>> & SizeRecord)
}

const escape = (text: string): string => text.replace(/\|/g, '\\|')

export function renderHostile (h: HostileResults): string[] {
  const first = `${h.factors[0]}N`
  const top = `${h.factors[h.factors.length - 1]}N`
  const L: string[] = []
  L.push('## Hostile inputs')
  L.push('')
  L.push(`What a stranger can send to make a store work more than linearly, or hold more than it should. Each case runs once at N and ${top} (\`npm run drill:hostile\` runs N, 2N, 4N and 8N), each size in fresh child processes with a temp directory under \`os.tmpdir()\`: one builds the input (deterministic, with the test fixtures' builders) and writes it as binary export frames to a file, one imports it from that file (\`fs.createReadStream\`) into a fresh store and times the case (after warm-up imports of a small normal feed and of the case's input at N/16), and one times a **normal import of as many bytes** (one author, 100-byte payloads, 1,024 entries a signed segment) for comparison. Stores are memory-level unless the case needs a directory. A run is stopped after ${h.timeoutSeconds} s and shows as \`timeout\`; the larger size is then skipped.`)
  L.push('')
  L.push(`Targets: the time per unit at ${top} is at most ${MAX_UNIT_TIME_RATIO}× the time per unit at ${first} (linear work), and the ingest rate (bytes of the input / seconds of its import) at ${top} is at least ${MIN_NORMAL_SHARE * 100}% of the normal import's. Peak RSS is the measuring process's \`process.resourceUsage().maxRSS\`: the input file is streamed, so it holds the store and what the store keeps in memory.`)
  L.push('')
  for (const c of h.cases) L.push(`- **${c.title}** (\`${c.id}\`; N counts ${c.unit}${c.per === c.unit ? '' : `, time per unit is per ${c.per}`}): ${c.method}`)
  L.push('')
  const control = h.cases.find((c) => c.id === 'control-single-entries')
  const controlShare = control === undefined ? null : shareOf(control.sizes[control.sizes.length - 1])
  if (controlShare !== null) {
    L.push(`\`control-single-entries\` is not hostile: honest entries, each in a signed segment of its own. It reaches ${(controlShare * 100).toFixed(0)}% of the normal import, because each of its entries costs a signature check (about 50 µs with libsodium) where the normal import checks one per 1,024 entries. Inputs that carry a signature on every entry (most cases below) cannot reach 25% of the normal import for that reason alone; the column \`ingest / control\` compares each case with that honest input of the same signature density.`)
    L.push('')
  }
  L.push(`| Case | N | ${first} s | ${first} µs/unit | ${top} s | ${top} µs/unit | ${top} ÷ ${first} per unit | ${top} peak RSS MB | ${top} ingest MB/s | normal MB/s | ingest / normal | ingest / control | Result |`)
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
  for (const c of h.cases) {
    const a = c.sizes[0]
    const b = c.sizes[c.sizes.length - 1]
    const share = b === undefined ? null : shareOf(b)
    L.push(`| ${c.id} | ${c.base.toLocaleString('en-US')} | ${cell(a, s => s.result.seconds.toFixed(3))} | ${cell(a, s => (perUnit(s.result) * 1e6).toFixed(1))} | ` +
      `${cell(b, s => s.result.seconds.toFixed(3))} | ${cell(b, s => (perUnit(s.result) * 1e6).toFixed(1))} | ${c.ratio === null ? '—' : c.ratio.toFixed(2) + '×'} | ` +
      `${cell(b, s => s.result.peakRssMB.toFixed(0))} | ${cell(b, s => (ingestRate(s.result) / MB).toFixed(2))} | ${cell(b, s => s.normal === undefined ? '—' : (normalRate(s.normal) / MB).toFixed(2))} | ` +
      `${share === null ? '—' : (share * 100).toFixed(0) + '%'} | ${share === null || controlShare === null ? '—' : (share / controlShare * 100).toFixed(0) + '%'} | ${c.ratioPass && c.sharePass ? '**pass**' : '**FAIL**'} |`)
  }
  L.push('')
  L.push('What each run did (import summary and store state, or why it did not finish):')
  L.push('')
  L.push('| Case | Size | N | Counts and notes |')
  L.push('|---|---|---:|---|')
  for (const c of h.cases) {
    for (const s of c.sizes) {
      const what = s.result !== undefined ? countsLine(s.result) : `${s.status}${s.error === undefined ? '' : ': ' + s.error.split('\n')[0].slice(0, 160)}`
      L.push(`| ${c.id} | ${s.factor}N | ${s.n.toLocaleString('en-US')} | ${escape(what)} |`)
    }
  }
  L.push('')
  return L
}
