// A store: one abstract-level database holding one space. Ties the layout, the in-memory summary,
// the ingest path and the readers together; knows nothing of files, keys or identities.
import type { AbstractLevel } from 'abstract-level'
import { LogbookError } from '../errors.js'
import { equalBytes, fromHex, toHex } from '../entry/bytes.js'
import { computeChainIds } from '../entry/entry-id.js'
import { authenticateSegment, decodeSegmentBody } from '../entry/segment.js'
import { verifyEntryId } from '../crypto/index.js'
import { deriveForkProof, verifyForkProof, type ForkProof } from './forks.js'
import { exportSegments } from '../io/export.js'
import { DEFAULT_PENDING_QUOTA, Ingestor, emptyCounts, type PendingQuota } from './ingest.js'
import type { Journal } from './journal.js'
import { settleCompactions } from './settle.js'
import { Writer } from './writer.js'
import { openLayout, readIdLocation, type Layout } from './layout.js'
import { StoreReader } from './reader.js'
import { StoreState } from './state.js'
import { newInstanceId } from './changes.js'
import { FORMAT_ROW, finishFormat1, hasFormat1Rows, migrateFormat1 } from './migrate.js'

/** The store format this version writes (docs/FORMAT.md), as its `format` row reads. */
export const STORE_FORMAT = FORMAT_ROW[2]

export class Store {
  private constructor (
    readonly layout: Layout,
    readonly state: StoreState,
    readonly ingestor: Ingestor,
    readonly reader: StoreReader,
    readonly writer: Writer,
    readonly space: Uint8Array,
    /** Random per store (hex): export cursors name it, so a cursor from another store is refused. */
    readonly instance: string
  ) {}

  /**
   * Opens (creating if empty) the store of `space` in `db`; refuses a database of another space.
   * With `openJournal`, writes are journaled and applied behind (see writer.ts); what a journal holds (a
   * crash left it) is replayed first.
   */
  static async open (db: AbstractLevel<any, any, any>, space: Uint8Array, openJournal?: () => Journal, quota: PendingQuota = DEFAULT_PENDING_QUOTA, location?: () => Promise<string | undefined>): Promise<Store> {
    await db.open()
    const layout = openLayout(db)
    let instance: string
    try {
      instance = await openFormat(layout, space)
      const here = await location?.()
      if (here !== undefined) instance = await instanceAt(layout, instance, here)
    } catch (err) {
      await db.close()
      throw err
    }
    let journal: Journal | null = null
    try {
      const state = await StoreState.load(layout)
      journal = openJournal?.() ?? null
      const writer = new Writer(layout, journal)
      const store = new Store(layout, state, new Ingestor(layout, state, writer, quota), new StoreReader(layout, writer), writer, space, instance)
      if (journal !== null && journal.size > 0) await store.replay(journal)
      await store.ingestor.resumeWakes(emptyCounts())
      if (await hasFormat1Rows(layout)) await finishFormat1(layout, store.ingestor, space)
      return store
    } catch (err) {
      journal?.close()
      await db.close()
      throw err
    }
  }

  /** Re-ingests what the journal recorded; whatever LevelDB already holds is a duplicate. */
  private async replay (journal: Journal): Promise<void> {
    const counts = emptyCounts()
    // The journal must stay whole until every record is back in LevelDB: a second crash during
    // recovery replays it again.
    this.writer.holdCheckpoints = true
    try {
      for (const record of journal.records()) {
        const segment = authenticateSegment(decodeSegmentBody(record), this.space)
        try {
          await this.ingestor.ingest(segment, counts, false, true)
        } catch (err) {
          // A segment found invalid after it was journaled (its prev proved not to be its author's
          // previous entry) was dropped then; it is dropped again now.
          if (!(err instanceof LogbookError) || err.code !== 'BAD_CHAIN') throw err
        }
      }
    } finally {
      this.writer.holdCheckpoints = false
    }
    await this.writer.checkpoint()
  }

  async close (): Promise<void> {
    await this.ingestor.exclusive(async () => {
      try {
        await this.writer.close()
        await settleCompactions(this.layout.db)
      } finally {
        // Closed even when the last writes failed: the journal is replayed at the next open.
        await this.layout.db.close()
      }
    })
  }

  /** Ready entries in the store. */
  get readyCount (): number {
    return this.state.nextLocalSeq - 1
  }

  /**
   * How far this store has received another store's change log (`peer` its instance id, `scope` which
   * feeds were asked for): everything through that change number is held. null when never synced.
   */
  async peerCursor (peer: string, scope: string): Promise<number | null> {
    const value = await this.layout.meta.get(`peer ${peer} ${scope}`)
    return value === undefined ? null : Number(value)
  }

  async setPeerCursor (peer: string, scope: string, change: number): Promise<void> {
    // After the writes it covers: LevelDB keeps writes in order, so a cursor that survives a crash has them.
    await this.writer.drained()
    await this.layout.meta.put(`peer ${peer} ${scope}`, String(change))
  }

  /** DAG heads: ready entries nothing ready refers to. Sorted. */
  heads (): string[] {
    return [...this.state.heads].sort()
  }

  /** Feed heads: per author, the ready entries with no ready successor (more than one after a fork). */
  feedHeads (): Array<{ author: string, id: string, seq: number }> {
    const out: Array<{ author: string, id: string, seq: number }> = []
    for (const [author, tips] of this.state.tips) for (const [id, seq] of tips) out.push({ author, id, seq })
    return out.sort((a, b) => a.author.localeCompare(b.author) || a.seq - b.seq || a.id.localeCompare(b.id))
  }

  async forkProofs (): Promise<ForkProof[]> {
    const proofs: ForkProof[] = []
    const authors = [...this.state.forks.keys()].sort()
    for (const author of authors) {
      const marker = this.state.forks.get(author)
      if (marker !== undefined) proofs.push(await deriveForkProof(this.reader, this.space, fromHex(author, 32) as Uint8Array, marker))
    }
    return proofs
  }

  /** Re-checks everything stored; returns the problems found (empty when all is well). */
  async verify (): Promise<string[]> {
    await this.writer.drained()
    const problems: string[] = []
    let count = 0
    for await (const page of this.reader.pages()) {
      const { segment, ids } = page
      const where = (slot: number): string => `${toHex(segment.author).slice(0, 8)}… seq ${segment.firstSeq + slot}`
      // Stored ids must be the ids of the stored entries; the index must point back at each, and
      // signatures must verify.
      const computed = computeChainIds(segment.space, segment.author, segment.firstSeq, segment.firstPrev, segment.entries)
      const locations = await this.layout.ids.getMany(ids)
      // What each entry depends on from outside its page must be ready earlier in the local order.
      const dependencies: Array<{ slot: number, id: Uint8Array }> = []
      for (let slot = 0; slot < ids.length; slot++) {
        if (!equalBytes(computed[slot], ids[slot])) problems.push(`${where(slot)}: its stored id is not the id of its content`)
        const location = locations[slot]
        if (location === undefined || readIdLocation(location).pageKey !== page.pageKey || readIdLocation(location).slot !== slot) {
          problems.push(`${where(slot)}: the id index does not point at it`)
        }
        const entry = segment.entries[slot]
        if (entry.signature !== null && !verifyEntryId(entry.signature, ids[slot], segment.author)) {
          problems.push(`${where(slot)}: its signature does not verify`)
        }
        if (slot === 0 && segment.firstPrev !== null) dependencies.push({ slot, id: segment.firstPrev })
        for (const link of entry.links) dependencies.push({ slot, id: link })
        count++
      }
      const found = await this.layout.ids.getMany(dependencies.map(({ id }) => id))
      for (let i = 0; i < dependencies.length; i++) {
        const { slot, id } = dependencies[i]
        const location = found[i]
        if (location === undefined) {
          problems.push(`${where(slot)}: depends on ${toHex(id)}, which is not stored`)
          continue
        }
        const at = readIdLocation(location)
        if (at.pageKey + at.slot >= page.pageKey + slot) {
          problems.push(`${where(slot)}: depends on ${toHex(id)}, which is not earlier in the local order`)
        }
      }
      if (segment.firstPrev !== null) {
        const prev = await this.reader.get(segment.firstPrev)
        if (prev !== undefined && (toHex(prev.author) !== toHex(segment.author) || prev.seq !== segment.firstSeq - 1)) {
          problems.push(`${where(0)}: its prev is not this author's seq ${segment.firstSeq - 1}`)
        }
      }
    }
    if (count !== this.readyCount) problems.push(`${count} ready entries stored, but the local order counts ${this.readyCount}`)
    // Every ready entry must be authenticated by a signature later on its chain, ready or pending.
    let unclosed: Uint8Array[] = []
    for await (const _ of exportSegments(this.reader, this.space, { onUncovered: (ids) => { unclosed = ids } }));
    const ready = await this.layout.ids.getMany(unclosed)
    unclosed.forEach((id, i) => { if (ready[i] !== undefined) problems.push(`entry ${toHex(id)}: no stored signature authenticates it`) })
    // Pending entries: each id is the id of its content, each signature verifies.
    for await (const pending of this.reader.pendingEntries()) {
      const [id] = computeChainIds(pending.space, pending.author, pending.seq, pending.prev, [pending.entry])
      const where = `pending entry ${toHex(pending.author).slice(0, 8)}… seq ${pending.seq}`
      if (!equalBytes(id, pending.id)) problems.push(`${where}: its stored id is not the id of its content`)
      else if (pending.entry.signature !== null && !verifyEntryId(pending.entry.signature, id, pending.author)) problems.push(`${where}: its signature does not verify`)
      if (!equalBytes(pending.space, this.space)) problems.push(`${where}: it belongs to another space`)
    }
    for (const [author, marker] of this.state.forks) {
      try {
        verifyForkProof(await deriveForkProof(this.reader, this.space, fromHex(author, 32) as Uint8Array, marker), this.space)
      } catch (err) {
        problems.push(`fork proof of ${author.slice(0, 8)}…: ${(err as Error).message}`)
      }
    }
    return problems
  }
}

/**
 * Checks the database's space and format, creating a new store's rows, migrating a format-1 store.
 * Returns the store's instance id.
 */
/**
 * The instance id of a store found at `location` (its database directory's device and inode). A store
 * copied elsewhere (`cp -r`, a restored backup) is another store from then on, and gets an instance id of
 * its own: peers keep cursors in the original's change log by its id, and the copy's log goes another way.
 */
async function instanceAt (layout: Layout, instance: string, location: string): Promise<string> {
  const saved = await layout.meta.get('location')
  if (saved === location) return instance
  const renewed = saved === undefined ? instance : newInstanceId()
  await layout.meta.batch([{ type: 'put', key: 'location', value: location }, { type: 'put', key: 'instance', value: renewed }])
  return renewed
}

async function openFormat (layout: Layout, space: Uint8Array): Promise<string> {
  const storedSpace = await layout.meta.get('space')
  if (storedSpace === undefined) {
    const instance = newInstanceId()
    await layout.meta.batch([
      { type: 'put', key: 'space', value: toHex(space) },
      { type: 'put', key: 'format', value: STORE_FORMAT },
      { type: 'put', key: 'instance', value: instance }
    ])
    return instance
  }
  if (storedSpace !== toHex(space)) throw new LogbookError('WRONG_SPACE', `this database holds space ${storedSpace}, not ${toHex(space)}`)
  const format = await layout.meta.get('format')
  if (format === FORMAT_ROW[1]) await migrateFormat1(layout)
  else if (format !== STORE_FORMAT) {
    throw new LogbookError('LOGBOOK_NOT_OPEN', `this database has store format row ${String(format)}, which this version of logbook does not read (it reads ${STORE_FORMAT}, and migrates ${FORMAT_ROW[1]}): open it with the version that wrote it, export, and import the export into a new store`)
  }
  const instance = await layout.meta.get('instance')
  if (instance === undefined) throw new LogbookError('LOGBOOK_NOT_OPEN', 'this database has no instance id: it is damaged')
  return instance
}
