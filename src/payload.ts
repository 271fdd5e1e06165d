// Payloads as the library takes them: bytes, or a JSON value that survives JSON text unchanged.
// JSON.stringify drops or rewrites what JSON cannot hold (undefined becomes nothing, NaN becomes null,
// -0 becomes 0, a Date becomes a string, a Map becomes {}, toJSON replaces a value), and an entry can
// never be taken back, so such values are refused with INVALID_PAYLOAD before anything is written.
import { Buffer } from 'buffer'
import { LogbookError } from './errors.js'
import { MAX_JSON_DEPTH } from './entry/limits.js'
import { PAYLOAD_BINARY, PAYLOAD_JSON, type PayloadKind } from './entry/types.js'
import { JsonText } from './json-text.js'

/** A value that JSON text represents exactly: what `JSON.parse(JSON.stringify(v))` gives back unchanged. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** What `append` takes: raw bytes, a JSON value, or JSON text already read exactly (JsonText.parse). */
export type Payload = Uint8Array | JsonValue | JsonText

const encoder = new TextEncoder()

/** One step down into a value, kept so that an error can name where the problem is. */
interface Place { key: string | number, parent: Place | null }

/** `.a[2].b`-style path of a place inside a payload ('' for the payload itself). */
function pathOf (place: Place | null): string {
  const parts: string[] = []
  for (let at = place; at !== null; at = at.parent) {
    parts.push(typeof at.key === 'number' ? `[${at.key}]` : /^[A-Za-z_$][\w$]*$/.test(at.key) ? `.${at.key}` : `[${JSON.stringify(at.key)}]`)
  }
  parts.reverse()
  // A path deep down is named by its last steps.
  return parts.length > 12 ? `…${parts.slice(-12).join('')}` : parts.join('')
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

/**
 * Why an object is not a plain object or array that JSON holds exactly, or null. Plain means made by a
 * literal, JSON.parse or Object.create(null), in this realm or another (its prototype's prototype is null).
 */
function containerProblem (value: object): string | null {
  if (!Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value)
    if (proto !== null && Object.getPrototypeOf(proto) !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name
      return `${typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a prototype'} is not a plain object (JSON would change it)`
    }
    if (Object.getOwnPropertySymbols(value).length > 0) return 'symbol keys would be dropped'
  }
  if ('toJSON' in value) return 'it has a toJSON method, which would replace it in JSON'
  return null
}

/** A property's value, read once: accessors are refused (a getter may answer differently on each read). */
function ownValue (container: object, key: string): { value: unknown } | { problem: string } {
  const descriptor = Object.getOwnPropertyDescriptor(container, key)
  if (descriptor === undefined || !('value' in descriptor)) return { problem: 'a getter, whose value may change between reads, is not stored' }
  return { value: descriptor.value }
}

/**
 * A copy of `value` made only of plain objects, arrays and JSON scalars, read once; throws INVALID_PAYLOAD
 * naming where `value` is not a JSON value that JSON text holds exactly. Writing the copy (not the value)
 * means what was checked is what is written. Iterative, and at most MAX_JSON_DEPTH containers deep.
 */
function exactCopy (value: unknown, what: string, index?: number): unknown {
  const refuse = (place: Place | null, problem: string): never => {
    const path = pathOf(place)
    throw new LogbookError('INVALID_PAYLOAD', `${what}${path === '' ? '' : ` at ${path}`}: ${problem}`, index === undefined ? undefined : { index })
  }
  const root: { value?: unknown } = Object.create(null)
  const ancestors = new Set<object>()
  // A frame copies one value into `into[key]`; an `exit` frame ends a container whose children are done.
  type Frame = { value: unknown, place: Place | null, into: any, key: string | number, depth: number } | { exit: object }
  const stack: Frame[] = [{ value, place: null, into: root, key: 'value', depth: 0 }]
  while (stack.length > 0) {
    const frame = stack.pop() as Frame
    if ('exit' in frame) {
      ancestors.delete(frame.exit)
      continue
    }
    const current = frame.value
    if (typeof current !== 'object' || current === null) {
      const problem = scalarProblem(current)
      if (problem !== null) refuse(frame.place, problem)
      frame.into[frame.key] = current
      continue
    }
    if (ancestors.has(current)) refuse(frame.place, 'a cycle (the value contains itself)')
    if (frame.depth >= MAX_JSON_DEPTH) refuse(frame.place, `nested deeper than ${MAX_JSON_DEPTH} levels`)
    const problem = containerProblem(current)
    if (problem !== null) refuse(frame.place, problem)
    ancestors.add(current)
    stack.push({ exit: current })
    const keys = Object.keys(current)
    if (Array.isArray(current)) {
      // Holes would become null, and extra properties would be dropped.
      if (keys.length !== current.length) refuse(frame.place, 'an array with holes or extra properties')
      const copy: unknown[] = new Array(keys.length)
      frame.into[frame.key] = copy
      for (let i = keys.length - 1; i >= 0; i--) {
        const read = ownValue(current, keys[i])
        if ('problem' in read) refuse({ key: i, parent: frame.place }, read.problem)
        else stack.push({ value: read.value, place: { key: i, parent: frame.place }, into: copy, key: i, depth: frame.depth + 1 })
      }
    } else {
      // No prototype: a key named __proto__ is then an ordinary key, as JSON.parse makes it.
      const copy = Object.create(null)
      frame.into[frame.key] = copy
      // Keys are set in order before their values are copied: the copy keeps the value's key order.
      for (const key of keys) copy[key] = null
      for (let i = keys.length - 1; i >= 0; i--) {
        const place = { key: keys[i], parent: frame.place }
        const read = ownValue(current, keys[i])
        if ('problem' in read) refuse(place, read.problem)
        else stack.push({ value: read.value, place, into: copy, key: keys[i], depth: frame.depth + 1 })
      }
    }
  }
  return root.value
}

/**
 * Checks that `value` is a JSON value that JSON text holds exactly; throws INVALID_PAYLOAD naming where
 * it is not (`what` names the value in the message).
 */
export function checkJsonValue (value: unknown, what = 'the payload'): void {
  exactCopy(value, what)
}

/**
 * A payload checked and ready to store: its kind, its size, and its bytes, or the JSON text they are encoded
 * from when the entry is built (a large append then holds text, not a buffer per entry).
 */
export interface PreparedPayload { kind: PayloadKind, byteLength: number, bytes?: Uint8Array, text?: string }

/** Checks a payload (JSON values: see exactCopy) and prepares it; `index` names it in errors. */
export function preparePayload (value: Payload, index: number): PreparedPayload {
  if (value instanceof Uint8Array) return { kind: PAYLOAD_BINARY, byteLength: value.byteLength, bytes: value }
  const text = JsonText.textOf(value) ?? JSON.stringify(exactCopy(value, `payload ${index}`, index))
  return { kind: PAYLOAD_JSON, byteLength: Buffer.byteLength(text, 'utf8'), text }
}

/** The bytes of a prepared payload. */
export function payloadBytes (prepared: PreparedPayload): Uint8Array {
  return prepared.bytes ?? encoder.encode(prepared.text)
}
