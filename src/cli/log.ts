// logbook log [--json] [--author A] [--limit N | --tail N] [--reverse] [--follow]: ready entries in local
// order. --follow then prints entries as they become ready (appended, imported, replicated) until Ctrl-C.
import { Option, type Command } from 'commander'
import type { LogEntry } from '../index.js'
import type { BookApi } from './shared-store/book-api.js'
import { entryLine, entryToJson } from './output.js'
import { idPrefixArg, intArg, out, withBook } from './context.js'
import { interruptible } from './interrupt.js'

interface LogFlags { json?: boolean, author?: string, limit?: number, tail?: number, reverse?: boolean, follow?: boolean }

/** How often a store that tells no news (another process's, through its socket) is asked again. */
const POLL_MS = 500

/**
 * Resolves at the next news of ready entries, or after a while: a Logbook opened here emits 'ready'; a
 * store held by another process may not, and is read again after POLL_MS.
 */
async function moreReady (book: object, signal: AbortSignal): Promise<void> {
  const events = book as { on?: (event: 'ready', listener: () => void) => unknown, off?: (event: 'ready', listener: () => void) => unknown }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      events.off?.('ready', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, POLL_MS)
    events.on?.('ready', done)
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Prints the entries after local seq `since` as they become ready, until `signal` aborts. */
async function follow (book: BookApi, since: number, print: (entry: LogEntry) => Promise<void>, author: string | undefined, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    for await (const entry of book.log({ author, since })) {
      await print(entry)
      since = entry.localSeq
    }
    // Lines show as entries arrive, not when 64 KiB have gathered.
    await out.flush()
    await moreReady(book, signal)
  }
}

export function register (program: Command): void {
  program.command('log')
    .description('list ready entries in local order: localSeq author seq id time (UTC) payload')
    .option('--json', 'NDJSON: one entry per line (timestamps in ms; binary payloads as {"base64": ...})')
    .option('--author <id>', 'only this author\'s entries (an author id, or a unique prefix of 4+ digits)', idPrefixArg('an author id'))
    .addOption(new Option('--limit <n>', 'at most N entries, from the first (from the last with --reverse)').argParser(intArg))
    .addOption(new Option('--tail <n>', 'only the last N entries (still oldest first, unless --reverse)').argParser(intArg).conflicts('limit'))
    .option('--reverse', 'newest first')
    .addOption(new Option('--follow', 'then print entries as they become ready, until Ctrl-C').conflicts(['limit', 'reverse']))
    .action(async (options: LogFlags, command: Command) => {
      const print = async (entry: LogEntry): Promise<void> => await out.line(options.json === true ? JSON.stringify(entryToJson(entry)) : entryLine(entry))
      const list = async (book: BookApi): Promise<number> => {
        const author = options.author === undefined ? undefined : await book.resolveAuthor(options.author)
        // What is ready now; with --follow, everything after it is printed as it comes.
        let last = (await book.status()).entries
        for await (const entry of book.log({ author, limit: options.limit, tail: options.tail, reverse: options.reverse === true })) {
          await print(entry)
          last = Math.max(last, entry.localSeq)
        }
        return last
      }
      if (options.follow !== true) {
        await withBook(command, async (book) => { await list(book) })
        return
      }
      await interruptible(() => 'log stopped', async (signal) => await withBook(command, async (book) => {
        const author = options.author === undefined ? undefined : await book.resolveAuthor(options.author)
        await follow(book, await list(book), print, author, signal)
      }))
    })
}
