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
  return result
}

Object.assign(globalThis, { runStoreBasics })
