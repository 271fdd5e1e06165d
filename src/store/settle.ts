// Closing LevelDB while it flushes or compacts abandons that work: the table it was writing stays on
// disk, unused, next to the log or tables it was replacing, until the next open (a store closed right
// after a burst of writes measured a third larger than it needs). Before a close, flush the memtable and
// wait a little for a pending level-0 compaction.

/** Below every key of a store (all start with a sublevel prefix, '!'): compacting it compacts nothing. */
const NO_KEYS = new Uint8Array([0])
/** LevelDB compacts level 0 once it holds this many files (kL0_CompactionTrigger). */
const L0_COMPACTION_TRIGGER = 4
const POLL_MS = 10
/** A close never waits longer than this for a compaction; LevelDB redoes it at the next open. */
const MAX_WAIT_MS = 3000

interface Compactable {
  compactRange: (start: Uint8Array, end: Uint8Array, options: object) => Promise<void>
  getProperty: (name: string) => string
}

export async function settleCompactions (db: unknown): Promise<void> {
  const level = db as Partial<Compactable>
  if (typeof level.compactRange !== 'function' || typeof level.getProperty !== 'function') return // not LevelDB
  // LevelDB's compactRange first turns the memtable into a table and waits for any flush under way.
  await level.compactRange(NO_KEYS, NO_KEYS, { keyEncoding: 'view' })
  const deadline = Date.now() + MAX_WAIT_MS
  while (Number(level.getProperty('leveldb.num-files-at-level0')) >= L0_COMPACTION_TRIGGER && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}
