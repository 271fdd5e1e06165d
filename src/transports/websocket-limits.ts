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
