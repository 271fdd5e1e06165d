// The reduce view: a fold over entries into one value per group, for aggregates such as counts and
// sums of integers. The reducer must be commutative and associative: stores apply entries in different
// orders and in different batches, and only such a reducer gives the same value on all of them. The
// convergence check (`checkView(..., { orders })`) shows a reducer that is not, such as string
// concatenation or a sum of floats, failing.
import type { ForkPolicy, ViewContext, ViewDefinition, ViewEntry } from '../types.js'

export interface ReduceOptions<T> {
  version?: number | string
  forks?: ForkPolicy
  /** The group an entry counts in; undefined leaves the entry out. Default: one group, ''. */
  group?: (entry: ViewEntry) => string | undefined
  /** The entry's contribution; undefined leaves the entry out. May throw on a malformed entry (recorded). */
  map: (entry: ViewEntry) => T | undefined
  /** Commutative and associative. */
  reduce: (acc: T, value: T) => T
  /** The value of a group no entry counted in (the reducer's identity). */
  initial: T
  /** To and from a JSON value, for values JSON does not hold as they are (bigint). */
  encode?: (value: T) => unknown
  decode?: (stored: unknown) => T
}

export interface ReduceApi<T> {
  get: (group?: string) => Promise<T>
  /** Every group with a value, in key order. */
  groups: () => Promise<Array<[string, T]>>
}

export function reduceView<T> (options: ReduceOptions<T>): ViewDefinition<ReduceApi<T>> {
  const group = options.group ?? (() => '')
  const encode = options.encode ?? ((value: T) => value)
  const decode = options.decode ?? ((stored: unknown) => stored as T)
  // A fresh copy each time: a reducer that changes its accumulator must not change the initial value.
  const initial = (): T => {
    const encoded = encode(options.initial)
    return encoded === undefined ? options.initial : decode(JSON.parse(JSON.stringify(encoded)))
  }
  return {
    version: options.version ?? 1,
    forks: options.forks ?? 'include',
    apply: async (entries, tx) => {
      for (const entry of entries) {
        const key = group(entry)
        if (key === undefined) continue
        const value = options.map(entry)
        if (value === undefined) continue
        const stored = await tx.get(key)
        const acc = stored === undefined ? initial() : decode(stored)
        tx.put(key, encode(options.reduce(acc, value)))
      }
    },
    api: (context: ViewContext) => ({
      get: async (key = '') => {
        await context.ready()
        const stored = await context.get(key)
        return stored === undefined ? initial() : decode(stored)
      },
      groups: async () => {
        await context.ready()
        const out: Array<[string, T]> = []
        for await (const [key, stored] of context.rows()) out.push([key, decode(stored)])
        return out
      }
    })
  }
}

/** Entries counted per group (by default all entries, in group ''); `where` picks which count. */
export function countView (options: { group?: (entry: ViewEntry) => string | undefined, where?: (entry: ViewEntry) => boolean, version?: number | string, forks?: ForkPolicy } = {}): ViewDefinition<ReduceApi<number>> {
  const where = options.where ?? (() => true)
  return reduceView<number>({
    version: options.version,
    forks: options.forks,
    group: options.group,
    map: (entry) => (where(entry) ? 1 : undefined),
    reduce: (a, b) => a + b,
    initial: 0
  })
}

/**
 * Sum of an integer payload field per group, exact at any size (a bigint, stored as decimal text).
 * Entries without the field are left out; a field that is not a safe integer is a recorded failure.
 */
export function sumView (field: string, options: { group?: (entry: ViewEntry) => string | undefined, version?: number | string, forks?: ForkPolicy } = {}): ViewDefinition<ReduceApi<bigint>> {
  return reduceView<bigint>({
    version: `${String(options.version ?? 1)}:${field}`,
    forks: options.forks,
    group: options.group,
    map: (entry) => {
      const payload = entry.payload
      if (entry.kind !== 'json' || typeof payload !== 'object' || payload === null || !Object.hasOwn(payload, field)) return undefined
      const value = (payload as Record<string, unknown>)[field]
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`${field} must be a safe integer, got ${JSON.stringify(value)}`)
      return BigInt(value)
    },
    reduce: (a, b) => a + b,
    initial: 0n,
    encode: (value) => value.toString(),
    decode: (stored) => BigInt(stored as string)
  })
}
