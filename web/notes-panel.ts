// The notes app: a list of notes, an editor, and for a note edited concurrently on two peers, every
// version with a way to keep one or merge them. It follows the kv view live: what other peers write shows
// up as it arrives, and an open note whose editor holds no unsaved changes follows it too.
import { errorText, h, replaceChildren, shortId, throttle } from './dom.js'
import type { KvApi, Logbook, View } from './logbook-api.js'
import { mergeVersions, newNoteKey, type Note, type NoteText, type NoteVersion } from './notes-model.js'
import { NotesStore } from './notes-store.js'

/** The note in the editor: its key, and the versions a save supersedes (none for a new note). */
interface Editing {
  key: string
  base: string[]
  /** Title and body as loaded, to tell whether the user changed them. */
  loaded: NoteText
}

/** A note being edited, with the text in the editor. */
export type Draft = Editing & NoteText

export class NotesPanel {
  readonly element: HTMLElement
  private readonly store: NotesStore
  private readonly list = h('ul', { class: 'notes-list', 'data-test': 'notes-list', 'aria-label': 'Notes' })
  private readonly title = h('input', { id: 'note-title', type: 'text', autocomplete: 'off', 'data-test': 'note-title' })
  private readonly body = h('textarea', { id: 'note-body', rows: 12, 'data-test': 'note-body' })
  private readonly conflict = h('section', { class: 'conflict', 'data-test': 'conflict', hidden: true, 'aria-labelledby': 'conflict-heading' })
  private readonly status = h('p', { role: 'status', class: 'status', 'data-test': 'note-status' })
  private readonly error = h('p', { role: 'alert', class: 'error', 'data-test': 'note-error' })
  private readonly editor: HTMLFormElement
  private editing: Editing | null = null
  private notes: Note[] = []
  /** Each listed note's row, and what it shows (to change only what changed). */
  private readonly rows = new Map<string, { item: HTMLLIElement, shown: string }>()
  private readonly stopListening: () => void
  private disposed = false
  /** Reads of the list and writes, numbered as they start; `shown`: the newest whose result the page shows. */
  private started = 0
  private shown = 0

  constructor (private readonly book: Logbook, view: View<KvApi>) {
    this.store = new NotesStore(book, view.api)
    this.editor = h('form', { class: 'editor', 'aria-label': 'Note', hidden: true, onsubmit: (event: Event) => { event.preventDefault(); void this.save() } },
      h('label', { for: 'note-title' }, 'Title'),
      this.title,
      h('label', { for: 'note-body' }, 'Text'),
      this.body,
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', 'data-test': 'note-save' }, 'Save'),
        h('button', { type: 'button', 'data-test': 'note-delete', onclick: () => { void this.remove() } }, 'Delete')),
      this.conflict)
    this.element = h('section', { class: 'notes', 'aria-labelledby': 'notes-heading' },
      h('div', { class: 'notes-side' },
        h('h2', { id: 'notes-heading' }, 'Notes'),
        h('button', { type: 'button', 'data-test': 'new-note', onclick: () => this.startNew() }, 'New note'),
        this.list),
      h('div', { class: 'notes-main' }, this.editor, this.status, this.error))
    const refresh = throttle(() => { void this.refresh() }, 100)
    view.on('progress', refresh)
    this.stopListening = () => view.off('progress', refresh)
    void this.refresh()
  }

  dispose (): void {
    this.disposed = true
    this.stopListening()
  }

  /** What the editor holds that is not saved: kept by the page while another tab has the store. */
  draft (): Draft | null {
    const open = this.editing
    return open === null || !this.dirty() ? null : { ...open, title: this.title.value, body: this.body.value }
  }

  /** Puts a kept draft back into the editor, changes and all (a save supersedes what it started from). */
  restore (draft: Draft): void {
    const { title, body, ...editing } = draft
    this.edit(editing)
    this.title.value = title
    this.body.value = body
    this.status.textContent = 'Your unsaved changes are back.'
  }

  /** Reads the notes again, redraws the list, and brings an open, unchanged note up to date. */
  async refresh (): Promise<void> {
    const reading = ++this.started
    try {
      const notes = await this.store.list()
      // Older than what the page shows (a save made meanwhile): it would put the note back as it was.
      if (this.disposed || reading < this.shown) return
      this.shown = reading
      this.notes = notes
      this.drawList()
      const open = this.editing
      if (open !== null && !this.dirty() && open.base.length > 0) {
        const note = notes.find((candidate) => candidate.key === open.key)
        if (note === undefined) this.close('This note was deleted.')
        else if (note.base.join() !== open.base.join()) this.load(note)
      } else if (open !== null) {
        this.drawConflict(notes.find((candidate) => candidate.key === open.key))
      }
    } catch (error) {
      if (!this.disposed) this.error.textContent = errorText(error)
    }
  }

  /**
   * Draws the list, keeping each note's row (by key) and changing only what changed: a list redrawn from
   * new elements while the user clicks (live updates come at any time) loses the click, since the button
   * pressed is no longer the one released.
   */
  private drawList (): void {
    const rows = this.notes.map((note) => {
      let row = this.rows.get(note.key)
      if (row === undefined) {
        row = { item: h('li', {}), shown: '' }
        this.rows.set(note.key, row)
        row.item.append(h('button', { type: 'button', class: 'note-item', 'data-test': 'note-item', 'data-key': note.key, onclick: () => this.open(note.key) }))
      }
      const button = row.item.firstElementChild as HTMLButtonElement
      const shown = JSON.stringify([note.title, note.conflict, note.versions.length])
      if (row.shown !== shown) {
        row.shown = shown
        replaceChildren(button,
          note.title.trim() === '' ? h('em', {}, 'Untitled') : note.title,
          note.conflict ? h('span', { class: 'badge conflict-badge', 'data-test': 'conflict-marker', title: `${note.versions.length} concurrent versions` }, 'conflict') : null)
      }
      if (this.editing?.key === note.key) button.setAttribute('aria-current', 'true')
      else button.removeAttribute('aria-current')
      return row.item
    })
    const listed = new Set(this.notes.map((note) => note.key))
    for (const key of this.rows.keys()) if (!listed.has(key)) this.rows.delete(key)
    const children = [...this.list.children]
    if (children.length !== rows.length || rows.some((row, i) => children[i] !== row)) replaceChildren(this.list, ...rows)
    if (this.notes.length === 0) this.list.append(h('li', { class: 'empty' }, 'No notes yet.'))
  }

  /** Opens the note `key` as the list last read it. */
  private open (key: string): void {
    const note = this.notes.find((candidate) => candidate.key === key)
    if (note !== undefined) this.load(note)
  }

  private startNew (): void {
    this.edit({ key: newNoteKey(), base: [], loaded: { title: '', body: '' } })
    this.drawConflict(undefined)
    this.title.focus()
  }

  private load (note: Note): void {
    this.edit({ key: note.key, base: note.base, loaded: { title: note.title, body: note.body } })
    this.drawConflict(note)
    this.drawList()
  }

  private edit (editing: Editing): void {
    this.editing = editing
    this.title.value = editing.loaded.title
    this.body.value = editing.loaded.body
    this.editor.hidden = false
    this.editor.dataset.key = editing.key
    this.error.textContent = ''
    this.status.textContent = ''
  }

  private close (why: string): void {
    this.editing = null
    this.editor.hidden = true
    this.status.textContent = why
    this.drawList()
  }

  private dirty (): boolean {
    const open = this.editing
    return open !== null && (this.title.value !== open.loaded.title || this.body.value !== open.loaded.body)
  }

  /** Every version of a conflicted note, each with a button that keeps it; or nothing. */
  private drawConflict (note: Note | undefined): void {
    if (note === undefined || !note.conflict) {
      this.conflict.hidden = true
      replaceChildren(this.conflict)
      return
    }
    const version = (v: NoteVersion): HTMLElement => h('li', { class: 'version', 'data-test': 'conflict-version', 'data-entry': v.entryId },
      h('p', { class: 'meta' }, 'by ', shortId(v.author, 8), v.author === this.book.author ? ' (you)' : '', v.forked ? h('span', { class: 'badge fork-badge' }, 'forked author') : null),
      v.deleted ? h('p', {}, h('em', {}, 'Deleted')) : h('div', {}, h('p', { class: 'version-title' }, v.title), h('pre', { class: 'version-body' }, v.body)),
      h('button', { type: 'button', 'data-test': 'resolve-keep', onclick: () => { void this.resolve(note, v.deleted ? null : { title: v.title, body: v.body }) } },
        v.deleted ? 'Keep it deleted' : 'Keep this version'))
    replaceChildren(this.conflict,
      h('h3', { id: 'conflict-heading' }, `Edited concurrently: ${note.versions.length} versions`),
      h('p', {}, 'Keep one version, or merge them into the editor, change the text, and save: either replaces all of them.'),
      h('ul', { class: 'versions' }, ...note.versions.map(version)),
      h('button', { type: 'button', 'data-test': 'resolve-merge', onclick: () => this.mergeIntoEditor(note) }, 'Merge into the editor'))
    this.conflict.hidden = false
  }

  private mergeIntoEditor (note: Note): void {
    const merged = mergeVersions(note.versions)
    this.title.value = merged.title
    this.body.value = merged.body
    // A save now supersedes every version shown.
    if (this.editing !== null) this.editing.base = note.base
    this.body.focus()
  }

  private async save (): Promise<void> {
    const open = this.editing
    if (open === null) return
    await this.write('Saved.', async () => await this.store.save(open.key, { title: this.title.value, body: this.body.value }, open.base))
  }

  private async remove (): Promise<void> {
    const open = this.editing
    if (open === null) return
    if (open.base.length === 0) { this.close(''); return }
    await this.write('Deleted.', async () => await this.store.save(open.key, null, open.base))
  }

  private async resolve (note: Note, text: NoteText | null): Promise<void> {
    await this.write('Conflict resolved.', async () => await this.store.resolve(note, text))
  }

  /** Appends through `append`, then shows the note as it now is (or closes it, deleted). */
  private async write (done: string, append: () => Promise<string>): Promise<void> {
    const open = this.editing
    if (open === null) return
    // What the last write said is not what this one will: "Saved." shows once this save is stored.
    this.error.textContent = ''
    this.status.textContent = ''
    try {
      await append()
      this.shown = ++this.started
      const note = await this.store.get(open.key)
      if (this.disposed) return
      if (note === undefined) this.close(done)
      else { this.load(note); this.status.textContent = done }
      await this.refresh()
    } catch (error) {
      this.error.textContent = errorText(error)
    }
  }
}
