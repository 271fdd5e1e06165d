// What both WebSocket transports hold to: Node's (websocket-stream.ts, over the ws package) and a page's
// (browser-websocket.ts, over the browser's WebSocket). A peer of either kind reads what the other sends.
import { MAX_MESSAGE_BYTES } from '../replication/session.js'

/** Gathered writes are sent as one frame up to this size (a single larger write is a frame of its own). */
export const FRAME_BYTES = 256 * 1024
/** While this much is queued in the WebSocket, writes wait (backpressure) instead of being acknowledged. */
export const QUEUED_BYTES = 1024 * 1024
/** The largest frame a peer may send: gathered writes plus one message of the largest size. */
export const MAX_FRAME_BYTES = FRAME_BYTES + MAX_MESSAGE_BYTES + 1024

/**
 * An empty binary frame ends the sender's side, as a TCP FIN does: a WebSocket has no half-close, and a
 * side that has said all it will may not cut off a peer still storing what it received, nor what the peer
 * still has to say. Encrypted messages are never empty. The socket closes once both sides sent one.
 */
export const END_OF_STREAM = new Uint8Array(0)

/**
 * A page's WebSocket reads whatever arrives, however slowly the page stores it: with nothing to stop a
 * server, a large sync would pile up in the page's memory. So a page tells the server how many bytes it has
 * read, in text frames (the decimal count; "0" on opening), and the server keeps at most this many bytes
 * sent beyond that count. Peers in Node need none of it: their sockets stop reading when they fall behind.
 */
export const READ_AHEAD_BYTES = 4 * 1024 * 1024
/** A page reports what it has read each time it has read this much more. */
export const READ_REPORT_BYTES = 256 * 1024
