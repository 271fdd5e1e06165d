// Shared notes on the kv view: one kv key per note (`note/<random id>`), its value `{ title, body }`.
// An edit appends a kv entry that links to the values the editor started from, and only those: so an edit
// made meanwhile on another peer is not silently replaced but shows as a conflict, every value kept, until
// someone resolves it by writing a value (one of them, or a merge) that links to all of them.
import { bytesToHex } from './hex.js'
import { KV_TYPE, type KvResult } from './logbook-api.js'

export const NOTE_PREFIX = 'note/'

export interface NoteText {
  title: string
  body: string
}

/** One current value of a note's key. */
export interface NoteVersion extends NoteText {
  /** The kv entry that wrote it. */
  entryId: string
  author: string
  deleted: boolean
  /** Its author has a fork proof. */
  forked: boolean
}

export interface Note extends NoteText {
  key: string
  /** Every current value, sorted by entry id (as the kv view gives them). */
  versions: NoteVersion[]
  /** More than one current value: concurrent edits not yet resolved. */
  conflict: boolean
  /** The entries a save from this note supersedes: all of its current values. */
  base: string[]
}

/** A new note's key: random, so notes made offline on two peers never share one. */
export function newNoteKey (random: Uint8Array = crypto.getRandomValues(new Uint8Array(12))): string {
  return NOTE_PREFIX + bytesToHex(random)
}

/** A kv value as note text; a value written by other programs is shown as its JSON in the body. */
export function noteText (value: unknown): NoteText {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { title, body } = value as { title?: unknown, body?: unknown }
    if (typeof title === 'string' && typeof body === 'string') return { title, body }
  }
  if (value === null) return { title: '', body: '' }
  return { title: '', body: typeof value === 'string' ? value : JSON.stringify(value) }
}

/** A kv result of a note key as a note; the shown title and body are those of the first live version. */
export function noteFromKv (result: KvResult): Note {
  const versions = result.values.map((value) => ({
    ...noteText(value.value),
    entryId: value.id,
    author: value.author,
    deleted: value.deleted,
    forked: value.forked
  }))
  const shown = versions.find((version) => !version.deleted) ?? versions[0]
  return {
    key: result.key,
    title: shown?.title ?? '',
    body: shown?.body ?? '',
    versions,
    conflict: result.conflict,
    base: versions.map((version) => version.entryId)
  }
}

/** Notes in the order a list shows them: by title, untitled last, then by key. */
export function sortNotes (notes: Note[]): Note[] {
  const title = (note: Note): string => note.title.trim()
  return [...notes].sort((a, b) => {
    if ((title(a) === '') !== (title(b) === '')) return title(a) === '' ? 1 : -1
    return title(a).localeCompare(title(b)) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  })
}

/** Every live version's text in one: distinct titles joined by " / ", distinct bodies one after another. */
export function mergeVersions (versions: readonly NoteVersion[]): NoteText {
  const live = versions.filter((version) => !version.deleted)
  const distinct = (texts: string[]): string[] => [...new Set(texts.filter((text) => text.trim() !== ''))]
  return {
    title: distinct(live.map((version) => version.title)).join(' / '),
    body: distinct(live.map((version) => version.body)).join('\n\n')
  }
}

/** The payload of the kv entry that writes `text` to `key` (null deletes the note). */
export function notePayload (key: string, text: NoteText | null): { type: string, key: string, value: { title: string, body: string } | null } {
  return { type: KV_TYPE, key, value: text === null ? null : { title: text.title, body: text.body } }
}

/** Whether `key` names a note (the kv view holds other programs' keys too). */
export function isNoteKey (key: string): boolean {
  return key.startsWith(NOTE_PREFIX) && key.length > NOTE_PREFIX.length
}
