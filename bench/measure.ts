// Helpers shared by the orchestrator and the case scripts.
import { performance } from 'node:perf_hooks'
import { randomFillSync } from 'node:crypto'
import { readdirSync, lstatSync } from 'node:fs'
import { join } from 'node:path'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import type { Medians, RunRecord } from './types.js'

/** Size in bytes of every payload used by the benchmark. */
export const PAYLOAD_BYTES = 100

/** n independent 100-byte random payloads (each its own Buffer, a Uint8Array). Not timed. */
export function makePayloads (n: number, size = PAYLOAD_BYTES): Buffer[] {
  const out: Buffer[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = randomFillSync(Buffer.allocUnsafeSlow(size))
  return out
}

/** Split payloads into batches of `size` (the last may be shorter). */
export function chunk<T> (items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** Total size of all regular files below dir (recursive, symlinks not followed). */
export function dirBytes (dir: string): number {
  let total = 0
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name)
    if (ent.isDirectory()) total += dirBytes(p)
    else if (ent.isFile()) total += lstatSync(p).size
  }
  return total
}

/** Bytes per kind of file below dir: write-ahead logs (*.log), sorted tables (*.ldb, *.sst), everything else. */
export function dirBreakdown (dir: string, acc = { wal: 0, tables: 0, other: 0 }): { wal: number, tables: number, other: number } {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name)
    if (ent.isDirectory()) dirBreakdown(p, acc)
    else if (ent.isFile()) {
      const size = lstatSync(p).size
      if (ent.name.endsWith('.log')) acc.wal += size
      else if (ent.name.endsWith('.ldb') || ent.name.endsWith('.sst')) acc.tables += size
      else acc.other += size
    }
  }
  return acc
}

/** The medians of the runs that succeeded (null if none did). */
export function mediansOf (runs: RunRecord[]): Medians | null {
  const ok = runs.filter(r => r.ok && r.result !== undefined).map(r => r.result!)
  if (ok.length === 0) return null
  const disk = ok.map(r => r.diskBytesPerEntry).filter((d): d is number => d !== null)
  return {
    entriesPerSec: median(ok.map(r => r.entriesPerSec)),
    seconds: median(ok.map(r => r.seconds)),
    peakRssMB: median(ok.map(r => r.peakRssMB)),
    diskBytesPerEntry: disk.length > 0 ? median(disk) : null,
    okRuns: ok.length
  }
}

export function median (xs: number[]): number {
  const v = xs.filter(x => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const m = v.length >> 1
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2
}

/** Peak resident set size of this process so far, in MB (resourceUsage().maxRSS is in KiB). */
export function peakRssMB (): number {
  return process.resourceUsage().maxRSS / 1024
}

/** Line prefix that marks the single JSON result a case script prints on stdout. */
export const RESULT_PREFIX = 'BENCH_RESULT '

/** What every case script reports. */
export interface CaseResult {
  system: 'logbook' | 'hypercore'
  case: string
  entries: number
  /** seconds of the timed section only */
  seconds: number
  entriesPerSec: number
  /** process.resourceUsage().maxRSS of the child, MB */
  peakRssMB: number
  /** storage directory size after close, bytes (null if not measured) */
  diskBytes: number | null
  diskBytesPerEntry: number | null
  /** anything case specific (import counters, close time, heap after) */
  extra: Record<string, unknown>
}

/** Print the result line (a CaseResult unless told otherwise) and exit once stdout has flushed. */
export function report<T extends object = CaseResult> (r: T): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(r) + '\n', () => process.exit(0))
}

/** Parse --key value pairs of a case script's command line. */
export function caseArgs (argv = process.argv.slice(2)): Map<string, string> {
  const m = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error('unexpected argument ' + a)
    m.set(a.slice(2), argv[++i] ?? '')
  }
  return m
}

export function need (m: Map<string, string>, key: string): string {
  const v = m.get(key)
  if (v === undefined || v === '') throw new Error('missing --' + key)
  return v
}

export function needInt (m: Map<string, string>, key: string): number {
  const n = Number(need(m, key))
  if (!Number.isInteger(n) || n <= 0) throw new Error('--' + key + ' must be a positive integer')
  return n
}

/** Run the main of a case script, turning failures into a non-zero exit with the error on stderr. */
export function runCase (main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write((err instanceof Error ? (err.stack ?? err.message) : String(err)) + '\n')
    process.exit(1)
  })
}

/**
 * Closes the store, then reports a timed case. The clock runs until the store is closed, for both systems
 * alike: logbook applies writes to LevelDB behind its journal, and the close waits for that.
 */
export async function closeAndReport (o: { system: 'logbook' | 'hypercore', case: string, entries: number, dir: string, seconds: number, close: () => Promise<unknown>, extra?: Record<string, unknown> }): Promise<void> {
  const c0 = performance.now()
  await o.close()
  const closeSeconds = (performance.now() - c0) / 1000
  const disk = dirBytes(o.dir)
  const seconds = o.seconds + closeSeconds
  report({
    system: o.system,
    case: o.case,
    entries: o.entries,
    seconds,
    entriesPerSec: o.entries / seconds,
    peakRssMB: peakRssMB(),
    diskBytes: disk,
    diskBytesPerEntry: o.entries > 0 ? disk / o.entries : null,
    extra: { disk: dirBreakdown(o.dir), workSeconds: o.seconds, closeSeconds, ...o.extra, heapUsedMBAfter: process.memoryUsage().heapUsed / 2 ** 20 }
  })
}

/** n JSON lines of exactly PAYLOAD_BYTES bytes each (`{"type":"note","n":I,"text":"xx…"}`), as compact JSON. */
export function makeJsonLines (n: number): string {
  const lines: string[] = new Array(n)
  for (let i = 0; i < n; i++) {
    const bare = JSON.stringify({ type: 'note', n: i, text: '' })
    lines[i] = JSON.stringify({ type: 'note', n: i, text: 'x'.repeat(Math.max(0, PAYLOAD_BYTES - bare.length)) })
  }
  return lines.join('\n') + '\n'
}

/** Line prefix of the JSON a server child prints once it listens (its port, and what a client needs to join). */
export const LISTENING_PREFIX = 'BENCH_LISTENING '

/**
 * Listens on a free loopback port and serves the first connection only; prints the LISTENING_PREFIX line
 * with the port and `info`. Resolves with what `serve` returns.
 */
export async function serveOnce<T> (info: Record<string, unknown>, serve: (socket: Socket) => Promise<T>): Promise<T> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const socket = new Promise<Socket>((resolve) => server.once('connection', resolve))
  process.stdout.write(LISTENING_PREFIX + JSON.stringify({ ...info, port: (server.address() as AddressInfo).port }) + '\n')
  const connection = await socket
  server.close()
  return await serve(connection)
}

/** Connects to a loopback port; resolves with the socket once connected. */
export async function connectLoopback (port: number): Promise<Socket> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}
