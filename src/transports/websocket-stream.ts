// A WebSocket as a byte stream for replication. A Noise stream writes each protocol message on its own;
// sent as they come that would be one WebSocket frame (and one syscall) per message. Writes made within one
// turn of the event loop are gathered here and sent as one frame (setImmediate: a session writes one message
// per microtask tick or so, so merging per microtask merged nothing). The peer's Noise stream splits them up
// again by their length prefixes, so frame boundaries carry no meaning.
import { Duplex } from 'node:stream'
import { END_OF_STREAM, FRAME_BYTES, QUEUED_BYTES, READ_AHEAD_BYTES } from './websocket-limits.js'

/** What this needs of a WebSocket (the `ws` package's): named here so the typings do not need ws's. */
export interface MessageSocket {
  binaryType: string
  readonly readyState: number
  readonly OPEN: number
  readonly CONNECTING: number
  readonly bufferedAmount: number
  readonly isPaused: boolean
  on: (event: string, listener: (...args: any[]) => void) => unknown
  send: (data: Uint8Array, options: { binary: boolean }, callback: (err?: Error) => void) => void
  pause: () => void
  resume: () => void
  close: (code?: number) => void
  terminate: () => void
}


export interface WebSocketStreamOptions {
  /** Send every write as a frame of its own (what the merging is measured against). */
  framePerWrite?: boolean
}

export class WebSocketStream extends Duplex {
  private gathered: Buffer[] = []
  private gatheredBytes = 0
  private flushQueued = false
  /** A write's callback held back until the WebSocket has sent enough of what is queued. */
  private waiting: (() => void) | null = null
  /** Frames sent (for measurements). */
  frames = 0
  /** Bytes sent in frames, and how many of them a page said it has read (null: a peer that does not say). */
  private sent = 0
  private readByPeer: number | null = null
  /** The most bytes sent beyond what a page had read (for tests). */
  aheadPeak = 0
  /** This side sent its end of stream, and the peer its own. */
  private ended = false
  private peerEnded = false

  constructor (private readonly socket: MessageSocket, private readonly options: WebSocketStreamOptions = {}) {
    super()
    socket.binaryType = 'nodebuffer'
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) { this.peerRead(data.toString('latin1')); return }
      if (data.byteLength === 0) { this.peerEnded = true; this.push(null); this.closeOnceBothEnded(); return }
      if (!this.push(data)) socket.pause()
    })
    // Closed without an end of stream (or after both): the peer's last messages may still wait in the
    // buffer: end the readable side, and close once they are read (a reader still in its handshake learns
    // that way that the peer is gone).
    socket.on('close', () => {
      this.push(null)
      this.releaseWaiting()
      if (this.readableEnded) this.destroy()
      else this.once('end', () => this.destroy())
    })
    socket.on('error', (err) => this.destroy(err))
  }

  override _read (): void {
    if (this.socket.isPaused) this.socket.resume()
  }

  override _write (chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.socket.readyState !== this.socket.OPEN) { callback(new Error('the WebSocket is closed')); return }
    this.gathered.push(chunk)
    this.gatheredBytes += chunk.byteLength
    if (this.options.framePerWrite === true || this.gatheredBytes >= FRAME_BYTES) this.flush()
    else if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(() => this.flush())
    }
    if (this.mayWrite()) callback()
    else this.waiting = () => callback()
  }

  /** Whether another write may be taken: the socket's queue is short, and a page is not too far behind. */
  private mayWrite (): boolean {
    const ahead = this.readByPeer === null ? 0 : this.sent + this.gatheredBytes - this.readByPeer
    return this.socket.bufferedAmount + this.gatheredBytes < QUEUED_BYTES && ahead < READ_AHEAD_BYTES
  }

  /** A page said how many bytes it has read (websocket-limits.ts). */
  private peerRead (text: string): void {
    const count = /^[0-9]{1,15}$/.test(text) ? Number(text) : NaN
    if (!(count >= (this.readByPeer ?? 0) && count <= this.sent)) {
      this.destroy(new Error(`the peer sent a text frame that is no count of bytes read (${JSON.stringify(text.slice(0, 40))})`))
      return
    }
    this.readByPeer = count
    if (this.mayWrite()) this.releaseWaiting()
  }

  override _final (callback: (err?: Error | null) => void): void {
    this.flush()
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(END_OF_STREAM, { binary: true }, () => {})
    this.ended = true
    this.closeOnceBothEnded()
    callback()
  }

  private closeOnceBothEnded (): void {
    if (this.ended && this.peerEnded) this.socket.close(1000)
  }

  override _destroy (err: Error | null, callback: (err?: Error | null) => void): void {
    this.releaseWaiting()
    // Still open: the stream was cut off rather than ended (_final closes it politely). A closing handshake
    // could wait on a socket paused for backpressure; the peer sees the connection drop instead.
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.terminate()
    callback(err)
  }

  private flush (): void {
    this.flushQueued = false
    if (this.gatheredBytes === 0 || this.socket.readyState !== this.socket.OPEN) return
    const frame = this.gathered.length === 1 ? this.gathered[0] : Buffer.concat(this.gathered, this.gatheredBytes)
    this.gathered = []
    this.gatheredBytes = 0
    this.frames++
    this.sent += frame.byteLength
    if (this.readByPeer !== null) this.aheadPeak = Math.max(this.aheadPeak, this.sent - this.readByPeer)
    this.socket.send(frame, { binary: true }, () => {
      if (this.mayWrite()) this.releaseWaiting()
    })
  }

  private releaseWaiting (): void {
    const waiting = this.waiting
    this.waiting = null
    waiting?.()
  }
}
