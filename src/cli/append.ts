// logbook append [JSON] [--lines] [--link ID]... [--sync] [--json]
import type { Command } from 'commander'
import { LogbookError, type Payload } from '../index.js'
import { idPrefixList, out, resolveLinks, withBook } from './context.js'
import { parseValue, readStdin, stdinLines } from './input.js'

/** Lines per book.append call: one signed segment (one signature) each. */
export const BATCH_LINES = 1024

/**
 * All of stdin as the value's text. Empty input (often a command upstream that failed) and bytes that are
 * not UTF-8 text are refused: an entry can never be taken back.
 */
async function stdinValue (): Promise<string> {
  const bytes = await readStdin()
  if (bytes.byteLength === 0) throw new LogbookError('INVALID_ARGUMENT', 'nothing on stdin to append (to append an empty string, give it as an argument: \'""\')')
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new LogbookError('INVALID_PAYLOAD', 'stdin is not UTF-8 text; append takes JSON or text (the library takes bytes)')
  }
}

interface AppendFlags { lines?: boolean, link?: string[], sync?: boolean, json?: boolean }

export function register (program: Command): void {
  program.command('append')
    .description('append one entry (JSON, or else a string) from the argument or stdin; --lines: one per stdin line')
    .argument('[value]', 'the value; JSON text is that JSON value, any other text is a string (default: all of stdin)')
    .option('--lines', 'each non-empty stdin line is one entry, signed in batches of 1024')
    .option('--link <id>', 'an entry the (first) new entry follows (its id, or a unique prefix of 4+ digits); repeatable', idPrefixList('link'))
    .option('--sync', 'fsync before reporting success')
    .option('--json', 'print {"id": ...}; with --lines, one such line per entry (NDJSON)')
    .action(async (value: string | undefined, options: AppendFlags, command: Command) => {
      if (options.lines === true && value !== undefined) {
        command.error('--lines reads stdin; do not also give a value', { exitCode: 2, code: 'logbook.conflict' })
      }
      out.keepWorkingWhenClosed()
      const printId = async (id: string): Promise<void> => await (options.json === true ? out.json({ id }) : out.line(id))
      await withBook(command, async (book) => {
        const links = await resolveLinks(book, options.link ?? [])
        if (options.lines !== true) {
          const text = value ?? await stdinValue()
          // Always a batch of one: an array value is one entry, not a batch.
          const [id] = await book.append([parseValue(text) as Payload], { links })
          await printId(id)
          return
        }
        let batch: Payload[] = []
        /** The stdin line number of each entry in `batch`. */
        let lineNumbers: number[] = []
        let first = true
        const appendBatch = async (payloads: Payload[]): Promise<void> => {
          const ids = await book.append(payloads, first ? { links } : {})
          first = false
          for (const id of ids) await printId(id)
        }
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return
          try {
            await appendBatch(batch)
          } catch (err) {
            if (!(err instanceof LogbookError) || err.index === undefined) throw err
            // Everything before the bad line is appended; the command stops at it, naming its line.
            if (err.index > 0) await appendBatch(batch.slice(0, err.index))
            throw new LogbookError(err.code, `line ${lineNumbers[err.index]}: ${err.message.replace(/^payload \d+ /, 'the entry ')}`, { cause: err })
          }
          batch = []
          lineNumbers = []
        }
        let lineNumber = 0
        for await (const line of stdinLines()) {
          lineNumber++
          if (line === '') continue
          batch.push(parseValue(line) as Payload)
          lineNumbers.push(lineNumber)
          if (batch.length >= BATCH_LINES) await flush()
        }
        await flush()
        if (first && links.length > 0) throw new LogbookError('INVALID_ARGUMENT', 'no lines on stdin: nothing to link')
      }, { sync: options.sync })
    })
}
