// logbook append [JSON] [--lines] [--link ID]... [--sync]
import type { Command } from 'commander'
import { LogbookError, type Payload } from '../index.js'
import { hexList, out, withBook } from './context.js'
import { parseValue, readStdinText, stdinLines } from './input.js'

/** Lines per book.append call: one signed segment (one signature) each. */
export const BATCH_LINES = 1024

interface AppendFlags { lines?: boolean, link?: string[], sync?: boolean }

export function register (program: Command): void {
  program.command('append')
    .description('append one entry (JSON, or else a string) from the argument or stdin; --lines: one per stdin line')
    .argument('[value]', 'the value; JSON text is that JSON value, any other text is a string (default: all of stdin)')
    .option('--lines', 'each non-empty stdin line is one entry, signed in batches of 1024')
    .option('--link <id>', 'an entry the (first) new entry follows; repeatable', hexList('link'))
    .option('--sync', 'fsync before reporting success')
    .action(async (value: string | undefined, options: AppendFlags, command: Command) => {
      if (options.lines === true && value !== undefined) {
        command.error('--lines reads stdin; do not also give a value', { exitCode: 2, code: 'logbook.conflict' })
      }
      const links = options.link ?? []
      out.keepWorkingWhenClosed()
      await withBook(command, async (book) => {
        if (options.lines !== true) {
          const text = value ?? await readStdinText()
          // Always a batch of one: an array value is one entry, not a batch.
          const [id] = await book.append([parseValue(text) as Payload], { links })
          await out.line(id)
          return
        }
        let batch: Payload[] = []
        let first = true
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return
          const ids = await book.append(batch, first ? { links } : {})
          first = false
          batch = []
          for (const id of ids) await out.line(id)
        }
        for await (const line of stdinLines()) {
          if (line === '') continue
          batch.push(parseValue(line) as Payload)
          if (batch.length >= BATCH_LINES) await flush()
        }
        await flush()
        if (first && links.length > 0) throw new LogbookError('INVALID_ARGUMENT', 'no lines on stdin: nothing to link')
      }, { sync: options.sync })
    })
}
