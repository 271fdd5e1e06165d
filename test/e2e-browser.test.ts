// The web app end to end, in headless Chromium against a real `logbook serve`: two browser contexts (two
// peers, each with its own IndexedDB) and the `logbook` command edit the same notes and see each other's
// writes; one page goes offline and edits while the others edit the same notes, and after it comes back all
// three hold the same conflicts, which the pages resolve; a page without the key shows nothing of the space;
// a fork made here (two books of one identity) shows in the explorer, and a screenshot of it is kept in
// test-results/explorer-fork.png.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { MemoryLevel } from 'memory-level'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { Identity, Logbook } from '../src/index.js'
import { CHROMIUM_PATH } from './helpers/browser.js'
import { ROOT, ndjson, tempDir } from './helpers/cli.js'
import { Background, runAsync } from './helpers/cli-process.js'

/** The longest any one condition is waited for. */
const WAIT_MS = 20_000

const ARTIFACTS = join(ROOT, 'test-results')

interface NoteValue { title: string, body: string }
/** A note as a peer holds it: its current values (more than one: a conflict), in entry-id order. */
type Notes = Record<string, { conflict: boolean, values: NoteValue[] }>

interface Peer { context: BrowserContext, page: Page, errors: string[] }

/** Runs `logbook --dir DIR ...args` and insists on success; returns stdout. */
async function logbook (dir: string, args: string[]): Promise<string> {
  const result = await runAsync(['--dir', dir, ...args])
  assert.equal(result.status, 0, `logbook ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`)
  return result.stdout
}

/** The notes as `logbook kv list --json` gives them. */
async function processNotes (dir: string): Promise<Notes> {
  const notes: Notes = {}
  for (const result of ndjson(await logbook(dir, ['kv', 'list', '--prefix', 'note/', '--json']))) {
    notes[result.key] = {
      conflict: result.conflict,
      values: result.values.map((value: { value: NoteValue }) => ({ title: value.value.title, body: value.value.body }))
    }
  }
  return notes
}

/**
 * The notes as a page shows them: each note opened in turn (in one turn of the page's event loop, so the
 * reading is one consistent picture), its title and text from the editor, or every version when it shows a conflict.
 */
async function pageNotes (page: Page): Promise<Notes> {
  return await page.evaluate(() => {
    const notes: Record<string, { conflict: boolean, values: Array<{ title: string, body: string }> }> = {}
    const keys = [...document.querySelectorAll<HTMLElement>('[data-test=note-item]')].map((item) => item.dataset.key as string)
    for (const key of keys) {
      const item = document.querySelector<HTMLElement>(`[data-test=note-item][data-key="${CSS.escape(key)}"]`)
      if (item === null) continue
      item.click()
      const conflict = document.querySelector<HTMLElement>('[data-test=conflict]')
      const versions = [...document.querySelectorAll<HTMLElement>('[data-test=conflict-version]')]
      notes[key] = conflict !== null && !conflict.hidden
        ? { conflict: true, values: versions.map((v) => ({ title: v.querySelector('.version-title')?.textContent ?? '', body: v.querySelector('.version-body')?.textContent ?? '' })) }
        : { conflict: false, values: [{ title: (document.querySelector('[data-test=note-title]') as HTMLInputElement).value, body: (document.querySelector('[data-test=note-body]') as HTMLTextAreaElement).value }] }
    }
    return notes
  })
}

/** Polls `read` until `done` accepts what it read; fails after WAIT_MS with the last reading. */
async function until<T> (what: string, read: () => Promise<T>, done: (value: T) => boolean, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms
  let last: T | undefined
  for (;;) {
    last = await read()
    if (done(last)) return last
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; last: ${JSON.stringify(last)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Waits until both pages and the process hold the same notes, and returns them. */
async function converged (dir: string, pages: Page[], what: string, accept: (notes: Notes) => boolean): Promise<Notes> {
  return await until(what, async () => {
    const fromProcess = await processNotes(dir)
    const fromPages = []
    for (const page of pages) fromPages.push(await pageNotes(page))
    return { fromProcess, fromPages }
  }, ({ fromProcess, fromPages }) => accept(fromProcess) && fromPages.every((notes) => isDeepStrictEqual(notes, fromProcess)))
    .then(({ fromProcess }) => fromProcess)
}

async function openPeer (browser: Browser, url: string): Promise<Peer> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  await page.goto(url)
  return { context, page, errors }
}

async function waitOnline (page: Page, state: 'online' | 'offline'): Promise<void> {
  await page.locator(`[data-test=online-status][data-state=${state}]`).waitFor({ timeout: WAIT_MS })
}

const item = (page: Page, key: string): ReturnType<Page['locator']> => page.locator(`[data-test=note-item][data-key="${key}"]`)

/** Saves what the editor holds, and waits until the page says it is stored (the status line is emptied on submit). */
async function save (page: Page): Promise<void> {
  await page.locator('[data-test=note-save]').click()
  await said(page, 'Saved.')
}

/** Waits for the status line to say `words`; failing, tells what the editor shows instead. */
async function said (page: Page, words: string): Promise<void> {
  try {
    await page.locator('[data-test=note-status]', { hasText: words }).waitFor({ timeout: WAIT_MS })
  } catch (error) {
    const shows = await page.evaluate(() => ({
      status: document.querySelector('[data-test=note-status]')?.textContent,
      error: document.querySelector('[data-test=note-error]')?.textContent,
      title: (document.querySelector('[data-test=note-title]') as HTMLInputElement | null)?.value,
      body: (document.querySelector('[data-test=note-body]') as HTMLTextAreaElement | null)?.value,
      versions: document.querySelectorAll('[data-test=conflict-version]').length
    }))
    throw new Error(`the page never said ${JSON.stringify(words)}; it shows ${JSON.stringify(shows)}`, { cause: error })
  }
}

/** A new note written in the page; returns its key. */
async function newNote (page: Page, text: NoteValue): Promise<string> {
  await page.locator('[data-test=new-note]').click()
  const key = await page.locator('form.editor').getAttribute('data-key')
  assert.ok(key !== null && key.startsWith('note/'), `a new note's key: ${String(key)}`)
  await page.locator('[data-test=note-title]').fill(text.title)
  await page.locator('[data-test=note-body]').fill(text.body)
  await save(page)
  return key
}

/** Opens the note `key` in the page's editor. */
async function openNote (page: Page, key: string): Promise<void> {
  await item(page, key).click()
  await page.locator(`form.editor[data-key="${key}"]`).waitFor({ timeout: WAIT_MS })
}

/** Opens the note `key` in the page, replaces its text, and saves. */
async function editNote (page: Page, key: string, body: string): Promise<void> {
  await openNote(page, key)
  await page.locator('[data-test=note-body]').fill(body)
  await save(page)
  assert.equal(await page.locator('form.editor').getAttribute('data-key'), key, 'the note saved is the one edited')
  assert.equal(await page.locator('[data-test=note-body]').inputValue(), body, 'the editor shows the text saved')
}

/** The entries of a book, as `logbook export` writes them. */
async function exported (book: Logbook): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const chunk of book.export()) chunks.push(chunk)
  return Buffer.concat(chunks)
}

test('two pages and the command edit the same notes, offline and back, converge through conflicts; no key shows nothing; the explorer shows a fork', { timeout: 110_000 }, async (t) => {
  const tmp = tempDir('logbook-e2e-')
  const dir = join(tmp.path, 'store')
  let server: Background | null = null
  let browser: Browser | null = null
  const started = Date.now()
  const step = (name: string): void => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${name}`)
  try {
    await logbook(dir, ['init'])
    const spaceKey = (await logbook(dir, ['space'])).trim()
    const spaceId = JSON.parse(await logbook(dir, ['status', '--json'])).space as string

    step('serve')
    server = new Background(['--dir', dir, 'serve', '--port', '0'])
    const startLine = await server.line((line) => line.includes('#space='))
    const link = /(http:\/\/\S+\/)#space=([0-9a-f]{64})/.exec(startLine)
    assert.ok(link !== null, `a link in the start line: ${startLine}`)
    assert.equal(link[2], spaceKey, 'the link carries the space key')
    const origin = link[1]

    step('two pages open the link')
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'], timeout: 60_000 })
    const a = await openPeer(browser, `${origin}#space=${spaceKey}`)
    const b = await openPeer(browser, `${origin}#space=${spaceKey}`)
    await waitOnline(a.page, 'online')
    await waitOnline(b.page, 'online')

    step('the process, page A and page B each write')
    const cliKey = 'note/from-cli'
    await logbook(dir, ['kv', 'put', cliKey, JSON.stringify({ title: 'from cli', body: 'written by the command' })])
    await item(a.page, cliKey).waitFor({ timeout: WAIT_MS })
    await item(b.page, cliKey).waitFor({ timeout: WAIT_MS })
    const aKey = await newNote(a.page, { title: 'from page A', body: 'written in page A' })
    await item(b.page, aKey).waitFor({ timeout: WAIT_MS })
    await editNote(b.page, cliKey, 'edited in page B')
    const afterEdits = await converged(dir, [a.page, b.page], 'all three see every write', (notes) => notes[cliKey]?.values[0]?.body === 'edited in page B' && notes[aKey] !== undefined)
    assert.deepEqual(afterEdits, {
      [cliKey]: { conflict: false, values: [{ title: 'from cli', body: 'edited in page B' }] },
      [aKey]: { conflict: false, values: [{ title: 'from page A', body: 'written in page A' }] }
    })
    const fromGet = JSON.parse(await logbook(dir, ['kv', 'get', cliKey, '--json']))
    assert.equal(fromGet.values.length, 1)
    assert.deepEqual(fromGet.values[0].value, { title: 'from cli', body: 'edited in page B' })

    step('a page without the key')
    const c = await openPeer(browser, origin)
    const sockets: string[] = []
    c.page.on('websocket', (socket) => sockets.push(socket.url()))
    await c.page.locator('[data-test=no-key]').waitFor({ timeout: WAIT_MS })
    assert.equal(await c.page.locator('[data-test=notes-list]').count(), 0, 'no notes list')
    assert.equal(await c.page.locator('[data-test=tab-explorer]').count(), 0, 'no explorer')
    assert.equal(await c.page.locator('[data-test=online-status]').isVisible(), false, 'no sync status')
    const shown = await c.page.evaluate(() => document.documentElement.outerHTML)
    for (const secret of [spaceId, spaceId.slice(0, 16), spaceKey, 'from cli', 'from page A', 'edited in page B']) {
      assert.ok(!shown.includes(secret), `the page without the key shows ${secret}`)
    }
    assert.deepEqual(await c.page.evaluate(async () => (await indexedDB.databases()).map((db) => db.name)), [], 'no store opened')
    assert.deepEqual(sockets, [], 'no replication attempted')
    await c.context.close()

    step('page A goes offline and edits both notes; page B and the process edit them meanwhile')
    await a.context.setOffline(true)
    await waitOnline(a.page, 'offline')
    await editNote(a.page, cliKey, 'edited offline in page A')
    await editNote(a.page, aKey, 'edited offline in page A too')
    await editNote(b.page, cliKey, 'edited again in page B')
    await logbook(dir, ['kv', 'put', aKey, JSON.stringify({ title: 'from page A', body: 'edited by the command' })])
    // The process sees page B's edit, and none of page A's.
    await until('the process sees page B', async () => await processNotes(dir), (notes) => notes[cliKey]?.values[0]?.body === 'edited again in page B')
    assert.equal((await processNotes(dir))[cliKey].conflict, false)

    step('page A comes back online: all three hold both conflicts')
    await a.context.setOffline(false)
    await waitOnline(a.page, 'online')
    const conflicts = await converged(dir, [a.page, b.page], 'all three hold both conflicts', (notes) => notes[cliKey]?.conflict === true && notes[aKey]?.conflict === true)
    const bodies = (key: string): string[] => conflicts[key].values.map((value) => value.body).sort()
    assert.deepEqual(bodies(cliKey), ['edited again in page B', 'edited offline in page A'])
    assert.deepEqual(bodies(aKey), ['edited by the command', 'edited offline in page A too'])
    for (const page of [a.page, b.page]) {
      assert.equal(await page.locator('[data-test=conflict-marker]').count(), 2, 'both notes are marked in the list')
      await openNote(page, cliKey)
      assert.equal(await page.locator('[data-test=conflict]').isVisible(), true)
      assert.equal(await page.locator('[data-test=conflict-version]').count(), 2)
    }

    step('page B keeps page A\'s version of one note; page A merges the other')
    await openNote(b.page, cliKey)
    await b.page.locator('[data-test=conflict-version]', { hasText: 'edited offline in page A' }).locator('[data-test=resolve-keep]').click()
    await said(b.page, 'Conflict resolved.')
    await openNote(a.page, aKey)
    await a.page.locator('[data-test=resolve-merge]').click()
    await save(a.page)
    const resolved = await converged(dir, [a.page, b.page], 'all three hold the resolved values', (notes) => !notes[cliKey]?.conflict && !notes[aKey]?.conflict)
    assert.deepEqual(resolved, {
      [cliKey]: { conflict: false, values: [{ title: 'from cli', body: 'edited offline in page A' }] },
      [aKey]: { conflict: false, values: [{ title: 'from page A', body: conflicts[aKey].values.map((value) => value.body).join('\n\n') }] }
    })
    for (const page of [a.page, b.page]) assert.equal(await page.locator('[data-test=conflict-marker]').count(), 0)

    step('a fork: two books of one identity, imported with `logbook import`')
    const identity = Identity.generate()
    const inMemory = async (): Promise<Logbook> => await Logbook.create({ db: new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any), spaceKey: Buffer.from(spaceKey, 'hex'), identity })
    const left = await inMemory()
    const right = await inMemory()
    await left.append({ fork: 'left' })
    await right.append({ fork: 'right' })
    const author = left.author
    writeFileSync(join(tmp.path, 'left.bin'), await exported(left))
    writeFileSync(join(tmp.path, 'right.bin'), await exported(right))
    await left.close()
    await right.close()
    const imported = await logbook(dir, ['import', join(tmp.path, 'left.bin'), join(tmp.path, 'right.bin')])
    assert.match(imported, new RegExp(`forked: +${author}`), imported)
    const forks = JSON.parse(await logbook(dir, ['forks', '--json']))
    assert.equal(forks.length, 1)
    assert.equal(forks[0].author, author)
    assert.equal(forks[0].seq, 1)

    step('the explorer shows the fork with its proof')
    await b.page.locator('[data-test=tab-explorer]').click()
    const fork = b.page.locator(`[data-test=fork][data-author="${author}"]`)
    await fork.waitFor({ timeout: WAIT_MS })
    assert.equal(await b.page.locator('[data-test=fork]').count(), 1)
    const forkText = await fork.textContent() ?? ''
    assert.ok(forkText.includes('seq 1'), forkText)
    for (const id of forks[0].ids as string[]) assert.ok(forkText.includes(id.slice(0, 10)), `the fork names ${id}: ${forkText}`)
    await fork.locator('summary').click()
    assert.deepEqual(JSON.parse(await fork.locator('.proof').textContent() ?? ''), forks[0].proof, 'the proof the page shows is the store\'s')
    await fork.locator('[data-test=fork-show]').click()
    await b.page.locator('[data-test=entry-details]', { hasText: forks[0].ids[0] }).waitFor({ timeout: WAIT_MS })
    mkdirSync(ARTIFACTS, { recursive: true })
    const screenshot = join(ARTIFACTS, 'explorer-fork.png')
    await b.page.screenshot({ path: screenshot, fullPage: true })
    assert.ok(statSync(screenshot).size > 0, 'the screenshot was written')
    t.diagnostic(`screenshot of the explorer showing the fork: ${screenshot}`)

    for (const peer of [a, b]) assert.deepEqual(peer.errors, [], 'no uncaught errors in the pages')
    await browser.close()
    browser = null

    step('serve stops on SIGINT')
    const status = await server.stop('SIGINT')
    assert.equal(status, 0, `serve exited with ${String(status)}: ${server.stderr}`)
    server = null
    step('done')
  } finally {
    await browser?.close()
    server?.kill()
    tmp.cleanup()
  }
})
