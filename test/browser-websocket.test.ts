// Replication over a page's own WebSocket (src/transports/browser-websocket.ts). The transport conformance
// suite (transports.test.ts) runs it against listen(); here: its backpressure and framing on a socket whose
// queue the test controls, the failures of connecting (the same codes as Node's), and that it and what it
// imports bundle for a browser without Node built-ins.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { WebSocketServer } from 'ws'
import { Logbook, LogbookError } from '../src/index.js'
import { connectWebSocket, PageWebSocketStream, type PageWebSocket } from '../src/transports/browser-websocket.js'
import { FRAME_BYTES, MAX_FRAME_BYTES, QUEUED_BYTES, READ_AHEAD_BYTES, READ_REPORT_BYTES } from '../src/transports/websocket-limits.js'
import { WebSocketStream } from '../src/transports/websocket-stream.js'
import { connectWebSocket as connectNodeWebSocket } from '../src/transports/websocket.js'
import { identity, memoryBook, slowLevel, snapshot, SPACE_KEY } from './helpers/fixtures.js'
import { NodeWebSocketForPages } from './helpers/transport-cases.js'

const TIMEOUT = 20_000

/** A WebSocket that records what is sent, with a send queue the test sets. */
class FakeSocket implements PageWebSocket {
  binaryType = 'blob'
  readyState = 1
  bufferedAmount = 0
  readonly frames: Uint8Array[] = []
  private readonly listeners = new Map<string, Array<(event: any) => void>>()

  /** Like a socket that cannot hand anything to the network until the test says so, its queue grows. */
  send (data: Uint8Array | string): void {
    // Text frames are the reports of bytes read; the binary ones carry the stream.
    if (typeof data === 'string') { this.texts.push(data); return }
    this.frames.push(data.slice())
    this.bufferedAmount += data.byteLength
  }

  readonly texts: string[] = []

  close (): void {
    if (this.readyState === 3) return
    this.readyState = 3
    for (const listener of this.listeners.get('close') ?? []) listener({ code: 1000 })
  }

  addEventListener (type: string, listener: (event: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }

  removeEventListener (type: string, listener: (event: any) => void): void {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((l) => l !== listener))
  }

  emit (type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }

  get sentBytes (): number {
    return this.frames.reduce((sum, frame) => sum + frame.byteLength, 0)
  }
}

/** Resolves once `condition` holds, checking after each turn of the event loop; fails after a while. */
async function until (condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + TIMEOUT
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function chunk (length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill)
}

async function codeOf (promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'resolved'
  } catch (err) {
    return err instanceof LogbookError ? `${err.code}: ${err.message}` : `not a LogbookError: ${String(err)}`
  }
}

describe('a page\'s WebSocket as a byte stream', () => {
  test('writes of one turn go out as one frame, and what arrives is read as bytes', async () => {
    const socket = new FakeSocket()
    const stream = new PageWebSocketStream(socket)
    assert.equal(socket.binaryType, 'arraybuffer')
    const written = [chunk(100, 1), chunk(200, 2), chunk(300, 3)]
    for (const part of written) stream.write(part)
    await until(() => socket.sentBytes === 600, 'all 600 bytes sent')
    assert.equal(socket.frames.length, 1)
    assert.deepEqual(Array.from(socket.frames[0]), written.flatMap((part) => Array.from(part)))

    const received: Uint8Array[] = []
    stream.on('data', (data) => received.push(data as Uint8Array))
    socket.emit('message', { data: new Uint8Array([7, 8, 9]).buffer })
    await until(() => received.length === 1, 'the message read')
    assert.deepEqual(Array.from(received[0]), [7, 8, 9])
    stream.destroy()
  })

  test('writes wait while the socket has a full queue, and frames stay within what a peer accepts', async () => {
    const socket = new FakeSocket()
    const stream = new PageWebSocketStream(socket)
    const parts = Array.from({ length: 40 }, (_, i) => chunk(100_000, i))
    const total = 40 * 100_000
    let drained = false
    stream.on('drain', () => { drained = true })
    for (const part of parts) stream.write(part)
    // The socket takes frames until its queue is full; the rest waits, however many turns go by.
    await until(() => socket.bufferedAmount >= QUEUED_BYTES, 'a full queue')
    for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.ok(socket.sentBytes < QUEUED_BYTES + MAX_FRAME_BYTES, `${socket.sentBytes} bytes handed to a socket with a full queue`)
    assert.equal(drained, false)
    // The network takes what is queued, a bit at a time: everything goes, in order.
    while (socket.sentBytes < total) {
      socket.bufferedAmount = 0
      await until(() => socket.bufferedAmount > 0 || socket.sentBytes === total, 'more frames once the queue emptied')
    }
    await until(() => drained, 'the stream drained')
    assert.ok(socket.frames.every((frame) => frame.byteLength <= MAX_FRAME_BYTES), 'a frame larger than a peer accepts')
    assert.ok(socket.frames.some((frame) => frame.byteLength >= FRAME_BYTES), 'writes were never gathered into a full frame')
    const all = new Uint8Array(socket.sentBytes)
    let at = 0
    for (const frame of socket.frames) { all.set(frame, at); at += frame.byteLength }
    parts.forEach((part, i) => {
      assert.equal(all[i * 100_000], part[0])
      assert.equal(all[i * 100_000 + 99_999], part[0])
    })
    stream.destroy()
  })

  test('a text frame ends the stream with an error', async () => {
    const socket = new FakeSocket()
    const stream = new PageWebSocketStream(socket)
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve))
    socket.emit('message', { data: 'hello' })
    assert.match((await failed).message, /text frame/)
  })

  test('the socket closing ends the readable side after what arrived', async () => {
    const socket = new FakeSocket()
    const stream = new PageWebSocketStream(socket)
    const received: number[] = []
    stream.on('data', (data) => received.push(...(data as Uint8Array)))
    const ended = new Promise<void>((resolve) => stream.once('end', resolve))
    const closed = new Promise<void>((resolve) => stream.once('close', resolve))
    socket.emit('message', { data: new Uint8Array([1, 2]).buffer })
    socket.close()
    await ended
    await closed
    assert.deepEqual(received, [1, 2])
  })
})

async function listenOn (server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

describe('connecting from a page', { timeout: 60_000 }, () => {
  test('nobody listening: CONNECTION_FAILED naming the address', async () => {
    const probe = createServer()
    const port = await listenOn(probe)
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const book = await memoryBook({ identity: identity(1) })
    try {
      const result = await codeOf(connectWebSocket(book, `ws://127.0.0.1:${port}`, { WebSocket: NodeWebSocketForPages }))
      assert.match(result, new RegExp(`^CONNECTION_FAILED: cannot connect to ws://127\\.0\\.0\\.1:${port}/: .*ECONNREFUSED`))
    } finally {
      await book.close()
    }
  })

  test('a server that never answers: CONNECTION_FAILED after the connect timeout, and an abort rejects with its reason', async () => {
    const silent = new Set<Socket>()
    const server = createServer((socket) => { silent.add(socket); socket.on('error', () => {}) })
    const port = await listenOn(server)
    const book = await memoryBook({ identity: identity(1) })
    try {
      const result = await codeOf(connectWebSocket(book, `ws://127.0.0.1:${port}`, { WebSocket: NodeWebSocketForPages, connectTimeout: 300 }))
      assert.match(result, /^CONNECTION_FAILED: cannot connect to .*: no answer within 0\.3 s$/)

      const controller = new AbortController()
      const attempt = connectWebSocket(book, `ws://127.0.0.1:${port}`, { WebSocket: NodeWebSocketForPages, signal: controller.signal })
      await until(() => silent.size === 2, 'the second connection arrived')
      controller.abort(new Error('stopped by the page'))
      await assert.rejects(attempt, /stopped by the page/)
    } finally {
      for (const socket of silent) socket.destroy()
      server.close()
      await book.close()
    }
  })

  test('an address that is not a WebSocket, or no WebSocket to connect with: INVALID_ARGUMENT', async () => {
    const book = await memoryBook({ identity: identity(1) })
    try {
      assert.match(await codeOf(connectWebSocket(book, 'tcp://127.0.0.1:9', { WebSocket: NodeWebSocketForPages })), /^INVALID_ARGUMENT: .*ws:\/\/ or wss:\/\//)
      assert.match(await codeOf(connectWebSocket(book, 'not a url', { WebSocket: NodeWebSocketForPages })), /^INVALID_ARGUMENT: /)
      // Node's connectWebSocket checks the address the same way, before any socket or timer exists.
      assert.match(await codeOf(connectNodeWebSocket(book, 'tcp://127.0.0.1:9')), /^INVALID_ARGUMENT: .*ws:\/\/ or wss:\/\//)
      assert.match(await codeOf(connectNodeWebSocket(book, 'not a url')), /^INVALID_ARGUMENT: /)
      const saved = (globalThis as { WebSocket?: unknown }).WebSocket
      try {
        (globalThis as { WebSocket?: unknown }).WebSocket = undefined
        assert.match(await codeOf(connectWebSocket(book, 'ws://127.0.0.1:9')), /^INVALID_ARGUMENT: there is no WebSocket here/)
      } finally {
        (globalThis as { WebSocket?: unknown }).WebSocket = saved
      }
    } finally {
      await book.close()
    }
  })
})

describe('a page that stores slowly', { timeout: 120_000 }, () => {
  test('the server sends at most READ_AHEAD_BYTES beyond what the page says it has read, and the sync completes', async () => {
    const server = await memoryBook({ identity: identity(1) })
    const page = await Logbook.create({ db: slowLevel(10), spaceKey: SPACE_KEY, identity: identity(2) })
    // 2,400 entries of ~4 KB: about 10 MB, well beyond the read-ahead, in segments of 40.
    const payload = 'x'.repeat(4000)
    for (let i = 0; i < 60; i++) await server.append(Array.from({ length: 40 }, (_, j) => ({ n: i * 40 + j, payload })))
    const gate = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await new Promise<void>((resolve) => gate.once('listening', () => resolve()))
    let served: WebSocketStream | null = null
    gate.on('connection', (socket) => {
      served = new WebSocketStream(socket as any)
      server.replicate(false, { stream: served })
    })
    try {
      const stream = await connectWebSocket(page, `ws://127.0.0.1:${(gate.address() as AddressInfo).port}`, { WebSocket: NodeWebSocketForPages })
      await stream.session.done
      assert.equal(page.status().entries, 2400)
      assert.deepEqual(await snapshot(page), await snapshot(server))
      const ahead = (served as WebSocketStream | null)?.aheadPeak ?? 0
      // The page reported what it read (else nothing would count as ahead), and the server held back.
      assert.ok(ahead > READ_REPORT_BYTES, `the page said what it read: ${ahead}`)
      assert.ok(ahead <= READ_AHEAD_BYTES + MAX_FRAME_BYTES, `at most the read-ahead and one frame beyond what the page read: ${ahead}`)
    } finally {
      gate.close()
      await page.close(); await server.close()
    }
  })
})

describe('the page transport in a browser bundle', () => {
  test('it and what it imports, besides the replication session, use no Node built-in', async () => {
    const entry = fileURLToPath(new URL('../src/transports/browser-websocket.js', import.meta.url))
    // The replication session is the lead's seam (its platform imports are swapped by the browser build).
    const sessionOutside: Plugin = {
      name: 'session-outside',
      setup (bundle) {
        bundle.onResolve({ filter: /\/replication\/|\/logbook\.js$/ }, (args) => ({ path: args.path, external: true }))
      }
    }
    const result = await build({ entryPoints: [entry], bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'silent', metafile: true, plugins: [sessionOutside] })
    const inputs = Object.keys(result.metafile.inputs)
    assert.ok(inputs.some((input) => input.includes('streamx')), `streamx is not in the bundle: ${inputs.join(', ')}`)
    assert.ok(inputs.every((input) => !input.startsWith('node:')), `Node built-ins in the bundle: ${inputs.join(', ')}`)
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((imported) => imported.path))
    assert.deepEqual(imports.filter((path) => !path.includes('/replication/')), [])
  })
})
