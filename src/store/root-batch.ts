// Batches addressed to the root database with each sublevel's prefix applied here, once per operation.
// abstract-level's own per-operation sublevel and encoding handling cost about a third of the main thread
// on the write paths (the log's ingest and the views' commits); this is the one place that avoids it.
import type { AbstractLevel } from 'abstract-level'

export type SublevelOp =
  | { type: 'put', sublevel: any, key: Uint8Array | string, value: Uint8Array | string }
  | { type: 'del', sublevel: any, key: Uint8Array | string }

export type RootOp = { type: 'put', key: Uint8Array, value: Uint8Array } | { type: 'del', key: Uint8Array }

const VIEW_ENCODINGS = { keyEncoding: 'view', valueEncoding: 'view' } as const

function bytes (value: Uint8Array | string): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value) : value
}

export class RootBatcher {
  private readonly prefixes = new Map<unknown, Buffer>()
  /** Encoding options only when the root database does not already take bytes: abstract-level looks
   *  encodings up again for every operation when a batch names them. */
  readonly options: object

  constructor (private readonly db: AbstractLevel<any, any, any>) {
    const takesBytes = db.keyEncoding().commonName === 'view' && db.valueEncoding().commonName === 'view'
    this.options = takesBytes ? {} : VIEW_ENCODINGS
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
    await this.db.batch(this.toRoot(ops) as any, { ...this.options, ...options } as any)
  }
}
