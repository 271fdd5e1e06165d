// The hostile-input drill: every case at N, 2N, 4N, 8N, each run in a fresh child process, and whether
// the time per unit stays flat (linear work) and the ingest rate near a normal import's.
//
//   npm run drill:hostile [-- --cases a,b] [--n N] [--factors 1,2,4,8] [--timeout SECONDS]
//
// Prints a table per case and a summary, and writes bench/out/hostile-drill.json. A run that does not
// finish within the timeout is reported as such, and the larger sizes of that case are skipped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Command, InvalidArgumentError } from 'commander'
import { HOSTILE_CASES, hostileCase } from './cases.js'
import { DEFAULT_FACTORS, runHostileCase } from './suite.js'
import { caseBlock, summaryTable } from './table.js'
import type { HostileCaseReport, HostileResults } from './types.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function positiveInt (value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer')
  return n
}

function intList (value: string): number[] {
  return value.split(',').map(positiveInt)
}

function caseList (value: string): string[] {
  const ids = value.split(',').filter((id) => id !== '')
  try {
    for (const id of ids) hostileCase(id)
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message)
  }
  return ids
}

const program = new Command('drill:hostile')
  .description('Times each hostile input at growing sizes, each run in a fresh process')
  .option('--cases <ids>', `comma-separated cases (${HOSTILE_CASES.map((c) => c.id).join(', ')})`, caseList, HOSTILE_CASES.map((c) => c.id))
  .option('--n <N>', 'base N for every case chosen (default: each case\'s own)', positiveInt)
  .option('--factors <list>', 'multiples of N to run', intList, DEFAULT_FACTORS)
  .option('--timeout <seconds>', 'per run', positiveInt, 60)
  .parse()

async function main (): Promise<void> {
  const o = program.opts<{ cases: string[], n?: number, factors: number[], timeout: number }>()
  const tmpRoot = mkdtempSync(join(tmpdir(), 'logbook-hostile-'))
  const cleanup = (): void => rmSync(tmpRoot, { recursive: true, force: true })
  process.on('SIGINT', () => { cleanup(); process.exit(130) })
  process.on('SIGTERM', () => { cleanup(); process.exit(143) })
  const log = (line: string): void => { process.stderr.write(line + '\n') }
  log(`hostile drill: factors ${o.factors.join(',')}, timeout ${o.timeout} s per run, node ${process.version}`)
  const cases: HostileCaseReport[] = []
  try {
    for (const id of o.cases) {
      const c = hostileCase(id)
      log(`case ${id}: ${c.title}`)
      const report = await runHostileCase(c, { base: o.n, factors: o.factors, timeoutMs: o.timeout * 1000, tmpRoot, log })
      cases.push(report)
      process.stdout.write(caseBlock(report, o.factors) + '\n\n')
    }
  } finally {
    cleanup()
  }
  process.stdout.write(summaryTable(cases) + '\n')
  const results: HostileResults = { factors: o.factors, timeoutSeconds: o.timeout, cases }
  const outDir = join(ROOT, 'bench', 'out')
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'hostile-drill.json'), JSON.stringify(results, null, 2) + '\n')
  log('wrote bench/out/hostile-drill.json')
}

main().catch((err: unknown) => {
  process.stderr.write((err instanceof Error ? (err.stack ?? err.message) : String(err)) + '\n')
  process.exit(1)
})
