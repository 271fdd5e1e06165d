// The page: a peer of the space whose key is in the address's fragment. Without a valid key it shows only
// that the link needs one. With it, it takes its turn with the space's store (tab-turns.ts), opens it in
// IndexedDB, syncs live with the server it came from, and shows the notes app and the explorer.
import { errorText, h, replaceChildren } from './dom.js'
import { ExplorerPanel } from './explorer-panel.js'
import { spaceKeyFromFragment } from './fragment.js'
import { hexToBytes } from './hex.js'
import { IdentityPanel } from './identity-panel.js'
import { LiveSync, type SyncStatus } from './live-sync.js'
import { connectWebSocket, kvView, LogbookError, spaceIdOf, type KvApi, type Logbook } from './logbook-api.js'
import { NotesPanel, type Draft } from './notes-panel.js'
import { openSpaceStore, storeName } from './space-store.js'
import { TabTurns, type TurnState } from './tab-turns.js'

const root = document.getElementById('app') as HTMLElement
const onlineStatus = document.getElementById('online-status') as HTMLElement

/**
 * How long a session may hear nothing (keep-alives go every third of it) before it counts as dropped: a
 * server that went away is noticed by its silence, and a page should say "offline" within seconds.
 */
const SESSION_TIMEOUT_MS = 10_000

/** What is open while this tab holds the store. */
interface Open {
  book: Logbook
  sync: LiveSync
  identity: IdentityPanel
  notes: NotesPanel
  explorer: ExplorerPanel
}

function showNoKey (): void {
  onlineStatus.hidden = true
  replaceChildren(root, h('section', { class: 'no-key', 'data-test': 'no-key', role: 'alert' },
    h('h2', {}, 'This link needs the space key'),
    h('p', {}, 'Open the link that ', h('code', {}, 'logbook serve'), ' printed: it ends in ', h('code', {}, '#space='), ' and the space\'s 64-digit key. ',
      'The key stays in your browser; the server never sees it.')))
}

function showSync (status: SyncStatus): void {
  const words = { connecting: 'Connecting…', online: 'Online', offline: 'Offline', stopped: 'Not syncing' }
  onlineStatus.dataset.state = status.state
  onlineStatus.textContent = words[status.state]
  onlineStatus.title = [status.error, status.retryInMs === undefined ? '' : `trying again in ${Math.ceil(status.retryInMs / 1000)} s`].filter(Boolean).join('; ')
}

/** Where the page came from, as a WebSocket address: the server there replicates. */
function serverUrl (): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}

async function start (spaceKeyHex: string): Promise<void> {
  const spaceKey = hexToBytes(spaceKeyHex)
  const spaceId = spaceIdOf(spaceKey)
  const dir = storeName(spaceId)
  const header = h('p', { class: 'space' }, 'Space ', h('code', { title: spaceId, class: 'id' }, spaceId.slice(0, 16)))
  const turnMessage = h('section', { class: 'turn', 'data-test': 'other-tab', hidden: true, 'aria-live': 'polite' })
  const tabs = h('nav', { class: 'tabs', 'aria-label': 'Views of the space' })
  const body = h('div', { class: 'panels' })
  replaceChildren(root, header, turnMessage, tabs, body)
  let open: Open | null = null
  /** The editor's unsaved text while another tab holds the store. */
  let draft: Draft | null = null

  const showPanel = (which: 'notes' | 'explorer'): void => {
    if (open === null) return
    open.notes.element.hidden = which !== 'notes'
    open.explorer.element.hidden = which !== 'explorer'
    open.explorer.show(which === 'explorer')
    for (const button of tabs.querySelectorAll('button')) button.setAttribute('aria-pressed', String(button.dataset.panel === which))
  }
  replaceChildren(tabs,
    h('button', { type: 'button', 'data-panel': 'notes', 'data-test': 'tab-notes', 'aria-pressed': 'true', onclick: () => showPanel('notes') }, 'Notes'),
    h('button', { type: 'button', 'data-panel': 'explorer', 'data-test': 'tab-explorer', 'aria-pressed': 'false', onclick: () => showPanel('explorer') }, 'Explorer'))

  const begin = async (): Promise<void> => {
    const book = await openSpaceStore(dir, spaceKey)
    if (book.spaceId !== spaceId) {
      await book.close()
      throw new LogbookError('WRONG_SPACE', `the store ${dir} holds another space`)
    }
    const kv = book.use<KvApi>('kv', kvView())
    const sync = new LiveSync(async (signal) => await connectWebSocket(book, serverUrl(), { live: true, timeout: SESSION_TIMEOUT_MS, signal }), showSync)
    if (!navigator.onLine) sync.pause()
    sync.start()
    const explorer = new ExplorerPanel(book)
    explorer.watchViews(['kv'])
    const notes = new NotesPanel(book, kv)
    if (draft !== null) notes.restore(draft)
    draft = null
    const identity = new IdentityPanel(book, () => { void notes.refresh() })
    open = { book, sync, identity, notes, explorer }
    replaceChildren(body, identity.element, notes.element, explorer.element)
    tabs.hidden = false
    showPanel('notes')
  }
  const end = async (): Promise<void> => {
    const closing = open
    open = null
    replaceChildren(body)
    tabs.hidden = true
    if (closing === null) return
    // Handed to another tab mid-edit: the text stays here, in the editor again when this tab's turn comes.
    draft = closing.notes.draft()
    closing.notes.dispose()
    closing.explorer.dispose()
    closing.identity.dispose()
    await closing.sync.stop()
    await closing.book.close()
  }
  const showTurn = (state: TurnState, error?: unknown): void => {
    const away = state !== 'holding' && state !== 'opening'
    turnMessage.hidden = !away
    if (!away) return
    const words: Partial<Record<TurnState, string>> = {
      elsewhere: 'This space is open in another tab of this browser.',
      waiting: 'Asking the other tab to hand this space over…',
      closing: 'Handing this space over to another tab…',
      failed: `The store could not be opened: ${errorText(error)}`,
      stopped: 'Closed.'
    }
    replaceChildren(turnMessage, h('p', {}, words[state] ?? ''),
      state === 'elsewhere' || state === 'failed' ? h('button', { type: 'button', 'data-test': 'use-here', onclick: () => { void turns.ask() } }, 'Use it here') : null)
    if (state !== 'closing') showSync({ state: 'stopped' })
  }

  const name = `logbook:${spaceId}`
  const turns = new TabTurns(name, navigator.locks, new BroadcastChannel(name), { begin, end, state: showTurn })
  // A tab the user turns to asks for the store; one in the background keeps it (and syncs) until asked.
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') void turns.ask() })
  window.addEventListener('focus', () => { void turns.ask() })
  window.addEventListener('offline', () => open?.sync.pause())
  window.addEventListener('online', () => open?.sync.resume())
  window.addEventListener('pagehide', () => { void turns.stop() })
  // Back from the back/forward cache, the page's store and session were closed on leaving: start again.
  window.addEventListener('pageshow', (event) => { if (event.persisted) location.reload() })
  await turns.start()
  if (turns.state === 'elsewhere' && document.visibilityState === 'visible' && document.hasFocus()) await turns.ask()
}

const spaceKeyHex = spaceKeyFromFragment(location.hash)
// Another key in the address is another space: start afresh.
window.addEventListener('hashchange', () => location.reload())
if (spaceKeyHex === null) showNoKey()
else {
  start(spaceKeyHex).catch((error: unknown) => {
    replaceChildren(root, h('p', { role: 'alert', class: 'error' }, errorText(error)))
  })
}
