// The page side of the browser store test: stores named in IndexedDB through the library's browser
// entry, as an application opens them. Results go back to Node as plain data.
import { Identity, Logbook, isLogbookError } from '../../src/browser.js'

async function code (run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
    return 'none'
  } catch (err) {
    return isLogbookError(err) ? err.code : `not a LogbookError: ${String(err)}`
  }
}

async function runStoreBasics (): Promise<Record<string, unknown>> {
  const missing = await code(async () => await Logbook.open({ dir: 'never-made' }))
  const book = await Logbook.create({ dir: 'basics' })
  const first = await book.append({ n: 1 })
  const rest = await book.append([{ n: 2 }, { n: 3 }])
  const author = book.author
  const spaceId = book.spaceId
  const createdAgain = await code(async () => await Logbook.create({ dir: 'basics' }))
  const openedTwice = await code(async () => await Logbook.open({ dir: 'basics' }))
  const replacement = Identity.generate()
  await book.setIdentity(replacement)
  await book.close()
  const reopened = await Logbook.open({ dir: 'basics' })
  const status = reopened.status()
  const entry = await reopened.get(rest[1])
  const verified = await reopened.verify()
  const result = {
    missing,
    createdAgain,
    openedTwice,
    sameSpace: reopened.spaceId === spaceId,
    identityKept: reopened.author === replacement.author,
    firstAuthor: author,
    entries: status.entries,
    ids: [first, ...rest],
    lastPayload: entry?.payload,
    verified: verified.ok
  }
  await reopened.close()
  return { ...result, logDeleted: await openWithoutLog() }
}

/** A store whose log database was deleted while its keys remain refuses to open, rather than open empty. */
async function openWithoutLog (): Promise<string> {
  const book = await Logbook.create({ dir: 'no-log' })
  await book.append({ n: 1 })
  await book.close()
  await new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase('level-js-no-log/db')
    request.onsuccess = resolve
    request.onerror = () => reject(request.error)
  })
  return await code(async () => await Logbook.open({ dir: 'no-log' }))
}

Object.assign(globalThis, { runStoreBasics })
