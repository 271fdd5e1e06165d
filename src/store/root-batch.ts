// Batches addressed to the root database with each sublevel's prefix applied here, once per operation.
// abstract-level's own per-operation sublevel and encoding handling cost about a third of the main thread
// on the write paths (the log's ingest and the views' commits); this is the one place that avoids it, and
// the one place that hands operations to classic-level's native batch when nothing watches the writes.
import { Buffer } from 'buffer'
import type { AbstractChainedBatch, AbstractLevel } from 'abstract-level'

export type SublevelOp =
  | { type: 'put', sublevel: any, key: Uint8Array | string, value: Uint8Array | string }
  | { type: 'del', sublevel: any, key: Uint8Array | string }

export type RootOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

const VIEW_ENCODINGS = { keyEncoding: 'view', valueEncoding: 'view' } as const
const TEXT_ENCODINGS = { keyEncoding: 'utf8', valueEncoding: 'utf8' } as const

function bytes (value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value) : value
}

export class RootBatcher {
  private readonly prefixes = new Map<unknown, Buffer>()
  /** Encoding options only when the root database does not already take bytes. */
  private readonly perOperation: object | undefined

  constructor (private readonly db: AbstractLevel<any, any, any>) {
    const takesBytes = db.keyEncoding().commonName === 'view' && db.valueEncoding().commonName === 'view'
    this.perOperation = takesBytes ? undefined : VIEW_ENCODINGS
  }

  toRoot (ops: SublevelOp[]): RootOp[] {
    const out: RootOp[] = new Array(ops.length)
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]
      let prefix = this.prefixes.get(op.sublevel)
      if (prefix === undefined) {
        // Only sublevels with UTF-8 or byte encodings are used, so a key's bytes are its encoding.
        prefix = Buffer.from((op.sublevel as { prefix: string }).prefix)
        this.prefixes.set(op.sublevel, prefix)
      }
      const key = Buffer.concat([prefix, bytes(op.key)])
      out[i] = op.type === 'put' ? { type: 'put', key, value: bytes(op.value) } : { type: 'del', key }
    }
    return out
  }

  async write (ops: SublevelOp[], options: object = {}): Promise<void> {
    await this.writeRoot(this.toRoot(ops), options)
  }

  /**
   * Writes `rows` of a sublevel with text keys and values (null deletes) and `ops`, as one atomic batch.
   * Rows go to the database as strings (prefix and key as one string: both are UTF-8 text), which
   * classic-level copies natively; making buffers of them first measured ~5% slower in a kv rebuild.
   */
  async writeText (sublevel: any, rows: ReadonlyMap<string, string | null>, ops: SublevelOp[], options: object = {}): Promise<void> {
    const prefix = (sublevel as { prefix: string }).prefix
    await this.commit((batch) => {
      rows.forEach((text, key) => {
        if (text === null) batch.del(prefix + key, TEXT_ENCODINGS)
        else batch.put(prefix + key, text, TEXT_ENCODINGS)
      })
      this.addAll(batch, this.toRoot(ops))
    }, options)
  }

  /**
   * Writes root operations as one atomic batch, through a chained batch: classic-level takes each
   * operation in one native call there, where an array batch reads each operation's properties one by
   * one (measured here: ~0.45 against 1.0 to 1.5 us of main thread per operation).
   */
  async writeRoot (ops: RootOp[], options: object = {}): Promise<void> {
    await this.commit((batch) => { this.addAll(batch, ops) }, options)
  }

  /** One chained batch: filled by `fill`, written atomically, or closed unwritten if `fill` throws. */
  private async commit (fill: (batch: Batch) => void, options: object): Promise<void> {
    const chained = this.db.batch()
    const batch = this.native() ? nativeBatch(chained) : publicBatch(chained)
    try {
      fill(batch)
    } catch (err) {
      await chained.close()
      throw err
    }
    await chained.write(options as any)
  }

  /**
   * Whether operations may go straight to classic-level's native batch: only for classic-level's own
   * class (a subclass may bring another batch, whose `_put` could do nothing), and only when nothing can
   * observe the difference, that is no prewrite hook (abstract-level's own flag, read as it reads it;
   * were it ever missing, writes would take the public path) and no listener of the root's 'write' event.
   * @internal Public for tests.
   */
  native (): boolean {
    const hook = this.db.hooks.prewrite as { noop?: unknown }
    return nativeBatchClasses.has(Object.getPrototypeOf(this.db)) && hook.noop === true && this.db.listenerCount('write') === 0
  }

  private addAll (batch: Batch, ops: RootOp[]): void {
    const each = this.perOperation
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]
      if (op.type === 'put') batch.put(op.key, op.value, each)
      else batch.del(op.key, each)
    }
  }
}

/** Prototypes of the database classes whose batches take operations natively (see nativeBatch). */
const nativeBatchClasses = new Set<object>()

/** Lets batches of this database class (classic-level's, registered by the Node platform) go native. */
export function allowNativeBatches (prototype: object): void {
  nativeBatchClasses.add(prototype)
}

type Encodings = object | undefined

/** The part of a chained batch the batcher fills. */
interface Batch {
  put: (key: Uint8Array | string, value: Uint8Array | string, encodings: Encodings) => void
  del: (key: Uint8Array | string, encodings: Encodings) => void
}

function publicBatch (batch: AbstractChainedBatch<any, any, any>): Batch {
  return {
    put: (key, value, encodings) => { batch.put(key, value, encodings as any) },
    del: (key, encodings) => { batch.del(key, encodings as any) }
  }
}

/** What the native batch takes as it is; anything else goes through the public API, which rejects it. */
function isData (value: unknown): value is Uint8Array | string {
  return typeof value === 'string' || value instanceof Uint8Array
}

/**
 * classic-level's native batch through abstract-level's implementation interface (`_put`, `_del`),
 * which takes keys and values as strings or bytes, as they are here (UTF-8 text or raw bytes, keys already
 * prefixed for the root). abstract-level's public put validates, clones and re-encodes every operation,
 * ~0.6 us of main thread each (in paired runs of a kv rebuild over 300k entries: 260k against 182k
 * entries/s). The first operation goes through the public API, so that the batch counts as non-empty and
 * is written. This leans on abstract-level's internals: package.json pins it, and test/store-root-batch
 * compares the two paths.
 */
function nativeBatch (batch: AbstractChainedBatch<any, any, any>): Batch {
  const native = batch as unknown as { _put: (key: Uint8Array | string, value: Uint8Array | string) => void, _del: (key: Uint8Array | string) => void }
  const checked = publicBatch(batch)
  let first = true
  return {
    put: (key, value, encodings) => {
      if (first || !isData(key) || !isData(value)) {
        first = false
        checked.put(key, value, encodings)
      } else {
        native._put(key, value)
      }
    },
    del: (key, encodings) => {
      if (first || !isData(key)) {
        first = false
        checked.del(key, encodings)
      } else {
        native._del(key)
      }
    }
  }
}
