// logbook import [FILE...] [--json] [--sync]: read exports (files in order as one stream, or stdin).
// Ctrl-C stops it after the segment in hand; what was imported until then is kept.
import { access, constants, open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { describeBytes, isIoFailure, LogbookError, SNIFF_BYTES, storePaths, type ImportSummary } from '../index.js'
import { out, withBook } from './context.js'
import { counted } from './output.js'
import { concatSources, isStdin, locate, type SourceStarts } from './input.js'
import { interruptible } from './interrupt.js'
import { progressBar } from './progress.js'

async function totalBytes (files: string[]): Promise<number | null> {
  let total = 0
  for (const file of files) {
    if (isStdin(file)) return null
    const info = await stat(file)
    if (!info.isFile()) return null
    total += info.size
  }
  return total
}

const segments = (n: number): string => counted(n, 'segment', 'segments')
const entries = (n: number): string => counted(n, 'entry', 'entries')

/** Where a stream offset falls in the named files: ` (in FILE at byte N)` (nothing for stdin alone). */
function sourceOf (starts: SourceStarts, offset: number): string {
  if (starts.length === 0 || (starts.length === 1 && starts[0].name === 'stdin')) return ''
  const { name, offset: inSource } = locate(starts, offset)
  return ` (in ${name} at byte ${inSource})`
}

/** What an interrupted import kept: all it stored, or (stopped at once) what it had read by then. */
function keptLine (summary: ImportSummary | null, handed: number, atOnce: boolean): string {
  if (summary === null || atOnce) {
    return `import stopped at once after reading ${entries(handed)}; every entry written before is kept and the store is consistent`
  }
  const already = summary.duplicates > 0 ? ` (${summary.duplicates} more were here already)` : ''
  return `import stopped after ${entries(summary.imported)}${already}; they are kept and the store is consistent`
}

async function printSummary (summary: ImportSummary, starts: SourceStarts): Promise<void> {
  if (summary.bytes === 0) await out.line('input:      empty (nothing to import)')
  await out.line(`imported:   ${entries(summary.imported)}`)
  await out.line(`duplicates: ${entries(summary.duplicates)}`)
  if (summary.signaturesAdded > 0) await out.line(`signatures: ${summary.signaturesAdded} added`)
  await out.line(`pending:    ${entries(summary.pending)} (see \`logbook status\`)`)
  await out.line(`rejected:   ${segments(summary.rejectedCount)}`)
  for (const problem of summary.rejected) await out.line(`  at byte ${problem.offset}${sourceOf(starts, problem.offset)}: ${problem.code}: ${problem.message}`)
  if (summary.rejectedCount > summary.rejected.length) await out.line(`  ... and ${summary.rejectedCount - summary.rejected.length} more`)
  if (summary.corrupt !== null) {
    await out.line(`corrupt:    ${summary.corrupt.message}${sourceOf(starts, summary.corrupt.offset)} (everything before it was kept)`)
  }
  for (const author of summary.forked) await out.line(`forked:     ${author} (see \`logbook forks\`)`)
}

/** A file that cannot be read: the disk's refusal (IO_ERROR), or a name that is wrong. */
function unreadable (file: string, err: unknown): LogbookError {
  const reason = (err as NodeJS.ErrnoException).code ?? String(err)
  return new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'INVALID_ARGUMENT', `cannot read ${file}: ${reason}`, { cause: err })
}

/** The first SNIFF_BYTES and the last 8 bytes of a file. */
async function headAndTail (file: string, size: number): Promise<{ head: Uint8Array, tail: Uint8Array }> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES))
    const tail = Buffer.alloc(Math.min(size, 8))
    await handle.read(head, 0, head.byteLength, 0)
    await handle.read(tail, 0, tail.byteLength, size - tail.byteLength)
    return { head, tail }
  } catch (err) {
    throw unreadable(file, err)
  } finally {
    await handle.close()
  }
}

/**
 * Fails early (before anything is imported) when a named file cannot be read, or plainly is not an
 * export: a directory (a store?), or bytes that look like something else (gzip, a tar, text...).
 */
export async function checkExports (files: string[]): Promise<void> {
  for (const file of files) {
    if (isStdin(file)) continue
    let size: number
    try {
      await access(file, constants.R_OK)
      const info = await stat(file)
      if (info.isDirectory()) {
        const has = async (path: string): Promise<boolean> => await access(path).then(() => true, () => false)
        if (await has(storePaths(file).space)) {
          throw new LogbookError('INVALID_ARGUMENT', `${file} is a logbook store, not an export; \`logbook --dir ${file} export > FILE\` makes an export of it`)
        }
        const what = await has(join(file, 'CURRENT')) ? 'a LevelDB database' : 'a directory'
        throw new LogbookError('INVALID_ARGUMENT', `${file} is ${what}, not a logbook export`)
      }
      if (!info.isFile()) continue // a pipe or a device: read as it comes
      size = info.size
    } catch (err) {
      if (err instanceof LogbookError) throw err
      throw unreadable(file, err)
    }
    const { head, tail } = await headAndTail(file, size)
    const what = describeBytes(head, tail)
    if (what !== null) throw new LogbookError('CORRUPT_FRAME', `${file} is not a logbook export: it looks like ${what}`)
  }
}

export function register (program: Command): void {
  program.command('import')
    .description('import exports from files (in order, as one stream) or stdin (no files, or -)')
    .argument('[files...]', 'export files; - is stdin')
    .option('--json', 'print the import summary as JSON')
    .option('--sync', 'fsync every write')
    .action(async (fileArgs: string[], options: { json?: boolean, sync?: boolean }, command: Command) => {
      const files = fileArgs.length === 0 ? ['-'] : fileArgs
      if (files.filter(isStdin).length > 1) command.error('stdin (-) can be read only once', { exitCode: 2, code: 'logbook.conflict' })
      if (files.some(isStdin) && process.stdin.isTTY === true) {
        throw new LogbookError('INVALID_ARGUMENT', 'expected an export on stdin (pipe one in, or name a file)')
      }
      await checkExports(files)
      const starts: SourceStarts = []
      let summary: ImportSummary | null = null
      let handed = 0
      summary = await interruptible((atOnce) => keptLine(summary, handed, atOnce), async (signal) => await withBook(command, async (book) => {
        const total = await totalBytes(files)
        const bar = await progressBar(total === null
          ? 'importing {value} bytes | {entries} entries'
          : 'importing [{bar}] {percentage}% | {value}/{total} bytes | {entries} entries')
        bar?.update(0, total ?? 0, { entries: 0 })
        const onProgress = (progress: { bytes: number, entries: number }): void => {
          handed = progress.entries
          bar?.update(progress.bytes, total ?? 0, { entries: progress.entries })
        }
        try {
          summary = await book.import(concatSources(files, starts), { sync: options.sync === true, onProgress, signal })
          return summary
        } finally {
          bar?.stop()
        }
      }, { sync: options.sync }), (done) => !done.aborted)
      // Nothing at all was read as an export: the one error line says it all, as for a file refused up front.
      const nothingRead = summary.corrupt !== null && summary.corrupt.offset === 0 && summary.segments === 0 && summary.rejectedCount === 0
      if (!nothingRead) {
        if (options.json === true) await out.json(summary)
        else await printSummary(summary, starts)
        await out.flush()
      }
      if (summary.corrupt !== null) {
        const kept = summary.imported + summary.duplicates + summary.pending > 0 ? `; the ${entries(summary.imported)} imported before it are kept` : ''
        throw new LogbookError('CORRUPT_FRAME', `${summary.corrupt.message}${sourceOf(starts, summary.corrupt.offset)}${kept}`)
      }
      if (summary.rejectedCount > 0) {
        const first = summary.rejected[0]
        throw new LogbookError(first.code as LogbookError['code'], `${segments(summary.rejectedCount)} rejected (first at byte ${first.offset}${sourceOf(starts, first.offset)}: ${first.message})`)
      }
    })
}
