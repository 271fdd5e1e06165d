// One step of one hostile run, in a fresh process (the drill spawns each):
//   --phase prepare --case ID --n N --dir D   writes the input files (and builds the store, for a case that reopens one); not timed
//   --phase measure --case ID --dir D         times the case on those files; its peak RSS is this process's
//   --phase normal --case ID --dir D         times a normal import of as many bytes, for comparison
// Generating the input in a process of its own keeps its memory out of the measured peak RSS.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Logbook } from '../../src/index.js'
import { identity, memoryBook, SPACE_KEY } from '../../test/helpers/fixtures.js'
import { caseArgs, need, needInt, peakRssMB, report, runCase } from '../measure.js'
import { hostileCase, type HostileCase } from './cases.js'
import { byteLength, normalFeedOfBytes } from './inputs.js'
import { files, importFile, runProcedure } from './procedures.js'
import type { HostileResult, NormalResult, PreparedMeta } from './types.js'

/** The store's own identity, and the author of the normal feeds (neither writes in a hostile input). */
const STORE_IDENTITY = identity(200)
const NORMAL_AUTHOR = identity(3)

function write (file: string, frames: Uint8Array[]): void {
  writeFileSync(file, Buffer.concat(frames))
}

/** Divides a case's base N into the size of its warm-up input. */
const WARM_UP_DIVISOR = 16
/** Normal imports timed in a row; the fastest is the figure (the first ones still warm the process up). */
const NORMAL_RUNS = 3

/**
 * Imports a small normal feed, and a small input of the case when given, into throwaway stores: the timed
 * part then does not pay for compiling the paths it takes.
 */
async function warmUp (c?: HostileCase): Promise<void> {
  const inputs = [normalFeedOfBytes(NORMAL_AUTHOR, 300_000)]
  if (c !== undefined) inputs.push(c.generate(Math.max(1, Math.ceil(c.baseN / WARM_UP_DIVISOR))).input)
  for (const frames of inputs) {
    const book = await memoryBook()
    try {
      await book.import(Buffer.concat(frames))
    } finally {
      await book.close()
    }
  }
}

async function prepare (id: string, n: number, dir: string): Promise<void> {
  const c = hostileCase(id)
  const made = c.generate(n)
  const paths = files(dir)
  write(paths.before, made.before)
  write(paths.input, made.input)
  const inputBytes = byteLength(made.input)
  // As many bytes as the ingest figure covers: the input, and for a case that times only its tail, what came before it too.
  const normal = normalFeedOfBytes(NORMAL_AUTHOR, inputBytes + (c.procedure === 'import-tail' ? byteLength(made.before) : 0))
  write(paths.normal, normal)
  const meta: PreparedMeta = { n, units: made.units, distinct: made.distinct, inputBytes, beforeBytes: byteLength(made.before), normalBytes: byteLength(normal) }
  if (c.procedure === 'reopen') {
    // The store to reopen: on disk, as a store directory.
    const book = await Logbook.create({ dir: paths.store, spaceKey: SPACE_KEY, identity: STORE_IDENTITY })
    try {
      await importFile(book, paths.before)
      const t0 = performance.now()
      await importFile(book, paths.input)
      meta.importSeconds = (performance.now() - t0) / 1000
    } finally {
      await book.close()
    }
  }
  writeFileSync(paths.meta, JSON.stringify(meta))
  report<PreparedMeta>(meta)
}

async function measure (id: string, dir: string): Promise<void> {
  const c = hostileCase(id)
  const meta = JSON.parse(readFileSync(files(dir).meta, 'utf8')) as PreparedMeta
  await warmUp(c)
  const measured = await runProcedure(c.procedure, dir, meta)
  report<HostileResult>({ case: id, n: meta.n, units: meta.units, distinct: meta.distinct, ingestBytes: meta.inputBytes, peakRssMB: peakRssMB(), ...measured })
}

/** A fresh store for the normal import: in a directory when the case's store is one. */
async function normalBook (c: HostileCase, dir: string, run: number): Promise<Logbook> {
  if (c.procedure !== 'reopen') return await memoryBook()
  return await Logbook.create({ dir: join(dir, `normal-store-${run}`), spaceKey: SPACE_KEY, identity: STORE_IDENTITY })
}

async function normal (id: string, dir: string): Promise<void> {
  const c = hostileCase(id)
  await warmUp()
  let best: NormalResult | null = null
  for (let run = 0; run < NORMAL_RUNS; run++) {
    const book = await normalBook(c, dir, run)
    try {
      const t0 = performance.now()
      const summary = await importFile(book, files(dir).normal)
      const seconds = (performance.now() - t0) / 1000
      if (best === null || seconds < best.seconds) best = { seconds, bytes: summary.bytes, entries: summary.imported }
    } finally {
      await book.close()
    }
  }
  report<NormalResult>(best as NormalResult)
}

runCase(async () => {
  const args = caseArgs()
  const phase = need(args, 'phase')
  const dir = need(args, 'dir')
  if (phase === 'prepare') await prepare(need(args, 'case'), needInt(args, 'n'), dir)
  else if (phase === 'measure') await measure(need(args, 'case'), dir)
  else if (phase === 'normal') await normal(need(args, 'case'), dir)
  else throw new Error(`unknown --phase ${phase} (prepare, measure or normal)`)
})
