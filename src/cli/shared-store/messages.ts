// The messages between a command and the process that holds its store: a tagged union each way, checked
// by type guards as they arrive, and the encoding of the values they carry (JSON, with bytes as base64).
import { ERROR_CODES, innermostMessage, isIoFailure, JsonText, LogbookError, type ErrorCode } from '../../index.js'

/** Bumped when a message changes meaning: a command and a holder of different versions then say so. */
export const PROTOCOL = 1

/** Methods of BookApi answered with one result. */
export const CALLS = [
  'resolveId', 'resolveAuthor', 'get', 'append', 'status', 'pending', 'heads', 'feedHeads', 'forks', 'verify',
  'viewStatuses', 'checkView', 'rebuild', 'viewReady', 'viewCall', 'import'
] as const
/** Methods of BookApi whose result is a stream of items, sent a batch at a time as the command asks. */
export const STREAMS = ['log', 'export'] as const

export type CallMethod = typeof CALLS[number]
export type StreamMethod = typeof STREAMS[number]

/** A failure as it crosses the socket; `code` null for an error without one (a bug: INTERNAL). */
export interface WireError { code: ErrorCode | null, message: string, offset?: number, index?: number }

/** What a command sends. */
export type ClientMessage =
  | { type: 'hello', protocol: number }
  | { type: 'call', id: number, method: CallMethod | StreamMethod, args: unknown[] }
  /** The next batch of stream `id`. */
  | { type: 'pull', id: number }
  /** The import's input: bytes (base64), its end, or the failure that ended it. */
  | { type: 'chunk', id: number, data?: string, end?: boolean, error?: WireError }
  /** Stop call `id` (its AbortSignal aborts) or close stream `id`. */
  | { type: 'cancel', id: number }

/** What the holder sends. */
export type HostMessage =
  | { type: 'welcome', protocol: number, pid: number, command: string }
  /** The holder is finishing and takes no new commands: the store is free again in a moment. */
  | { type: 'closing', pid: number, command: string }
  | { type: 'result', id: number, value?: unknown }
  | { type: 'error', id: number, error: WireError }
  | { type: 'items', id: number, items: unknown[], done: boolean }
  /** A callback's call: progress of an import or a view, or the cursor an export tells first. */
  | { type: 'event', id: number, name: 'progress' | 'cursor', value: unknown }
  /** Send the next chunk of import `id`'s input. */
  | { type: 'pull', id: number }

type Fields = Record<string, unknown>

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value)
const isId = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0
const isOptional = (value: unknown, type: 'string' | 'number' | 'boolean'): boolean => value === undefined || typeof value === type

function isWireError (value: unknown): value is WireError {
  return isObject(value) && (value.code === null || (typeof value.code === 'string' && Object.hasOwn(ERROR_CODES, value.code))) &&
    typeof value.message === 'string' && isOptional(value.offset, 'number') && isOptional(value.index, 'number')
}

export function isClientMessage (value: unknown): value is ClientMessage {
  if (!isObject(value)) return false
  switch (value.type) {
    case 'hello': return typeof value.protocol === 'number'
    case 'call': return isId(value.id) && ([...CALLS, ...STREAMS] as unknown[]).includes(value.method) && Array.isArray(value.args)
    case 'pull': case 'cancel': return isId(value.id)
    case 'chunk': return isId(value.id) && isOptional(value.data, 'string') && isOptional(value.end, 'boolean') && (value.error === undefined || isWireError(value.error))
    default: return false
  }
}

export function isHostMessage (value: unknown): value is HostMessage {
  if (!isObject(value)) return false
  switch (value.type) {
    case 'welcome': case 'closing': return typeof value.pid === 'number' && typeof value.command === 'string' && (value.type === 'closing' || typeof value.protocol === 'number')
    case 'result': case 'pull': return isId(value.id)
    case 'error': return isId(value.id) && isWireError(value.error)
    case 'items': return isId(value.id) && Array.isArray(value.items) && typeof value.done === 'boolean'
    case 'event': return isId(value.id) && (value.name === 'progress' || value.name === 'cursor')
    default: return false
  }
}

/** An error as it crosses: a LogbookError keeps its code, message, offset and index; the disk's refusal is IO_ERROR. */
export function toWireError (err: unknown): WireError {
  if (err instanceof LogbookError) return { code: err.code, message: err.message, offset: err.offset, index: err.index }
  if (isIoFailure(err)) return { code: 'IO_ERROR', message: innermostMessage(err) }
  return { code: null, message: err instanceof Error ? err.message : String(err) }
}

/** The error again, on the other side: the same code and message, so the command prints the same line. */
export function fromWireError (error: WireError): Error {
  if (error.code === null) return new Error(error.message)
  return new LogbookError(error.code, error.message, { offset: error.offset, index: error.index })
}

/**
 * A value as JSON: bytes become {"$bytes": base64} and exact JSON text {"$json": text}; an object key of the
 * value's own that starts with `$` gets one more, so no payload can pass for either.
 */
export function toWire (value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
  const json = JsonText.textOf(value)
  if (json !== undefined) return { $json: json }
  if (Array.isArray(value)) return value.map(toWire)
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key.startsWith('$') ? `$${key}` : key, toWire(item)]))
  return value
}

/** The inverse of toWire. Objects are made with fromEntries: a key `__proto__` stays a key. */
export function fromWire (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromWire)
  if (!isObject(value)) return value
  const keys = Object.keys(value)
  if (keys.length === 1 && typeof value.$bytes === 'string') return new Uint8Array(Buffer.from(value.$bytes, 'base64'))
  if (keys.length === 1 && typeof value.$json === 'string') return JsonText.parse(value.$json)
  return Object.fromEntries(keys.map((key) => [key.startsWith('$$') ? key.slice(1) : key, fromWire(value[key])]))
}
