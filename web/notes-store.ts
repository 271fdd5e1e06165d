// The notes of a store: read from the kv view, written as kv entries through the public API. A save links
// to the versions the editor started from (its `base`), so it supersedes exactly what the writer saw.
import { type KvApi, type Logbook, MAX_LINKS } from './logbook-api.js'
import { isNoteKey, noteFromKv, notePayload, NOTE_PREFIX, sortNotes, type Note, type NoteText } from './notes-model.js'

/** The most notes a list shows (a space may hold more keys than a page should draw). */
export const NOTES_SHOWN = 1000

export class NotesStore {
  constructor (private readonly book: Logbook, private readonly kv: KvApi) {}

  async list (): Promise<Note[]> {
    const results = await this.kv.list({ prefix: NOTE_PREFIX, limit: NOTES_SHOWN })
    return sortNotes(results.filter((result) => isNoteKey(result.key)).map(noteFromKv))
  }

  async get (key: string): Promise<Note | undefined> {
    const result = await this.kv.get(key)
    return result === undefined ? undefined : noteFromKv(result)
  }

  /**
   * Writes `text` (null deletes) to `key`, superseding the versions `base` names (all of them still current
   * or not: one superseded meanwhile is simply no longer there to replace). Returns the entry's id.
   */
  async save (key: string, text: NoteText | null, base: readonly string[]): Promise<string> {
    // More versions than one entry may link to: the kv view's own put chains entries over all current values.
    if (base.length > MAX_LINKS) return text === null ? await this.kv.del(key) : await this.kv.put(key, notePayload(key, text).value)
    return await this.book.append(notePayload(key, text), { links: [...base] })
  }

  /** Resolves a conflict: `text` (one version's, or a merge) replaces every current version of the note. */
  async resolve (note: Note, text: NoteText | null): Promise<string> {
    return await this.save(note.key, text, note.base)
  }
}
