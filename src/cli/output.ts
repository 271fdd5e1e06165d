// Printing for the command: stdout writes that respect backpressure and a closed pipe (EPIPE), and the
// one-line error format `logbook: CODE: message` on stderr.
import { innermostMessage, isIoFailure, LogbookError, type LogEntry } from '../index.js'
import { withHint } from './hints.js'

/** stdout was closed by the reader (`logbook log | head -1`): stop quietly. */
export class BrokenPipe extends Error {
  constructor () {
    super('stdout was closed')
    this.name = 'BrokenPipe'
  }
}

const BROKEN_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END', 'ECONNRESET'])

const FLUSH_AT = 64 * 1024

/** Buffered line output; every flush waits until the stream took the bytes (backpressure). */
export class Output {
  private parts: string[] = []
  private size = 0
  private broken = false
  private dropWhenBroken = false

  constructor (private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout) {
    // Without a listener an EPIPE 'error' event would crash the process with a stack trace.
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (BROKEN_CODES.has(err.code ?? '')) this.broken = true
    })
  }

  /**
   * For commands whose work is writing to the store: once the reader closes stdout, output is dropped
   * and the work goes on (`logbook append --lines | head -1` still appends every line).
   */
  keepWorkingWhenClosed (): void {
    this.dropWhenBroken = true
  }

  get isTTY (): boolean {
    return this.stream.isTTY === true
  }

  /** Queues one line of text; flushes when enough is queued. */
  async line (text: string): Promise<void> {
    this.parts.push(text, '\n')
    this.size += text.length + 1
    if (this.size >= FLUSH_AT) await this.flush()
  }

  /** Queues many lines at once (one await, not one per line: `append --lines` prints an id per entry). */
  async lines (texts: string[]): Promise<void> {
    for (let start = 0; start < texts.length; start += 1024) {
      const text = texts.slice(start, start + 1024).join('\n')
      this.parts.push(text, '\n')
      this.size += text.length + 1
      if (this.size >= FLUSH_AT) await this.flush()
    }
  }

  async json (value: unknown): Promise<void> {
    await this.line(JSON.stringify(value))
  }

  /** Writes bytes as they are (after any queued text). */
  async bytes (chunk: Uint8Array): Promise<void> {
    await this.flush()
    await this.raw(chunk)
  }

  async flush (): Promise<void> {
    if (this.size === 0) return
    const text = this.parts.join('')
    this.parts = []
    this.size = 0
    await this.raw(text)
  }

  private async raw (chunk: string | Uint8Array): Promise<void> {
    if (this.broken) {
      if (this.dropWhenBroken) return
      throw new BrokenPipe()
    }
    await new Promise<void>((resolve, reject) => {
      this.stream.write(chunk, (err?: Error | null) => {
        if (err === undefined || err === null) { resolve(); return }
        if (!BROKEN_CODES.has((err as NodeJS.ErrnoException).code ?? '')) { reject(new LogbookError('IO_ERROR', `cannot write the output: ${err.message}`, { cause: err })); return }
        // stdout is closed: stop the command quietly, or drop the output (keepWorkingWhenClosed).
        this.broken = true
        if (this.dropWhenBroken) resolve()
        else reject(new BrokenPipe())
      })
    })
  }
}

/** `n` things, in the singular for one: counted(1, 'entry', 'entries') is '1 entry'. */
export function counted (n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

/** One line: newlines inside a message (commander's suggestions) become spaces. */
function oneLine (text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim()
}

export function errorLine (code: string, message: string): string {
  return `logbook: ${code}: ${oneLine(message)}`
}

const debug = (): boolean => process.env.LOGBOOK_DEBUG === '1' || process.env.LOGBOOK_DEBUG === 'true'

/** Prints an error as one stderr line (plus the stack with LOGBOOK_DEBUG=1). */
export function printError (err: unknown): void {
  let line: string
  if (err instanceof LogbookError) {
    line = errorLine(err.code, withHint(err.code, err.message))
  } else if (isIoFailure(err)) {
    line = errorLine('IO_ERROR', innermostMessage(err))
  } else {
    const message = err instanceof Error ? err.message : String(err)
    line = errorLine('INTERNAL', debug() ? message : `${message} (set LOGBOOK_DEBUG=1 for details)`)
  }
  try {
    process.stderr.write(line + '\n')
    if (debug() && err instanceof Error && err.stack !== undefined) {
      process.stderr.write(err.stack + '\n')
      if (err.cause instanceof Error && err.cause.stack !== undefined) process.stderr.write(`cause: ${err.cause.stack}\n`)
    }
  } catch {
    // stderr is gone as well: nothing left to tell.
  }
}

/** A LogEntry as JSON: binary payloads as {"base64": "..."}. */
export function entryToJson (entry: LogEntry): Record<string, unknown> {
  if (entry.kind !== 'binary') return { ...entry }
  const bytes = entry.payload as Uint8Array
  return { ...entry, payload: { base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') } }
}

/** A payload for humans: compact JSON, or `<N bytes>` for binary payloads. */
export function payloadText (entry: LogEntry): string {
  if (entry.kind === 'binary') return `<${(entry.payload as Uint8Array).byteLength} bytes>`
  return JSON.stringify(entry.payload)
}

/**
 * A timestamp (ms since 1970) as ISO 8601 UTC. An author may claim any time up to 2^53 - 1 ms, beyond what a
 * date can show: such a time is shown as its number.
 */
export function isoTime (ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString()
}

/** `localSeq author[0..8] seq id[0..12] time payload` */
export function entryLine (entry: LogEntry): string {
  return `${entry.localSeq} ${entry.author.slice(0, 8)} ${entry.seq} ${entry.id.slice(0, 12)} ${isoTime(entry.timestamp)} ${payloadText(entry)}`
}

/**
 * A key as `kv list` and `types` print it: as it is, unless it would break the line format (empty, white space,
 * control characters, a lone surrogate, or a leading quote), then as a JSON string.
 */
export function keyText (key: string): string {
  return key === '' || /[\s\p{Cc}]/u.test(key) || /\p{Cs}/u.test(key) || key.startsWith('"') ? JSON.stringify(key) : key
}
