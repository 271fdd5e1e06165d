// The page's store of one space: in a browser, `dir` names IndexedDB databases, one set per space, so
// links to two spaces open two stores. Opened when it exists, created (joining the space) when it does not.
import { Logbook } from './logbook-api.js'

/** The store's name (and the Web Lock's) for a space: by its public id, never by its key. */
export function storeName (spaceId: string): string {
  return `logbook-${spaceId}`
}


/**
 * Opens the space's store, or creates it when open says it is not there. (Should open have failed for
 * another reason, such as a lock held elsewhere, create fails the same way, or refuses a store that exists.)
 */
export async function openSpaceStore (dir: string, spaceKey: Uint8Array): Promise<Logbook> {
  try {
    return await Logbook.open({ dir })
  } catch (error) {
    // LOGBOOK_NOT_INITIALIZED: no store of that name. Anything else (another tab holds it: LOGBOOK_NOT_OPEN) stands.
    if ((error as { code?: string } | null)?.code !== 'LOGBOOK_NOT_INITIALIZED') throw error
    return await Logbook.create({ dir, spaceKey })
  }
}
