// Child process: the command's bulk path, `logbook append --lines < F` into a fresh store in --dir, ids
// printed (to /dev/null) as a shell user gets them. Start-up is excluded: the same command with empty stdin
// (start node, load, open and close a store) is timed three times and its median subtracted.
// Usage: node logbook-cli-lines.js --dir D --file F --n N
import { spawnSync } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Logbook } from '../../src/index.js'
import { caseArgs, dirBytes, median, need, needInt, report, runCase } from '../measure.js'

const BIN = fileURLToPath(new URL('../../../bin/logbook.js', import.meta.url))

/** Preloaded into the command's process: reports its peak RSS (KB) on stderr as it exits. */
const REPORT_RSS = 'data:text/javascript,process.on("exit",()=>process.stderr.write("MAXRSS "+process.resourceUsage().maxRSS+"\\n"))'

/** Runs `logbook --dir STORE append --lines` with stdin from `input`: its wall-clock seconds and peak RSS (MB). */
function timedAppend (store: string, input: string): { seconds: number, peakRssMB: number } {
  const stdin = openSync(input, 'r')
  const stdout = openSync('/dev/null', 'w')
  try {
    const t0 = performance.now()
    const result = spawnSync(process.execPath, ['--import', REPORT_RSS, BIN, '--dir', store, 'append', '--lines'], { stdio: [stdin, stdout, 'pipe'], encoding: 'utf8' })
    const seconds = (performance.now() - t0) / 1000
    if (result.status !== 0) throw new Error(`logbook append --lines failed (${String(result.status)}): ${result.stderr}`)
    const rss = /MAXRSS (\d+)/.exec(result.stderr)
    return { seconds, peakRssMB: rss === null ? Number.NaN : Number(rss[1]) / 1024 }
  } finally {
    closeSync(stdin)
    closeSync(stdout)
  }
}

async function freshStore (dir: string): Promise<void> {
  const book = await Logbook.create({ dir })
  await book.close()
}

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const file = need(args, 'file')
  const n = needInt(args, 'n')

  const startups: number[] = []
  for (let i = 0; i < 3; i++) {
    const empty = join(dir, `empty-${i}`)
    mkdirSync(empty)
    await freshStore(join(empty, 'store'))
    startups.push(timedAppend(join(empty, 'store'), '/dev/null').seconds)
  }
  const store = join(dir, 'store')
  await freshStore(store)
  const { seconds: wall, peakRssMB } = timedAppend(store, file)
  const startup = median(startups)
  const seconds = wall - startup

  const book = await Logbook.open({ dir: store })
  const entries = book.status().entries
  await book.close()
  if (entries !== n) throw new Error(`the store holds ${entries} entries after appending ${n} lines`)
  const disk = dirBytes(store)
  report({
    system: 'logbook',
    case: 'cli-lines',
    entries: n,
    seconds,
    entriesPerSec: n / seconds,
    peakRssMB,
    diskBytes: disk,
    diskBytesPerEntry: disk / n,
    extra: { wallSeconds: wall, startupSeconds: startup, startupRuns: startups }
  })
})
