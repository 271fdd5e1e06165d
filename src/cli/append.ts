// logbook append [VALUE] [--lines] [--string] [--link ID]... [--quiet] [--json] [--sync]
// A value is JSON, read exactly (refused where JSON.parse would change it), or with --string the text
// itself. --lines checks every line before any is appended: a bad line appends nothing, so a rerun after
// fixing it cannot duplicate the lines before it.
import type { Command } from 'commander'
import { LogbookError, type Payload } from '../index.js'
import { idPrefixList, out, resolveLinks, withBook } from './context.js'
import { interruptible } from './interrupt.js'
import { readStdin, utf8Text, withoutLineEnd } from './input.js'
import { argumentText, typedValue } from './typed-value.js'

interface AppendFlags { lines?: boolean, string?: boolean, link?: string[], quiet?: boolean, json?: boolean, sync?: boolean }

/**
 * All of stdin as the value's text. Empty input (often a command upstream that failed) and bytes that are
 * not UTF-8 text are refused: an entry can never be taken back.
 */
async function stdinValue (): Promise<string> {
  const bytes = await readStdin()
  if (bytes.byteLength === 0) throw new LogbookError('INVALID_ARGUMENT', 'nothing on stdin to append (to append an empty string, give it as an argument: \'""\')')
  const text = utf8Text(bytes)
  if (text === undefined) throw new LogbookError('INVALID_PAYLOAD', 'stdin is not UTF-8 text; append takes JSON or text (the library takes bytes)')
  return withoutLineEnd(text)
}

/** The first line of `bytes` that is not UTF-8 (from 1). */
function firstBadLine (bytes: Buffer): number {
  let line = 1
  let start = 0
  while (start <= bytes.byteLength) {
    let end = bytes.indexOf(0x0a, start)
    if (end < 0) end = bytes.byteLength
    if (utf8Text(bytes.subarray(start, end)) === undefined) return line
    line++
    start = end + 1
  }
  return line
}

/** Every non-empty stdin line as a value, with its line number; the first bad line stops everything. */
async function stdinLineValues (asString: boolean): Promise<{ values: Payload[], lineNumbers: number[] }> {
  const bytes = await readStdin()
  const text = utf8Text(bytes)
  if (text === undefined) throw new LogbookError('INVALID_PAYLOAD', `stdin line ${firstBadLine(bytes)} is not UTF-8 text; nothing was appended`)
  const values: Payload[] = []
  const lineNumbers: number[] = []
  let lineNumber = 0
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    lineNumber++
    // A line end is LF or CRLF.
    const line = text.charCodeAt(end - 1) === 13 && end > start ? text.slice(start, end - 1) : text.slice(start, end)
    start = end + 1
    // White space is not JSON data: a blank line is skipped like an empty one (as text, it is kept).
    if (line === '' || (!asString && line.trim() === '')) continue
    try {
      values.push(typedValue(line, { asString, what: 'stdin', firstLine: lineNumber }))
    } catch (err) {
      if (err instanceof LogbookError) throw new LogbookError(err.code, `${err.message}; nothing was appended`, { cause: err })
      throw err
    }
    lineNumbers.push(lineNumber)
  }
  return { values, lineNumbers }
}

/** One entry: the argument, or all of stdin. Always a batch of one: an array value is one entry. */
async function appendOne (command: Command, value: string | undefined, flags: AppendFlags): Promise<string[]> {
  const text = value === undefined ? await stdinValue() : argumentText(value, 'the value')
  const entry = typedValue(text, { asString: flags.string === true, what: value === undefined ? 'stdin' : 'the value' })
  return await withBook(command, async (book) => await book.append([entry], { links: await resolveLinks(book, flags.link ?? []) }), { sync: flags.sync })
}

type LineValues = Awaited<ReturnType<typeof stdinLineValues>>

/**
 * Appends every line's value in one call: the library checks them all before writing any. Ctrl-C stops it
 * between two segments (each one atomic batch); the line printed then says how far it got.
 */
async function appendLines (command: Command, lines: LineValues, flags: AppendFlags): Promise<string[]> {
  const { values, lineNumbers } = lines
  let appended = -1
  const kept = (atOnce: boolean): string => {
    if (atOnce || appended < 0) return 'append stopped; every entry is whole and the store is consistent (`logbook log --tail` shows the last ones appended)'
    if (appended === 0) return 'append stopped before its first entry; nothing was appended'
    const next = appended < values.length ? `; the rest starts at stdin line ${lineNumbers[appended]}` : ''
    return `append stopped after ${appended} of ${values.length} entries (up to stdin line ${lineNumbers[appended - 1]}); they are kept and the store is consistent${next}`
  }
  return await interruptible(kept, async (signal) => await withBook(command, async (book) => {
    const links = await resolveLinks(book, flags.link ?? [])
    if (values.length === 0) {
      if (links.length > 0) throw new LogbookError('INVALID_ARGUMENT', 'no lines on stdin: nothing to link')
      return []
    }
    try {
      return await book.append(values, { links, signal })
    } catch (err) {
      if (!(err instanceof LogbookError) || err.index === undefined) throw err
      if (err.code === 'ABORTED') {
        appended = err.index
        throw err
      }
      throw new LogbookError(err.code, `stdin line ${lineNumbers[err.index]}: ${err.message.replace(/^payload \d+ ?/, 'the entry ')}; nothing was appended`, { cause: err })
    }
  }, { sync: flags.sync }))
}

export function register (program: Command): void {
  program.command('append')
    .description('append one entry: a JSON value (or with --string, text) from the argument or stdin; --lines: one per stdin line')
    .argument('[value]', 'the value as JSON, e.g. \'{"type":"note"}\' or \'"text"\' (default: all of stdin, less one trailing line end)')
    .option('--lines', 'each non-empty stdin line is one entry; every line is checked before any is appended')
    .option('--string', 'store the text itself as a JSON string instead of reading it as JSON')
    .option('--link <id>', 'an entry the (first) new entry follows (its id, or a unique prefix of 4+ digits); repeatable', idPrefixList('link'))
    .option('--quiet', 'print only the number of entries appended')
    .option('--json', 'print {"id": ...} per entry (NDJSON), or {"appended": N} with --quiet')
    .option('--sync', 'fsync before reporting success')
    .action(async (value: string | undefined, flags: AppendFlags, command: Command) => {
      if (flags.lines === true && value !== undefined) {
        command.error('--lines reads stdin; do not also give a value', { exitCode: 2, code: 'logbook.conflict' })
      }
      out.keepWorkingWhenClosed()
      // Input is read and checked before the store is opened.
      const ids = flags.lines === true
        ? await appendLines(command, await stdinLineValues(flags.string === true), flags)
        : await appendOne(command, value, flags)
      if (flags.quiet === true) {
        await (flags.json === true ? out.json({ appended: ids.length }) : out.line(String(ids.length)))
        return
      }
      await out.lines(flags.json === true ? ids.map((id) => JSON.stringify({ id })) : ids)
    })
}
