// JSON text as a person typed it, read exactly or refused. JSON.parse quietly changes some texts: a number
// it cannot hold becomes another number (1e400 is Infinity, then null; 12345678901234567890 loses digits;
// -0 becomes 0 once written), and of duplicate keys only the last survives. Since an entry can never be
// taken back, such text is refused with INVALID_PAYLOAD and where the problem is (line, column).
import { parse as parseTree, type AnyNode } from '@humanwhocodes/momoa'
import { LogbookError } from './errors.js'
import { MAX_JSON_DEPTH } from './entry/limits.js'
import { jsonTooDeepAt } from './entry/json-depth.js'
import type { JsonValue } from './payload.js'

export interface JsonTextOptions {
  /** Names the text in messages ('the value', 'stdin'). */
  what?: string
  /** The line number of the text's first line (a line of a larger input). */
  firstLine?: number
}

/** Line and column (both from 1, columns in characters) of `offset` in `text`. */
function lineAndColumn (text: string, offset: number, firstLine: number): string {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  let line = firstLine
  for (let at = before.indexOf('\n'); at >= 0; at = before.indexOf('\n', at + 1)) line++
  return `line ${line}, column ${[...before.slice(lineStart)].length + 1}`
}

function refuse (text: string, offset: number, reason: string, options: JsonTextOptions): never {
  const where = lineAndColumn(text, offset, options.firstLine ?? 1)
  throw new LogbookError('INVALID_PAYLOAD', `${options.what ?? 'the value'}, ${where}: ${reason}`)
}

/** V8's words for a syntax error, without its position or its echo of the input, in lower case. */
function syntaxReason (message: string): string {
  const words = message.replace(/ (in|after) JSON at position \d+.*$/s, (_all, word: string) => word === 'after' ? ' after the value' : '')
    .replace(/, ".*" is not valid JSON$/s, '').replace(/^"(.*)" is not valid JSON$/s, 'unexpected $1')
  return words.charAt(0).toLowerCase() + words.slice(1)
}

/** Where JSON.parse stopped, and why. */
function syntaxProblem (text: string, err: Error): { offset: number, reason: string } {
  const message = err.message
  const atEnd = /^Unexpected end of JSON input/.test(message)
  let reason = atEnd
    ? (text.trim() === '' ? 'no value (empty text)' : 'not valid JSON: the text ends in the middle of a value')
    : `not valid JSON: ${syntaxReason(message)}`
  let offset = 0
  const stated = /at position (\d+)/.exec(message)
  if (stated !== null) {
    offset = Number(stated[1])
  } else if (atEnd) {
    offset = text.length
  } else {
    // V8 does not say where an unexpected token is; a parser that keeps locations does.
    try {
      parseTree(text, { mode: 'json' })
    } catch (located) {
      const at = (located as { offset?: unknown }).offset
      if (typeof at === 'number') offset = at
    }
  }
  if (text.charCodeAt(offset) === 0xfeff) reason = 'not valid JSON: a byte-order mark (U+FEFF) is not part of JSON; save the text without it'
  return { offset, reason }
}

/** The decimal value of a JSON number's text, normalised: sign, significant digits, exponent. */
function decimalOf (numberText: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(numberText)
  if (match === null) return numberText
  const fraction = match[3] ?? ''
  let digits = (match[2] + fraction).replace(/^0+/, '')
  let exponent = Number(match[4] ?? 0) - fraction.length
  const trailing = /0*$/.exec(digits)?.[0].length ?? 0
  digits = digits.slice(0, digits.length - trailing)
  exponent += trailing
  return digits === '' ? '0' : `${match[1]}${digits}e${exponent}`
}

/** Why a JSON number's text does not survive JSON.parse unchanged, or null when it does. */
function numberProblem (numberText: string): string | null {
  const value = Number(numberText)
  if (!Number.isFinite(value)) return `${numberText} is too large for a JSON number (it would become ${String(value)})`
  if (value === 0 && numberText.startsWith('-')) return `${numberText} is negative zero, which JSON would store as 0`
  if (decimalOf(numberText) !== decimalOf(String(value))) {
    const kind = value === 0 ? 'too small' : /^-?\d+$/.test(numberText) ? 'beyond 2^53' : 'too precise'
    return `${numberText} is ${kind} for a JSON number (it would become ${String(value)}); write it as a string`
  }
  return null
}

/** Duplicate keys and changed numbers anywhere in a parsed tree: the first one, or null. */
function treeProblem (text: string, root: AnyNode): { offset: number, reason: string } | null {
  const stack: AnyNode[] = [root]
  while (stack.length > 0) {
    const node = stack.pop() as AnyNode
    if (node.type === 'Document') {
      stack.push(node.body)
    } else if (node.type === 'Number') {
      const range = node.range as [number, number]
      const problem = numberProblem(text.slice(range[0], range[1]))
      if (problem !== null) return { offset: range[0], reason: problem }
    } else if (node.type === 'Array') {
      for (let i = node.elements.length - 1; i >= 0; i--) stack.push(node.elements[i].value)
    } else if (node.type === 'Object') {
      const seen = new Set<string>()
      for (const member of node.members) {
        const key = (member.name as { value: string }).value
        if (seen.has(key)) return { offset: (member.name.range as [number, number])[0], reason: `duplicate key ${JSON.stringify(key)} (only one value per key can be kept)` }
        seen.add(key)
      }
      for (let i = node.members.length - 1; i >= 0; i--) stack.push(node.members[i].value)
    }
  }
  return null
}

/**
 * Parses JSON text into a value whose JSON is the same data: refuses syntax errors, duplicate keys and
 * numbers that a double cannot hold exactly (overflow, underflow, digits lost, -0), naming line and
 * column. Whitespace and number spelling (1.0, 1e2) are not data and may differ when written back.
 */
export function parseExactJson (text: string, options: JsonTextOptions = {}): JsonValue {
  return readExactJson(text, options).value
}

/** parseExactJson, and the value's JSON as it will be stored (the text itself when it already is that). */
function readExactJson (text: string, options: JsonTextOptions): { value: JsonValue, json: string } {
  let value: JsonValue
  try {
    value = JSON.parse(text)
  } catch (err) {
    const { offset, reason } = syntaxProblem(text, err as Error)
    return refuse(text, offset, reason, options)
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return { value, json: JSON.stringify(value) }
  if (typeof value === 'number') {
    const json = String(value)
    if (json === text) return { value, json: text }
    const problem = numberProblem(text.trim())
    if (problem !== null) refuse(text, text.length - text.trimStart().length, problem, options)
    return { value, json }
  }
  // Checked before anything recursive (JSON.stringify, the located parse) meets the nesting.
  const deepAt = jsonTooDeepAt(text, MAX_JSON_DEPTH)
  if (deepAt >= 0) refuse(text, deepAt, `nested deeper than ${MAX_JSON_DEPTH} levels`, options)
  let problem: { offset: number, reason: string } | null
  let json: string
  try {
    // The common case, compact JSON as JSON.stringify writes it: nothing was dropped or rewritten.
    json = JSON.stringify(value)
    if (json === text) return { value, json: text }
    problem = treeProblem(text, parseTree(text, { mode: 'json', ranges: true }))
  } catch (err) {
    if (!(err instanceof RangeError)) throw err
    return refuse(text, 0, 'nested too deeply', options)
  }
  if (problem !== null) refuse(text, problem.offset, problem.reason, options)
  return { value, json }
}

/** Only JsonText.parse makes a JsonText: the constructor refuses to be called from anywhere else. */
const MAKE = Symbol('JsonText.parse')

/**
 * JSON text checked by parseExactJson, kept as text: appending it stores the same data without turning
 * it into objects and back. Immutable, and made only by `parse`, so what was checked is what is stored.
 */
export class JsonText {
  readonly #json: string

  private constructor (json: string, make: symbol) {
    if (make !== MAKE) throw new TypeError('a JsonText is made by JsonText.parse(text)')
    this.#json = json
  }

  /** Checks `text` as parseExactJson does (same errors) and keeps its JSON. */
  static parse (text: string, options: JsonTextOptions = {}): JsonText {
    return new JsonText(readExactJson(text, options).json, MAKE)
  }

  /** The JSON text of a JsonText made by `parse`; undefined for anything else (a look-alike included). */
  static textOf (value: unknown): string | undefined {
    return typeof value === 'object' && value !== null && #json in value ? (value as JsonText).#json : undefined
  }

  /** The JSON as it is stored: compact, as JSON.stringify writes the value. */
  get json (): string {
    return this.#json
  }

  /** The value (parsed anew on each call). */
  value (): JsonValue {
    return JSON.parse(this.#json)
  }
}
