// How deep JSON nests (containers open at once), measured without recursion: whatever the input, neither
// check can exhaust the stack. Readers of a payload (JSON.stringify, a view) recurse once per level, which
// is why the format bounds the depth (MAX_JSON_DEPTH) and why these checks must come before them.

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Whether the quote at `at` is escaped: an odd run of backslashes stands before it. */
function escapedQuote (text: string, at: number): boolean {
  let before = at - 1
  while (before >= 0 && text.charCodeAt(before) === BACKSLASH) before--
  return (at - 1 - before) % 2 === 1
}

/**
 * Whether JSON text might nest deeper than `max`: false for most payloads, decided by native searches
 * alone. Each container of valid JSON takes two brackets, so a text that is too short cannot, and neither
 * can one with `max` opening brackets or fewer (brackets inside strings are counted too).
 */
export function mayNestDeeper (text: string, max: number): boolean {
  if (text.length < 2 * (max + 1)) return false
  let count = 0
  for (const bracket of ['[', '{']) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      if (++count > max) return true
    }
  }
  return false
}

/**
 * Where the containers of JSON text first nest deeper than `max` (the offset of that bracket), or -1.
 * One pass; brackets inside strings do not count. Meant for text that JSON.parse accepted: on other text
 * it still ends, with an answer of no meaning.
 */
export function jsonTooDeepAt (text: string, max: number): number {
  if (!mayNestDeeper(text, max)) return -1
  let depth = 0
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at)
    if (code === QUOTE) {
      // Skip the string in one search (payloads are mostly strings): to the first quote not escaped.
      let end = text.indexOf('"', at + 1)
      while (end >= 0 && escapedQuote(text, end)) end = text.indexOf('"', end + 1)
      if (end < 0) return -1
      at = end
    } else if (code === 0x5b || code === 0x7b) { // [ {
      if (++depth > max) return at
    } else if (code === 0x5d || code === 0x7d) { // ] }
      depth--
    }
  }
  return -1
}

/** Whether a parsed JSON value (plain objects, arrays, scalars) nests deeper than `max` containers. */
export function jsonValueTooDeep (value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const containers: unknown[] = [value]
  const depths: number[] = [1]
  const visit = (child: unknown, depth: number): void => {
    if (typeof child === 'object' && child !== null) {
      containers.push(child)
      depths.push(depth)
    }
  }
  while (containers.length > 0) {
    const container = containers.pop() as Record<string, unknown>
    const depth = depths.pop() as number
    if (depth > max) return true
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) visit(container[i], depth + 1)
    } else {
      // Own members only (JSON.parse makes every member own, even one named __proto__); for-in, unlike
      // Object.values, builds no array per object.
      for (const key in container) if (Object.hasOwn(container, key)) visit(container[key], depth + 1)
    }
  }
  return false
}
