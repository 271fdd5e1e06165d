// What the writer needs of a journal (writer.ts): a file of authenticated segments that makes a write
// durable before LevelDB applies it. Stores in directories have one (src/platform/node/journal.ts); a
// browser store has none, since each IndexedDB batch is already atomic and durable.

export interface Journal {
  /** Where it is, as error messages name it. */
  readonly path: string
  /** Bytes it holds now. */
  readonly size: number
  /** Appends one record; with `sync`, also flushes it to the device. */
  append: (record: Uint8Array, sync: boolean) => void
  /** Every whole record, in order; a torn or damaged tail ends the list. */
  records: () => Uint8Array[]
  /** Empties it; only once the database holds, durably, everything it recorded. */
  truncate: () => void
  close: () => void
}
