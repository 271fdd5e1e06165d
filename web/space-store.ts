// The page's store of one space: in a browser, `dir` names IndexedDB databases, one set per space, so
// links to two spaces open two stores. Opened when it exists, created (joining the space) when it does not.
import { MemoryLevel } from 'memory-level'
import { Logbook } from './logbook-api.js'

/** The store's name (and the Web Lock's) for a space: by its public id, never by its key. */
export function storeName (spaceId: string): string {
  return `logbook-${spaceId}`
}

/**
 * The public id of the space `spaceKey` names, as the library derives it: from a Logbook on a throwaway
 * in-memory database, which needs no storage of the page and holds nothing once closed.
 */
export async function spaceIdOf (spaceKey: Uint8Array): Promise<string> {
  const scratch = await Logbook.create({ db: new MemoryLevel({ keyEncoding: 'view', valueEncoding: 'view' }), spaceKey })
  try {
    return scratch.spaceId
  } finally {
    await scratch.close()
  }
}

/** What `open` says of a store that is not there: LOGBOOK_NOT_OPEN, or, as for a directory, LOGBOOK_NOT_INITIALIZED. */
const ABSENT = new Set(['LOGBOOK_NOT_OPEN', 'LOGBOOK_NOT_INITIALIZED'])

/**
 * Opens the space's store, or creates it when open says it is not there. (Should open have failed for
 * another reason, such as a lock held elsewhere, create fails the same way, or refuses a store that exists.)
 */
export async function openSpaceStore (dir: string, spaceKey: Uint8Array): Promise<Logbook> {
  try {
    return await Logbook.open({ dir })
  } catch (error) {
    // By its code, not its class: what matters is what open said, whichever copy of the library said it.
    if (!ABSENT.has((error as { code?: string } | null)?.code ?? '')) throw error
    return await Logbook.create({ dir, spaceKey })
  }
}
