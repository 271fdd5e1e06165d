// The browser case of the benchmark: the same work in headless Chromium and in Node, in the same run.
// Import: one export (two authors' halves, as the import case makes it) imported as bytes held in memory
// into a page's IndexedDB store and a page's memory-level store, and in Node into classic-level and
// memory-level. Replication: a Node peer holding the entries serves with listen(); a page connects over its
// WebSocket (into IndexedDB, and into memory-level), and a Node store connects over ws:// and over tcp://.
// Every measurement is a fresh process: a fresh Chromium with its own profile on disk, or a fresh Node
// child; the targets alternate which goes first.
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { caseScript, runChild, startServer, type RunOutcome } from '../spawn.js'
import { chromiumMissing, inBenchPage, pageScript, startPageServer, type PageServer } from './chromium.js'
import type { PageStore } from './page.js'
import { IMPORT_TARGETS, REPLICATION_TARGETS, type BrowserResults, type BrowserRun, type BrowserSizes, type BrowserTiming, type ImportTarget, type ReplicationTarget } from './types.js'

export interface BrowserOptions {
  sizes: BrowserSizes
  runs: number
  timeoutMs: number
  /** Where each run's temp directories are made (under os.tmpdir()). */
  tmpRoot: string
  log: (line: string) => void
  /** Versions of the packages involved, for the report. */
  versions: Record<string, string>
}

/** What a listening Node peer says once it listens (bench/cases/logbook-listen-source.ts). */
interface PeerInfo { spaceKey: string, urls: { tcp: string, ws: string } }

type Measure = (dir: string) => Promise<BrowserTiming>

const fmtN = (n: number): string => Math.round(n).toLocaleString('en-US')

/** The version in a Chromium user agent (`HeadlessChrome/131.0.6778.85`), or null. */
export function chromiumVersion (userAgent: string): string | null {
  return /(?:Headless)?Chrom(?:e|ium)\/([\d.]+)/.exec(userAgent)?.[1] ?? null
}

/** The targets in order on odd runs and reversed on even ones, so none always gets the cooler machine. */
function alternate<T> (targets: readonly T[], run: number): T[] {
  return run % 2 === 1 ? [...targets] : [...targets].reverse()
}

/** A Node child's timing; a child that failed or stored less than it was sent is an error. */
function fromChild (o: RunOutcome, expect: number): BrowserTiming {
  if (!o.ok) throw new Error(o.error)
  const x = o.result
  if (x.entries !== expect) throw new Error(`${x.entries} of ${expect} entries stored`)
  const synced = x.extra.syncedSeconds === undefined ? {} : { syncedSeconds: Number(x.extra.syncedSeconds) }
  return { entries: x.entries, workSeconds: Number(x.extra.workSeconds), closeSeconds: Number(x.extra.closeSeconds), ...synced }
}

class BrowserBench {
  private seq = 0

  constructor (private readonly o: BrowserOptions, private readonly results: BrowserResults, private readonly server: PageServer) {}

  private freshDir (name: string): string {
    const dir = join(this.o.tmpRoot, `browser-${name.replace(/\W+/g, '-')}-${this.seq++}`)
    mkdirSync(dir)
    return dir
  }

  /** One measurement with a fresh directory, removed afterwards; a failure is the run's error. */
  async measure (label: string, run: number, work: Measure): Promise<BrowserRun> {
    const dir = this.freshDir(label)
    try {
      const result = await work(dir)
      this.o.log(`  ${label.padEnd(24)} run ${run}: ${fmtN(result.entries / result.workSeconds)} entries/s, ${result.workSeconds.toFixed(2)} s + close ${result.closeSeconds.toFixed(2)} s`)
      return { run, ok: true, result }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      this.o.log(`  ${label.padEnd(24)} run ${run}: FAILED: ${error.split('\n')[0]}`)
      return { run, ok: false, error }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  /** One call of a page function (page.ts) in a fresh Chromium whose profile is in `profileDir`. */
  async inPage (profileDir: string, fn: 'benchImport' | 'benchReplicate', args: [PageStore, string, string, number, ...boolean[]]): Promise<BrowserTiming> {
    return await inBenchPage({ server: this.server, profileDir, timeoutMs: this.o.timeoutMs }, async (page) => {
      this.results.userAgent ??= await page.evaluate(() => navigator.userAgent)
      return await page.evaluate(async ([fn, ...args]) => await (globalThis as any)[fn](...args), [fn, ...args] as const) as BrowserTiming
    })
  }

  /** A Node child of the benchmark's cases, timed in itself. */
  async inNode (script: string, args: string[]): Promise<BrowserTiming> {
    return fromChild(await runChild(caseScript(script), args, this.o.timeoutMs), this.o.sizes.entries)
  }

  /** The export made once, then every import target in every run. */
  async imports (): Promise<void> {
    const { sizes, log } = this.o
    const n = sizes.entries
    log(`case browser-import: setup (not timed): 2 x ${fmtN(n / 2)} entries, export, concatenate`)
    const work = this.freshDir('import-setup')
    try {
      const file = join(work, 'concatenated.export')
      const setup = await runChild(caseScript('logbook-import-setup'), ['--work', work, '--out', file, '--half', String(n / 2), '--batch', String(sizes.batch)], this.o.timeoutMs)
      if (!setup.ok) throw new Error('the import setup failed: ' + setup.error.split('\n')[0])
      const space = String(setup.result.extra.spaceKey)
      const bytes = new Uint8Array(readFileSync(file))
      this.server.setExport(bytes)
      this.results.exportBytes = bytes.byteLength
      this.results.setupSeconds = setup.result.seconds
      log(`  setup: ${setup.result.seconds.toFixed(1)} s, export ${fmtN(bytes.byteLength)} bytes`)

      const node = ['--file', file, '--space', space, '--expect', String(n), '--whole', 'yes']
      const into: Record<ImportTarget, Measure> = {
        'page-indexeddb': async (dir) => await this.inPage(dir, 'benchImport', ['indexeddb', this.server.exportUrl, space, n]),
        'page-memory': async (dir) => await this.inPage(dir, 'benchImport', ['memory', this.server.exportUrl, space, n]),
        'node-classic': async (dir) => await this.inNode('logbook-import', ['--dir', dir, ...node]),
        'node-memory': async (dir) => await this.inNode('logbook-import', ['--dir', dir, ...node, '--store', 'memory'])
      }
      log(`case browser-import: ${fmtN(n)} entries imported from bytes in memory, page against Node`)
      for (let run = 1; run <= this.o.runs; run++) {
        for (const target of alternate(IMPORT_TARGETS, run)) this.results.import[target].push(await this.measure(`import ${target}`, run, into[target]))
      }
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }

  /** A fresh Node peer holding the entries, listening on loopback in `dir`/source; `sink` connects to it. */
  async fromPeer (dir: string, sink: (peer: PeerInfo, sinkDir: string) => Promise<BrowserTiming>): Promise<BrowserTiming> {
    const sourceDir = join(dir, 'source')
    const sinkDir = join(dir, 'sink')
    mkdirSync(sourceDir)
    mkdirSync(sinkDir)
    const { entries, batch } = this.o.sizes
    const peer = startServer('logbook-listen-source', ['--dir', sourceDir, '--n', String(entries), '--batch', String(batch), '--origin', this.server.origin], this.o.timeoutMs)
    // the peer serves until told: it cannot know when its client has read everything
    let timing: BrowserTiming
    try {
      timing = await sink(await peer.listening as unknown as PeerInfo, sinkDir)
    } catch (err) {
      peer.stop()
      await peer.outcome
      throw err
    }
    peer.stop()
    const sent = await peer.outcome
    if (!sent.ok) throw new Error('the sending side failed: ' + sent.error.split('\n')[0])
    return timing
  }

  async replications (): Promise<void> {
    const n = this.o.sizes.entries
    const nodeSink = (url: 'ws' | 'tcp', once: boolean): Measure => async (dir) => await this.fromPeer(dir, async (peer, sinkDir) =>
      await this.inNode('logbook-connect-sink', ['--dir', sinkDir, '--url', peer.urls[url], '--space', peer.spaceKey, '--expect', String(n), ...(once ? ['--once', 'yes'] : [])]))
    const pageSink = (store: PageStore, once: boolean): Measure => async (dir) => await this.fromPeer(dir, async (peer, sinkDir) =>
      await this.inPage(sinkDir, 'benchReplicate', [store, peer.urls.ws, peer.spaceKey, n, once]))
    const into: Record<ReplicationTarget, Measure> = {
      'page-indexeddb': pageSink('indexeddb', false),
      'page-memory': pageSink('memory', false),
      'node-ws': nodeSink('ws', false),
      'node-tcp': nodeSink('tcp', false),
      'page-indexeddb-once': pageSink('indexeddb', true),
      'node-ws-once': nodeSink('ws', true)
    }
    this.o.log(`case browser-replication: ${fmtN(n)} entries from a Node peer (listen()) into a page and into Node`)
    for (let run = 1; run <= this.o.runs; run++) {
      for (const target of alternate(REPLICATION_TARGETS, run)) this.results.replication[target].push(await this.measure(`replicate ${target}`, run, into[target]))
    }
  }
}

export async function runBrowser (o: BrowserOptions): Promise<BrowserResults> {
  const results: BrowserResults = {
    sizes: o.sizes,
    runs: o.runs,
    versions: o.versions,
    userAgent: null,
    chromium: null,
    exportBytes: null,
    setupSeconds: null,
    import: Object.fromEntries(IMPORT_TARGETS.map((t) => [t, []])) as unknown as Record<ImportTarget, BrowserRun[]>,
    replication: Object.fromEntries(REPLICATION_TARGETS.map((t) => [t, []])) as unknown as Record<ReplicationTarget, BrowserRun[]>
  }
  const missing = chromiumMissing()
  if (missing !== null) {
    o.log(`case browser: skipped: ${missing}`)
    return { ...results, skipped: missing }
  }
  const server = await startPageServer(await pageScript())
  try {
    const bench = new BrowserBench(o, results, server)
    await bench.imports()
    await bench.replications()
  } catch (err) {
    results.skipped = err instanceof Error ? err.message : String(err)
    o.log(`case browser: FAILED: ${results.skipped}`)
  } finally {
    await server.close()
  }
  results.chromium = results.userAgent === null ? null : chromiumVersion(results.userAgent)
  return results
}
