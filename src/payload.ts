// Payloads as the library takes them: bytes, or a JSON value that survives JSON text unchanged.
// JSON.stringify drops or rewrites what JSON cannot hold (undefined becomes nothing, NaN becomes null,
// -0 becomes 0, a Date becomes a string, a Map becomes {}), and an entry can never be taken back, so
// such values are refused with INVALID_PAYLOAD before anything is written.
import { LogbookError } from './errors.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type PayloadKind } from './entry/types.js'
import { JsonText } from './json-text.js'

/** A value that JSON text represents exactly: what `JSON.parse(JSON.stringify(v))` gives back unchanged. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** What `append` takes: raw bytes, a JSON value, or JSON text already read exactly (JsonText.parse). */
export type Payload = Uint8Array | JsonValue | JsonText

const encoder = new TextEncoder()

/** Marks, on the work stack, the end of a container whose children have been checked. */
const EXIT = Symbol('exit')

/** One step down into a value, kept so that an error can name where the problem is. */
interface Place { key: string | number, parent: Place | null }

/** `.a[2].b`-style path of a place inside a payload ('' for the payload itself). */
function pathOf (place: Place | null): string {
  const parts: string[] = []
  for (let at = place; at !== null; at = at.parent) {
    parts.push(typeof at.key === 'number' ? `[${at.key}]` : /^[A-Za-z_$][\w$]*$/.test(at.key) ? `.${at.key}` : `[${JSON.stringify(at.key)}]`)
  }
  return parts.reverse().join('')
}

/** Why `value` (a non-container) has no exact JSON form, or null when it has one. */
function scalarProblem (value: unknown): string | null {
  switch (typeof value) {
    case 'string': case 'boolean': return null
    case 'number':
      if (!Number.isFinite(value)) return `${String(value)} is not a JSON number`
      if (Object.is(value, -0)) return '-0 would be stored as 0'
      return null
    case 'bigint': return 'a BigInt is not a JSON number (convert it to a string or a safe integer)'
    case 'undefined': return 'undefined is not a JSON value (JSON would drop it)'
    case 'function': return 'a function is not a JSON value'
    case 'symbol': return 'a symbol is not a JSON value'
    default: return value === null ? null : 'not a JSON value'
  }
}

/** Why an object is not a plain object or array that JSON holds exactly, or null. */
function containerProblem (value: object): string | null {
  if (Array.isArray(value)) {
    // Holes would become null, and extra properties would be dropped.
    if (Object.keys(value).length !== value.length) return 'an array with holes or extra properties'
    return null
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name
    return `${typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a prototype'} is not a plain object (JSON would change it)`
  }
  if (Object.getOwnPropertySymbols(value).length > 0) return 'symbol keys would be dropped'
  return null
}

/**
 * Checks that `value` is a JSON value that JSON text holds exactly; throws INVALID_PAYLOAD naming where
 * it is not. Iterative, so a deeply nested value is judged rather than overflowing the stack.
 */
export function checkJsonValue (value: unknown, what = 'the payload', index?: number): void {
  const refuse = (place: Place | null, problem: string): never => {
    const path = pathOf(place)
    throw new LogbookError('INVALID_PAYLOAD', `${what}${path === '' ? '' : ` at ${path}`}: ${problem}`, index === undefined ? undefined : { index })
  }
  const ancestors = new Set<object>()
  // Each frame is a value to check, or (value === EXIT) the end of a container whose children are done.
  const stack: Array<{ value: unknown, place: Place | null }> = [{ value, place: null }]
  const exits: object[] = []
  while (stack.length > 0) {
    const frame = stack.pop() as { value: unknown, place: Place | null }
    const current = frame.value
    if (current === EXIT) {
      ancestors.delete(exits.pop() as object)
      continue
    }
    if (typeof current !== 'object' || current === null) {
      const problem = scalarProblem(current)
      if (problem !== null) refuse(frame.place, problem)
      continue
    }
    if (ancestors.has(current)) refuse(frame.place, 'a cycle (the value contains itself)')
    const problem = containerProblem(current)
    if (problem !== null) refuse(frame.place, problem)
    ancestors.add(current)
    exits.push(current)
    stack.push({ value: EXIT, place: null })
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], place: { key: i, parent: frame.place } })
    } else {
      const keys = Object.keys(current)
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({ value: (current as Record<string, unknown>)[keys[i]], place: { key: keys[i], parent: frame.place } })
      }
    }
  }
}

/** A payload as stored: its kind and bytes. JSON values are checked first (checkJsonValue). */
export function encodePayload (value: Payload, index: number): { kind: PayloadKind, payload: Uint8Array } {
  if (value instanceof Uint8Array) return { kind: PAYLOAD_BINARY, payload: value }
  if (value instanceof JsonText) return { kind: PAYLOAD_JSON, payload: encoder.encode(value.json) }
  checkJsonValue(value, `payload ${index}`, index)
  let text: string
  try {
    text = JSON.stringify(value)
  } catch (err) {
    // Nesting deep enough to exhaust the stack.
    throw new LogbookError('INVALID_PAYLOAD', `payload ${index} cannot be written as JSON: ${(err as Error).message}`, { index, cause: err })
  }
  return { kind: PAYLOAD_JSON, payload: encoder.encode(text) }
}
