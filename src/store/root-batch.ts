// Batches addressed to the root database with each sublevel's prefix applied here, once per operation.
// abstract-level's own per-operation sublevel and encoding handling cost about a third of the main thread
// on the write paths (the log's ingest and the views' commits); this is the one place that avoids it.
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
        if (text === null) batch.del(prefix + key, TEXT_ENCODINGS as any)
        else batch.put(prefix + key, text, TEXT_ENCODINGS as any)
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
  private async commit (fill: (batch: AbstractChainedBatch<any, any, any>) => void, options: object): Promise<void> {
    const batch = this.db.batch()
    try {
      fill(batch)
    } catch (err) {
      await batch.close()
      throw err
    }
    await batch.write(options as any)
  }

  private addAll (batch: AbstractChainedBatch<any, any, any>, ops: RootOp[]): void {
    const each = this.perOperation
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]
      if (op.type === 'put') batch.put(op.key, op.value, each as any)
      else batch.del(op.key, each as any)
    }
  }
}
