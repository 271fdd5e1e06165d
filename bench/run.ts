// Benchmark harness: logbook vs hypercore, side by side, every run in a fresh child process.
//
//   npm run bench                      default sizes, 5 runs per case, rewrites BENCHMARKS.md + bench/chart.svg
//   node dist/bench/run.js --quick     small sizes to check the harness (writes bench/out/ only)
//
//   npm run bench -- --only replication   only the replication cases; merges their section into BENCHMARKS.md
//   npm run bench -- --only browser       only the browser case (Chromium against Node); merges its section
//   node dist/bench/run.js --quick --only browser --browser-entries 2000 --runs 1   its smoke run (bench/out/ only)
//
// Flags: --runs N  --quick  --batched N  --batch N  --single N  --disk-batched N  --import N
//        --view-rebuild N  --cli-lines N  --systems logbook,hypercore  --timeout SECONDS
//        --cases batched,single,disk-batched,import,view-rebuild,cli-lines,replication,hostile (hostile: every
//        hostile input; hostile:ID one of them)  --hostile-timeout SECONDS (per hostile run; default 60)
//        --only replication (the same as --cases replication)  --repl N (entries replicated)
//        --repl-feeds N  --live-peers N  --live-appends N
//        --only browser (the same as --cases browser)  --browser-entries N (imported and replicated, even)
// The hostile inputs run once each, at their base N and 8N (bench/hostile/; `npm run drill:hostile` runs all sizes).
// The replication cases are in bench/replication/, the browser case in bench/browser/ (skipped, and its
// section left as it was, where there is no Chromium).
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeJsonLines, mediansOf } from './measure.js'
import { caseScript, runChild, type RunOutcome } from './spawn.js'
import { environment, packageVersions, renderMarkdown } from './report.js'
import { renderChart } from './chart.js'
import { evaluateTargets } from './targets.js'
import { HOSTILE_CASES, hostileCase } from './hostile/cases.js'
import { runHostileCase } from './hostile/suite.js'
import type { HostileCaseReport, HostileResults } from './hostile/types.js'
import { runReplication } from './replication/suite.js'
import { mergeReplication, renderReplication, REPLICATION_HEADING } from './replication/markdown.js'
import type { ReplicationResults, ReplicationSizes } from './replication/types.js'
import { runBrowser } from './browser/suite.js'
import { BROWSER_HEADING, mergeBrowser, renderBrowser } from './browser/markdown.js'
import type { BrowserResults, BrowserSizes } from './browser/types.js'
import { sectionOf } from './sections.js'
import { SYSTEMS, type CaseId, type CaseReport, type Results, type RunRecord, type Sizes, type System, type SystemCase } from './types.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Options {
  runs: number
  quick: boolean
  sizes: Sizes
  systems: System[]
  cases: CaseId[]
  /** Ids of the hostile inputs to run. */
  hostile: string[]
  /** Whether the replication cases run, and their sizes. */
  replication: boolean
  replicationSizes: ReplicationSizes
  /** Whether the browser case runs, and its size. */
  browser: boolean
  browserSizes: BrowserSizes
  timeoutMs: number
  hostileTimeoutMs: number
}

const DEFAULT_SIZES: Sizes = { batched: 200_000, batch: 1000, single: 20_000, diskBatched: 100_000, import: 1_000_000, viewRebuild: 1_000_000, cliLines: 100_000 }
const QUICK_SIZES: Sizes = { batched: 10_000, batch: 1000, single: 1000, diskBatched: 5000, import: 20_000, viewRebuild: 20_000, cliLines: 10_000 }
const ALL_CASES: CaseId[] = ['batched', 'single', 'disk-batched', 'import', 'view-rebuild', 'cli-lines']
const REPLICATION_SIZES: ReplicationSizes = { entries: 100_000, batch: 1000, feeds: 1000, perFeed: 10, changed: 10, livePeers: 20, liveAppends: 50 }
const QUICK_REPLICATION_SIZES: ReplicationSizes = { entries: 10_000, batch: 1000, feeds: 100, perFeed: 10, changed: 10, livePeers: 5, liveAppends: 10 }
const BROWSER_SIZES: BrowserSizes = { entries: 100_000, batch: 1000 }
const QUICK_BROWSER_SIZES: BrowserSizes = { entries: 10_000, batch: 1000 }
/** The packages the browser case's work goes through, whose versions its section names. */
const BROWSER_PACKAGES = ['browser-level', 'classic-level', 'memory-level', 'libsodium-wrappers-sumo', 'sodium-native', 'ws', 'playwright-core', 'esbuild']
/** The sizes of a hostile input the benchmark runs: its base N and 8N (the ratio of their time per unit is its target). */
const HOSTILE_FACTORS = [1, 8]
/** A quick run divides each hostile input's base N by this. */
const HOSTILE_QUICK_DIVISOR = 16

function parseOptions (argv: string[]): Options {
  const quick = argv.includes('--quick')
  const sizes = { ...(quick ? QUICK_SIZES : DEFAULT_SIZES) }
  const replicationSizes = { ...(quick ? QUICK_REPLICATION_SIZES : REPLICATION_SIZES) }
  const browserSizes = { ...(quick ? QUICK_BROWSER_SIZES : BROWSER_SIZES) }
  const o: Options = { runs: 5, quick, sizes, systems: [...SYSTEMS], cases: [...ALL_CASES], hostile: HOSTILE_CASES.map(c => c.id), replication: true, replicationSizes, browser: true, browserSizes, timeoutMs: 30 * 60_000, hostileTimeoutMs: (quick ? 20 : 60) * 1000 }
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v)
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--quick': break
      case '--runs': o.runs = int(a, argv[++i]); break
      case '--batched': sizes.batched = int(a, argv[++i]); break
      case '--batch': sizes.batch = int(a, argv[++i]); break
      case '--single': sizes.single = int(a, argv[++i]); break
      case '--disk-batched': sizes.diskBatched = int(a, argv[++i]); break
      case '--import': sizes.import = int(a, argv[++i]); break
      case '--view-rebuild': sizes.viewRebuild = int(a, argv[++i]); break
      case '--cli-lines': sizes.cliLines = int(a, argv[++i]); break
      case '--repl': replicationSizes.entries = int(a, argv[++i]); break
      case '--repl-feeds': replicationSizes.feeds = int(a, argv[++i]); break
      case '--live-peers': replicationSizes.livePeers = int(a, argv[++i]); break
      case '--live-appends': replicationSizes.liveAppends = int(a, argv[++i]); break
      case '--browser-entries': browserSizes.entries = int(a, argv[++i]); break
      case '--only': {
        const what = argv[++i]
        if (what !== 'replication' && what !== 'browser') throw new Error('--only takes replication or browser')
        o.cases = []
        o.hostile = []
        o.replication = what === 'replication'
        o.browser = what === 'browser'
        break
      }
      case '--timeout': o.timeoutMs = int(a, argv[++i]) * 1000; break
      case '--hostile-timeout': o.hostileTimeoutMs = int(a, argv[++i]) * 1000; break
      case '--systems': o.systems = (argv[++i] ?? '').split(',').map(s => {
        if (s !== 'logbook' && s !== 'hypercore') throw new Error('unknown system ' + s)
        return s
      }); break
      case '--cases': {
        const names = (argv[++i] ?? '').split(',')
        o.replication = names.includes('replication')
        o.browser = names.includes('browser')
        o.hostile = names.flatMap(c => c === 'hostile' ? HOSTILE_CASES.map(h => h.id) : c.startsWith('hostile:') ? [hostileCase(c.slice('hostile:'.length)).id] : [])
        o.cases = names.filter(c => c !== 'hostile' && !c.startsWith('hostile:') && c !== 'replication' && c !== 'browser').map(c => {
          if (!(ALL_CASES as string[]).includes(c)) throw new Error('unknown case ' + c)
          return c as CaseId
        })
        break
      }
      case '--help':
        process.stdout.write('flags: --runs N --quick --batched N --batch N --single N --disk-batched N --import N --view-rebuild N --cli-lines N --systems a,b --cases a,b[,replication][,browser][,hostile|,hostile:ID] --only replication|browser --repl N --repl-feeds N --live-peers N --live-appends N --browser-entries N --timeout S --hostile-timeout S\n')
        process.exit(0)
      default: throw new Error('unknown flag ' + a)
    }
  }
  if (sizes.import % 2 !== 0) throw new Error('--import must be even (two halves)')
  if (browserSizes.entries % 2 !== 0) throw new Error('--browser-entries must be even (two halves)')
  return o
}

function fmtN (n: number): string { return Math.round(n).toLocaleString('en-US') }

function log (msg: string): void { process.stderr.write(msg + '\n') }

function describe (o: RunOutcome): string {
  if (!o.ok) return 'FAILED: ' + o.error.split('\n')[0]
  const r = o.result
  const disk = r.diskBytesPerEntry === null ? '' : `, ${r.diskBytesPerEntry.toFixed(1)} B/entry`
  return `${fmtN(r.entriesPerSec)} entries/s, ${r.seconds.toFixed(2)} s, peak RSS ${r.peakRssMB.toFixed(0)} MB${disk}`
}

async function main (): Promise<void> {
  const o = parseOptions(process.argv.slice(2))
  const { sizes } = o
  const tmpRoot = mkdtempSync(join(tmpdir(), 'logbook-bench-'))
  const cleanup = (): void => rmSync(tmpRoot, { recursive: true, force: true })
  process.on('SIGINT', () => { cleanup(); process.exit(130) })
  process.on('SIGTERM', () => { cleanup(); process.exit(143) })
  log(`logbook bench: ${o.quick ? 'QUICK, ' : ''}${o.runs} run(s) per case, temp dir ${tmpRoot}`)

  const env = environment(ROOT)
  const cases: CaseReport[] = []
  let importSetup: Results['importSetup'] = null
  let hostile: HostileResults | null = null
  let replication: ReplicationResults | null = null
  let browser: BrowserResults | null = null
  let seq = 0

  /** One timed run of one system in a fresh directory that is removed afterwards. */
  async function once (caseId: CaseId, system: System, run: number, script: string, args: string[]): Promise<RunRecord> {
    const dir = join(tmpRoot, `${caseId}-${system}-${run}-${seq++}`)
    mkdirSync(dir)
    try {
      const out = await runChild(caseScript(script), ['--dir', dir, ...args], o.timeoutMs)
      log(`  ${caseId} ${system.padEnd(9)} run ${run}: ${describe(out)}`)
      return out.ok ? { run, ok: true, result: out.result } : { run, ok: false, error: out.error }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  function emptySystem (reason?: string): SystemCase {
    return reason === undefined ? { runs: [], median: null } : { runs: [], median: null, notApplicable: reason }
  }

  async function appendCase (id: CaseId, title: string, method: string, mode: 'batched' | 'single', n: number): Promise<void> {
    log(`case ${id}: ${title}`)
    const rep: CaseReport = { id, title, entries: n, method, systems: { logbook: emptySystem(), hypercore: emptySystem() }, ratio: null }
    const args = ['--mode', mode, '--n', String(n), '--batch', String(sizes.batch)]
    for (let r = 1; r <= o.runs; r++) {
      // alternate which system goes first, so neither always gets the cooler machine
      const order = r % 2 === 1 ? SYSTEMS : [...SYSTEMS].reverse()
      for (const s of order) {
        if (!o.systems.includes(s)) continue
        rep.systems[s].runs.push(await once(id, s, r, `${s}-append`, args))
      }
    }
    finish(rep)
  }

  function finish (rep: CaseReport): void {
    for (const s of SYSTEMS) rep.systems[s].median = mediansOf(rep.systems[s].runs)
    if (rep.versus !== undefined) rep.versus.median = mediansOf(rep.versus.runs)
    const lb = rep.systems.logbook.median
    const other = rep.versus !== undefined ? rep.versus.median : rep.systems.hypercore.median
    rep.ratio = lb !== null && other !== null ? lb.entriesPerSec / other.entriesPerSec : null
    cases.push(rep)
  }

  try {
    if (o.cases.includes('batched')) {
      await appendCase('batched', `Batched append, ${fmtN(sizes.batch)} entries per call`,
        `${fmtN(sizes.batched)} entries into a fresh store as ${fmtN(Math.ceil(sizes.batched / sizes.batch))} sequential awaited \`append(arrayOf${sizes.batch})\` calls (logbook \`book.append(payloads)\`, hypercore \`core.append(payloads)\`).`,
        'batched', sizes.batched)
    }
    if (o.cases.includes('single')) {
      await appendCase('single', 'One awaited append at a time',
        `${fmtN(sizes.single)} entries into a fresh store, one \`await append(buffer)\` per entry. Disk bytes/entry of these runs are the "after single appends" disk figure.`,
        'single', sizes.single)
    }
    if (o.cases.includes('disk-batched')) {
      await appendCase('disk-batched', `Disk use after batched append (${fmtN(sizes.diskBatched)})`,
        `${fmtN(sizes.diskBatched)} entries appended exactly as in the batched case (${fmtN(sizes.batch)} per call); after close, the recursive sum of file sizes of the storage directory / entries.`,
        'batched', sizes.diskBatched)
    }
    if (o.cases.includes('import') && o.systems.includes('logbook')) {
      const half = sizes.import / 2
      log(`case import: setup (not timed): 2 x ${fmtN(half)} entries, export, concatenate`)
      const work = join(tmpRoot, 'import-setup')
      mkdirSync(work)
      const file = join(work, 'concatenated.export')
      const setup = await runChild(caseScript('logbook-import-setup'),
        ['--work', work, '--out', file, '--half', String(half), '--batch', String(sizes.batch)], o.timeoutMs)
      importSetup = setup.ok ? { ok: true, result: setup.result } : { ok: false, error: setup.error }
      log(`  setup: ${setup.ok ? `${setup.result.seconds.toFixed(1)} s, export ${fmtN(Number(setup.result.extra.exportBytes))} bytes, peak RSS ${setup.result.peakRssMB.toFixed(0)} MB` : 'FAILED: ' + setup.error}`)
      // the two source stores are not needed any more; keep only the concatenated file
      rmSync(join(work, 'store-a'), { recursive: true, force: true })
      rmSync(join(work, 'store-b'), { recursive: true, force: true })
      const rep: CaseReport = {
        id: 'import',
        title: `Import of a concatenated export (${fmtN(sizes.import)})`,
        entries: sizes.import,
        method: `Setup (not timed, one child process): store A creates a space, store B joins it with its own identity; each appends ${fmtN(half)} entries in batches of ${fmtN(sizes.batch)}; each is exported (binary \`book.export()\`) to a file and the two files are concatenated. Timed, per run in a fresh process: a fresh store of that space runs \`book.import(fs.createReadStream(file))\`. Hypercore has no file import; no comparable figure.`,
        systems: { logbook: emptySystem(), hypercore: emptySystem('no import of an export file') },
        ratio: null
      }
      if (setup.ok) {
        const space = String(setup.result.extra.spaceKey)
        for (let r = 1; r <= o.runs; r++) {
          rep.systems.logbook.runs.push(await once('import', 'logbook', r, 'logbook-import',
            ['--file', file, '--space', space, '--expect', String(sizes.import)]))
        }
      }
      finish(rep)
      rmSync(work, { recursive: true, force: true })
    }
    if (o.cases.includes('view-rebuild') && o.systems.includes('logbook')) {
      const title = `Rebuild of the kv view (${fmtN(sizes.viewRebuild)})`
      log(`case view-rebuild: ${title}`)
      const rep: CaseReport = {
        id: 'view-rebuild',
        title,
        entries: sizes.viewRebuild,
        method: `Setup (not timed, a separate process per run): a fresh store gets ${fmtN(sizes.viewRebuild)} entries \`{ type: 'kv', key, value }\` with distinct keys, appended in batches of ${fmtN(sizes.batch)}. Timed, in a fresh process: open the store, register the built-in \`kv\` view (never built before), wait until it has applied every entry, close. Hypercore has no materialized views; no comparable figure.`,
        systems: { logbook: emptySystem(), hypercore: emptySystem('no materialized views') },
        ratio: null
      }
      for (let r = 1; r <= o.runs; r++) {
        rep.systems.logbook.runs.push(await once('view-rebuild', 'logbook', r, 'logbook-view-rebuild',
          ['--n', String(sizes.viewRebuild), '--batch', String(sizes.batch)]))
      }
      finish(rep)
    }
    if (o.cases.includes('cli-lines') && o.systems.includes('logbook')) {
      const n = sizes.cliLines
      const title = `The command's append --lines against the library (${fmtN(n)})`
      log(`case cli-lines: ${title}`)
      const file = join(tmpRoot, 'lines.ndjson')
      writeFileSync(file, makeJsonLines(n))
      const rep: CaseReport = {
        id: 'cli-lines',
        title,
        entries: n,
        method: `${fmtN(n)} lines of compact JSON, 100 bytes each (\`{"type":"note","n":I,"text":"xx…"}\`), written to a file before the clock starts. Command: \`logbook append --lines < FILE\` into a fresh store, ids printed to /dev/null; its wall-clock time less its start-up (the same command with empty stdin, median of 3: starting node, loading, opening and closing a store). Library: the same lines parsed before the clock starts, then \`book.append(values)\` in batches of ${fmtN(sizes.batch)} and the close. The two alternate which goes first.`,
        systems: { logbook: emptySystem(), hypercore: emptySystem('compares the command with the library') },
        ratio: null,
        versus: { runs: [], median: null, label: 'library', subject: 'command' }
      }
      for (let r = 1; r <= o.runs; r++) {
        const command = async (): Promise<void> => { rep.systems.logbook.runs.push(await once('cli-lines', 'logbook', r, 'logbook-cli-lines', ['--file', file, '--n', String(n)])) }
        const library = async (): Promise<void> => { rep.versus?.runs.push(await once('cli-lines', 'logbook', r, 'logbook-append-json', ['--file', file, '--batch', String(sizes.batch)])) }
        if (r % 2 === 1) { await command(); await library() } else { await library(); await command() }
      }
      finish(rep)
    }
    if (o.hostile.length > 0 && o.systems.includes('logbook')) {
      const reports: HostileCaseReport[] = []
      for (const id of o.hostile) {
        const c = hostileCase(id)
        log(`case hostile:${id}: ${c.title}`)
        const base = o.quick ? Math.max(1, Math.ceil(c.baseN / HOSTILE_QUICK_DIVISOR)) : c.baseN
        reports.push(await runHostileCase(c, { base, factors: HOSTILE_FACTORS, timeoutMs: o.hostileTimeoutMs, tmpRoot, log }))
      }
      hostile = { factors: HOSTILE_FACTORS, timeoutSeconds: o.hostileTimeoutMs / 1000, cases: reports }
    }
    if (o.replication && o.systems.includes('logbook')) {
      replication = await runReplication({ sizes: o.replicationSizes, runs: o.runs, systems: o.systems, timeoutMs: o.timeoutMs, tmpRoot, log })
    }
    if (o.browser && o.systems.includes('logbook')) {
      browser = await runBrowser({ sizes: o.browserSizes, runs: o.runs, timeoutMs: o.timeoutMs, tmpRoot, log, versions: packageVersions(ROOT, BROWSER_PACKAGES) })
    }
  } finally {
    cleanup()
  }

  const results: Results = { quick: o.quick, runs: o.runs, sizes, env, importSetup, cases, hostile, replication, browser, targets: [] }
  results.targets = evaluateTargets(results)

  const outDir = join(ROOT, 'bench', 'out')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  // a run of only the replication or browser cases rewrites their sections and leaves the rest of the file alone
  const onlySections = o.cases.length === 0 && o.hostile.length === 0
  const published = join(ROOT, 'BENCHMARKS.md')
  const browserMeasured = browser !== null && browser.skipped === undefined
  /** `doc` with this run's replication and browser sections in place of the last ones, or the last ones kept. */
  const withSections = (doc: string, previous: string | null): string => {
    let out = doc
    const keep = (heading: string, merge: (d: string, section: string) => string): void => {
      const old = previous === null ? null : sectionOf(previous, heading)
      if (old !== null) out = merge(out, old)
    }
    if (replication !== null) out = mergeReplication(out, renderReplication(replication, env).join('\n'))
    else keep(REPLICATION_HEADING, mergeReplication)
    if (browser !== null && browser.skipped === undefined) out = mergeBrowser(out, renderBrowser(browser, env).join('\n'))
    else keep(BROWSER_HEADING, mergeBrowser)
    return out
  }
  if (o.quick) {
    // a quick run only checks the harness: leave the published BENCHMARKS.md and chart alone
    if (!onlySections) writeFileSync(join(outDir, 'chart.quick.svg'), renderChart(results))
    writeFileSync(join(outDir, 'BENCHMARKS.quick.md'), renderMarkdown(results, 'chart.quick.svg'))
    log(`quick run: wrote bench/out/results.json, bench/out/BENCHMARKS.quick.md${onlySections ? '' : ', bench/out/chart.quick.svg'}`)
  } else if (onlySections) {
    // the other sections and the chart keep their last full run
    const previous = existsSync(published) ? readFileSync(published, 'utf8') : null
    writeFileSync(published, withSections(previous ?? renderMarkdown(results, 'bench/chart.svg'), previous))
    log(`wrote bench/out/results.json and the ${[replication !== null ? 'replication' : '', browserMeasured ? 'browser' : ''].filter(Boolean).join(' and ') || 'no'} section of BENCHMARKS.md`)
  } else {
    const previous = existsSync(published) ? readFileSync(published, 'utf8') : null
    writeFileSync(join(ROOT, 'bench', 'chart.svg'), renderChart(results))
    // a run without the replication or browser cases keeps the sections of the last run that had them
    writeFileSync(published, withSections(renderMarkdown(results, 'bench/chart.svg'), previous))
    log(`wrote bench/out/results.json, BENCHMARKS.md, bench/chart.svg`)
  }
  for (const t of [...(onlySections ? [] : results.targets), ...(replication?.targets ?? [])]) log(`  ${t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured} (target ${t.target})`)
}

main().catch((err: unknown) => {
  process.stderr.write((err instanceof Error ? (err.stack ?? err.message) : String(err)) + '\n')
  process.exit(1)
})
