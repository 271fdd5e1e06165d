// What the measuring child times for each kind of case. The input is streamed from its file, as an
// import of an export file would be; what the store held before is imported first, untimed.
import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { countView, Logbook, type ImportSummary } from '../../src/index.js'
import { memoryBook } from '../../test/helpers/fixtures.js'
import type { Procedure } from './cases.js'
import type { PreparedMeta } from './types.js'

/** What a procedure measured; the child adds the case, sizes and peak RSS. */
export interface Measured {
  seconds: number
  ingestSeconds: number
  /** When the ingest figure covers more than the input (the input file's size otherwise). */
  ingestBytes?: number
  counts: Record<string, number>
  notes: string[]
}

export const files = (dir: string): { before: string, input: string, normal: string, meta: string, store: string } => ({
  before: join(dir, 'before.lbk'),
  input: join(dir, 'input.lbk'),
  normal: join(dir, 'normal.lbk'),
  meta: join(dir, 'meta.json'),
  store: join(dir, 'store')
})

const since = (t0: number): number => (performance.now() - t0) / 1000

export async function importFile (book: Logbook, file: string): Promise<ImportSummary> {
  return await book.import(createReadStream(file))
}

/** A timed import of `file`: its summary and seconds. */
async function timedImport (book: Logbook, file: string): Promise<{ summary: ImportSummary, seconds: number }> {
  const t0 = performance.now()
  const summary = await importFile(book, file)
  return { summary, seconds: since(t0) }
}

function countsOf (book: Logbook, summary: ImportSummary | null): Record<string, number> {
  const status = book.status()
  const counts: Record<string, number> = { ready: status.entries, pendingEntries: status.pendingEntries, forks: status.forks.length }
  if (summary !== null) Object.assign(counts, { imported: summary.imported, duplicates: summary.duplicates, pending: summary.pending, rejected: summary.rejectedCount })
  return counts
}

/** Codes of the rejected segments, counted ("INVALID_PAYLOAD ×3"). */
function rejectedCodes (summary: ImportSummary): string[] {
  const codes = new Map<string, number>()
  for (const problem of summary.rejected) codes.set(problem.code, (codes.get(problem.code) ?? 0) + 1)
  const listed = [...codes].map(([code, count]) => `${code} ×${count}`)
  if (summary.rejectedCount > summary.rejected.length) listed.push(`(${summary.rejectedCount} in all)`)
  return listed.length === 0 ? [] : [`rejected: ${listed.join(', ')}`]
}

async function withMemoryBook<T> (dir: string, run: (book: Logbook) => Promise<T>): Promise<T> {
  const book = await memoryBook()
  try {
    const before = files(dir).before
    if (existsSync(before)) await importFile(book, before)
    return await run(book)
  } finally {
    await book.close()
  }
}

const procedures: Record<Procedure, (dir: string, meta: PreparedMeta) => Promise<Measured>> = {
  import: async (dir) => await withMemoryBook(dir, async (book) => {
    const { summary, seconds } = await timedImport(book, files(dir).input)
    return { seconds, ingestSeconds: seconds, counts: countsOf(book, summary), notes: rejectedCodes(summary) }
  }),

  'import-tail': async (dir, meta) => {
    const book = await memoryBook()
    try {
      const before = await timedImport(book, files(dir).before)
      const { summary, seconds } = await timedImport(book, files(dir).input)
      const notes = [`the ${meta.beforeBytes} bytes before it imported in ${before.seconds.toFixed(2)} s`, ...rejectedCodes(summary)]
      return { seconds, ingestSeconds: before.seconds + seconds, ingestBytes: meta.beforeBytes + meta.inputBytes, counts: countsOf(book, summary), notes }
    } finally {
      await book.close()
    }
  },

  'import-view': async (dir) => {
    const book = await memoryBook()
    try {
      const view = book.use('trusted', countView({ forks: 'exclude' }))
      await importFile(book, files(dir).before)
      await view.ready()
      let rebuilds = 0
      view.on('rebuild', () => { rebuilds++ })
      const t0 = performance.now()
      const summary = await importFile(book, files(dir).input)
      await view.ready()
      const seconds = since(t0)
      return { seconds, ingestSeconds: seconds, counts: { ...countsOf(book, summary), rebuilds, counted: await view.api.get() }, notes: [`view rebuilt ${rebuilds} times`] }
    } finally {
      await book.close()
    }
  },

  'verify-forks': async (dir) => await withMemoryBook(dir, async (book) => {
    const { summary, seconds: ingestSeconds } = await timedImport(book, files(dir).input)
    const t0 = performance.now()
    const verified = await book.verify()
    const verifySeconds = since(t0)
    const t1 = performance.now()
    const proofs = await book.forks()
    const forksSeconds = since(t1)
    const notes = [`verify ${verifySeconds.toFixed(2)} s${verified.ok ? '' : ` (${verified.problems.length} problems)`}, forks() ${forksSeconds.toFixed(2)} s for ${proofs.length} proofs`]
    return { seconds: verifySeconds + forksSeconds, ingestSeconds, counts: { ...countsOf(book, summary), proofs: proofs.length }, notes }
  }),

  reopen: async (dir, meta) => {
    const t0 = performance.now()
    const book = await Logbook.open({ dir: files(dir).store })
    try {
      book.status()
      const openSeconds = since(t0)
      const runs = (await book.pending()).length
      const listSeconds = since(t0) - openSeconds
      const verified = await book.verify()
      const seconds = since(t0)
      const notes = [`open + status ${openSeconds.toFixed(2)} s; ${runs} waiting runs listed in ${listSeconds.toFixed(2)} s; verify ${(seconds - openSeconds - listSeconds).toFixed(2)} s${verified.ok ? '' : ` (${verified.problems.length} problems)`}`]
      return { seconds, ingestSeconds: meta.importSeconds ?? NaN, counts: countsOf(book, null), notes }
    } finally {
      await book.close()
    }
  },

  'read-text': async (dir) => await withMemoryBook(dir, async (book) => {
    const { summary, seconds: ingestSeconds } = await timedImport(book, files(dir).input)
    const t0 = performance.now()
    let read = 0
    for await (const _ of book.log()) read++
    const logSeconds = since(t0)
    const t1 = performance.now()
    let textBytes = 0
    for await (const chunk of book.export({ format: 'json' })) textBytes += chunk.byteLength
    const exportSeconds = since(t1)
    const notes = [`accepted ${summary.imported}, refused ${summary.rejectedCount}`, ...rejectedCodes(summary), `log ${logSeconds.toFixed(2)} s (${read} entries), export as text ${exportSeconds.toFixed(2)} s (${textBytes} bytes)`]
    return { seconds: logSeconds + exportSeconds, ingestSeconds, counts: { ...countsOf(book, summary), accepted: summary.imported, refused: summary.rejectedCount }, notes }
  }),

  reimport: async (dir) => await withMemoryBook(dir, async (book) => {
    const fresh = await timedImport(book, files(dir).input)
    const again = await timedImport(book, files(dir).input)
    const notes = [`fresh import ${fresh.seconds.toFixed(2)} s (${fresh.summary.imported} imported); again ${again.seconds.toFixed(2)} s = ${(again.seconds / fresh.seconds).toFixed(2)}× the fresh import`]
    return { seconds: again.seconds, ingestSeconds: again.seconds, counts: { ...countsOf(book, again.summary), freshImported: fresh.summary.imported }, notes }
  })
}

export async function runProcedure (procedure: Procedure, dir: string, meta: PreparedMeta): Promise<Measured> {
  return await procedures[procedure](dir, meta)
}
