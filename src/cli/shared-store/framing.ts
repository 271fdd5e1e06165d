// Newline-delimited JSON over a socket: one message a line (JSON.stringify never writes a raw newline).
// A line past MAX_LINE_BYTES, or one that is not a message the guard accepts, ends the connection.
import type { Socket } from 'node:net'

/** The longest line read: one log entry or import chunk is at most a few MiB of JSON. */
const MAX_LINE_BYTES = 64 * 1024 * 1024

export interface LineHandlers<In> {
  message: (message: In) => void
  /** The connection ended (`err` when it failed, or when the other side broke the protocol). */
  end: (err?: Error) => void
}

export class LineSocket<In, Out> {
  private parts: string[] = []
  private size = 0
  private ended = false

  constructor (readonly socket: Socket, private readonly guard: (value: unknown) => value is In, public handlers: LineHandlers<In>) {
    socket.setEncoding('utf8')
    socket.on('data', (text: string) => this.read(text))
    socket.on('error', (err) => this.finish(err))
    socket.on('close', () => this.finish())
  }

  /** Sends a message; false once the connection is gone (the message is dropped). */
  send (message: Out): boolean {
    if (this.ended || this.socket.destroyed) return false
    this.socket.write(JSON.stringify(message) + '\n')
    return true
  }

  /** Ends the connection after what was sent. */
  close (): void {
    this.socket.end()
  }

  private read (text: string): void {
    let start = 0
    for (let end = text.indexOf('\n'); end >= 0 && !this.ended; end = text.indexOf('\n', start)) {
      this.parts.push(text.slice(start, end))
      start = end + 1
      const line = this.parts.join('')
      this.parts = []
      this.size = 0
      this.deliver(line)
    }
    if (start < text.length && !this.ended) {
      this.parts.push(text.slice(start))
      this.size += text.length - start
      if (this.size > MAX_LINE_BYTES) this.fail(new Error('a message is too long'))
    }
  }

  private deliver (line: string): void {
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      this.fail(new Error('a message is not JSON'))
      return
    }
    if (!this.guard(value)) {
      this.fail(new Error(`an unexpected message (${JSON.stringify(line.slice(0, 80))})`))
      return
    }
    this.handlers.message(value)
  }

  private fail (err: Error): void {
    this.finish(err)
    this.socket.destroy()
  }

  private finish (err?: Error): void {
    if (this.ended) return
    this.ended = true
    this.handlers.end(err)
  }
}
