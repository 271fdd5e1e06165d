// A command's store: opened here when it is free, and then shared with other commands over its socket
// for as long as this command holds it; otherwise reached through the process that holds it. The
// LevelDB lock decides which: whoever holds it serves, everyone else is served.
import { Logbook, LogbookError } from '../../index.js'
import type { BookApi } from './book-api.js'
import { holderName, reachHolder } from './client.js'
import { hostStore, type Host } from './host.js'

/**
 * How long a command waits for a holder that has the lock but does not answer (it is starting to listen,
 * or it is a program that does not share its store), counted from the last time a finishing holder answered.
 */
const SILENT_WAIT_MS = 1000
const RETRY_MS = 50

export interface OpenBook {
  book: BookApi
  /** Closes the store (after the commands this one serves), or the connection to its holder. */
  close: () => Promise<void>
}

/** The store's database is locked by another process (LevelDB's LEVEL_LOCKED, somewhere in the causes). */
export function heldElsewhere (err: unknown): boolean {
  if (!(err instanceof LogbookError) || err.code !== 'LOGBOOK_NOT_OPEN') return false
  for (let at: unknown = err, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
    if ((at as { code?: unknown }).code === 'LEVEL_LOCKED') return true
  }
  return false
}

async function hosted (book: Logbook, dir: string, command: string): Promise<OpenBook> {
  let host: Host | null = null
  try {
    host = await hostStore(book, dir, command)
  } catch {
    // Sharing is a convenience: without it, this command still works on its store.
  }
  return {
    book,
    close: async () => {
      try {
        await host?.close()
      } finally {
        await book.close()
      }
    }
  }
}

/** Opens the store in `dir` for `command` (as in `logbook import`), or reaches the process that holds it. */
export async function openBook (dir: string, options: { sync: boolean, command: string }): Promise<OpenBook> {
  // A holder that is finishing answers `closing` until it has let the commands it serves finish.
  let lastAnswer = Date.now()
  for (;;) {
    let book: Logbook
    try {
      book = await Logbook.open({ dir, sync: options.sync })
    } catch (err) {
      if (!heldElsewhere(err)) throw err
      const reached = await reachHolder(dir, { sync: options.sync })
      if (reached?.kind === 'open') return { book: reached.book, close: async () => await reached.book.close() }
      if (reached?.kind === 'closing') lastAnswer = Date.now()
      else if (Date.now() - lastAnswer > SILENT_WAIT_MS) throw err
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS))
      continue
    }
    return await hosted(book, dir, options.command)
  }
}

/**
 * Opens the store in `dir` in this process, for work that needs the Logbook itself (replication: `serve`,
 * `sync`, `swarm`), and shares it with other commands while it runs. When another command holds the store,
 * the error names it.
 */
export async function openOwnBook (dir: string, options: { sync: boolean, command: string, doing: string }): Promise<{ book: Logbook, close: () => Promise<void> }> {
  let book: Logbook
  try {
    book = await Logbook.open({ dir, sync: options.sync })
  } catch (err) {
    throw await refusalWhileHeld(dir, err, options.doing)
  }
  const opened = await hosted(book, dir, options.command)
  return { book, close: opened.close }
}

/**
 * `err` from opening the store for work that needs it to itself (`doing`): when another command holds the
 * store, an error that names that command; otherwise `err` as it was.
 */
export async function refusalWhileHeld (dir: string, err: unknown, doing: string): Promise<unknown> {
  if (!heldElsewhere(err)) return err
  const reached = await reachHolder(dir, { sync: false }).catch(() => null)
  if (reached === null) return err
  const holder = reached.kind === 'open' ? reached.book.holder : reached.holder
  if (reached.kind === 'open') await reached.book.close()
  return new LogbookError('LOGBOOK_NOT_OPEN', `the store is in use by ${holderName(holder)}; ${doing} needs the store to itself: try again when that command has finished`, { cause: err })
}
