// Random topological orders of ready entries, for the convergence check: every order in which some
// store could have received the same entries (each after its prev and its links), drawn from a seeded
// generator so that an order that breaks a view can be reproduced from its seed.
import { entryDependencies, entryId, type ReadyEntry } from './entry.js'

/** mulberry32: small, fast, and the same sequence for the same seed on every platform. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The generator for order number `index` of a check with `seed` (each order reproducible alone). */
export function orderRandom (seed: number, index: number): () => number {
  return seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0)
}

/**
 * A uniformly chosen next entry among those whose prev and links are placed (Kahn's algorithm with a
 * random pick). Dependencies on entries outside `entries` (an excluded author's) are not constraints.
 */
export function randomTopologicalOrder<T extends ReadyEntry> (entries: T[], random: () => number): T[] {
  const position = new Map<string, number>()
  entries.forEach((entry, i) => position.set(entryId(entry), i))
  const waitingFor = new Int32Array(entries.length)
  const dependents: number[][] = entries.map(() => [])
  entries.forEach((entry, i) => {
    for (const dependency of entryDependencies(entry)) {
      const at = position.get(dependency)
      if (at === undefined) continue
      waitingFor[i]++
      dependents[at].push(i)
    }
  })
  const available: number[] = []
  waitingFor.forEach((count, i) => { if (count === 0) available.push(i) })
  const out: T[] = []
  while (available.length > 0) {
    const pick = Math.floor(random() * available.length)
    const i = available[pick]
    available[pick] = available[available.length - 1]
    available.pop()
    out.push(entries[i])
    for (const dependent of dependents[i]) if (--waitingFor[dependent] === 0) available.push(dependent)
  }
  if (out.length !== entries.length) throw new Error('the entries have a dependency cycle')
  return out
}

/** Cuts `count` items into batches of random sizes, mostly small, so batch boundaries vary too. */
export function randomBatchSizes (count: number, random: () => number, max: number): number[] {
  const sizes: number[] = []
  let left = count
  while (left > 0) {
    const limit = random() < 0.5 ? Math.min(16, max) : max
    const size = Math.min(left, 1 + Math.floor(random() * limit))
    sizes.push(size)
    left -= size
  }
  return sizes
}
