// The holder's side: while a command holds its store (LevelDB allows one process), it listens on the
// store's socket and answers other commands' calls on the same open Logbook, so they work as if they had
// opened the store themselves. Only the user's own processes can connect (the socket is 0600, in the
// store directory, or in a 0700 directory of the user's).
import { chmod, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { DEFAULT_VIEWS, LogbookError, type Logbook } from '../../index.js'
import { LineSocket } from './framing.js'
import { fromWire, fromWireError, isClientMessage, PROTOCOL, toWire, toWireError, type ClientMessage, type HostMessage, type StreamMethod } from './messages.js'
import { socketPath } from './socket-path.js'

/** Items per batch of a stream, and the JSON size at which a batch is sent early. */
const BATCH_ITEMS = 512
const BATCH_CHARS = 1024 * 1024

export interface Host {
  /**
   * Takes no new commands (they wait for the store to be free), waits for those it serves to finish, and
   * stops listening. The wait has no limit: cutting a long import short would fail it halfway.
   */
  close: () => Promise<void>
}

/** Whether something answers on `path` (a holder), rather than a socket file a crashed one left. */
async function answers (path: string): Promise<boolean> {
  return await new Promise((resolve) => {
    const probe = createConnection(path)
    probe.once('connect', () => { probe.destroy(); resolve(true) })
    probe.once('error', () => resolve(false))
  })
}

async function listen (server: Server, path: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => { server.off('error', reject); resolve() })
  })
}

/**
 * Listens on the socket of the store in `dir` for `book`, which this process holds; `command` names this
 * process to the commands it serves. Null when it cannot listen (a read-only directory, say): the store
 * then works as before, for this process only.
 */
export async function hostStore (book: Logbook, dir: string, command: string): Promise<Host | null> {
  const path = await socketPath(dir)
  if (path === null) return null
  const connections = new Set<HostConnection>()
  let closing = false
  const server = createServer((socket) => {
    const connection = new HostConnection(socket, book, command, () => closing, () => connections.delete(connection))
    connections.add(connection)
  })
  try {
    await listen(server, path)
  } catch (err) {
    // A socket file is there. This process holds the store, so no holder can be listening on it: it was
    // left by one that crashed. (Should something answer all the same, it is left alone.)
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || process.platform === 'win32' || await answers(path)) return null
    try {
      await unlink(path)
      await listen(server, path)
    } catch {
      return null
    }
  }
  if (process.platform !== 'win32') await chmod(path, 0o600).catch(() => {})
  // The listener alone must not keep a finished command running.
  server.unref()
  return {
    close: async () => {
      closing = true
      // Still listening meanwhile, so that a command that comes now hears `closing` and waits for the store.
      while (connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 20))
      // Closing the server removes the socket file.
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

/** The input of an import from elsewhere: each chunk asked for as the import reads, one ahead. */
class RemoteInput {
  private arrived: Array<Uint8Array | null | Error> = []
  private wake: (() => void) | null = null
  private asked = false

  constructor (private readonly ask: () => void) {}

  take (message: Extract<ClientMessage, { type: 'chunk' }>): void {
    this.asked = false
    this.arrived.push(message.error !== undefined ? fromWireError(message.error) : message.end === true ? null : new Uint8Array(Buffer.from(message.data ?? '', 'base64')))
    this.wake?.()
  }

  /** The command is gone: the import sees its input end in a failure. */
  fail (err: Error): void {
    this.arrived.push(err)
    this.wake?.()
  }

  async * chunks (): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.arrived.length === 0 && !this.asked) this.request()
      while (this.arrived.length === 0) await new Promise<void>((resolve) => { this.wake = resolve })
      this.wake = null
      const next = this.arrived.shift() as Uint8Array | null | Error
      if (next === null) return
      if (next instanceof Error) throw next
      if (this.arrived.length === 0) this.request()
      yield next
    }
  }

  private request (): void {
    this.asked = true
    this.ask()
  }
}

/** One command's connection: its calls run on the holder's Logbook, each answered by id. */
class HostConnection {
  private readonly channel: LineSocket<ClientMessage, HostMessage>
  private readonly running = new Map<number, AbortController>()
  private readonly streams = new Map<number, AsyncIterator<unknown>>()
  private readonly inputs = new Map<number, RemoteInput>()

  constructor (socket: Socket, private readonly book: Logbook, private readonly command: string, private readonly closing: () => boolean, private readonly gone: () => void) {
    this.channel = new LineSocket(socket, isClientMessage, { message: (message) => this.receive(message), end: () => this.end() })
  }

  private send (message: HostMessage): void {
    this.channel.send(message)
  }

  private receive (message: ClientMessage): void {
    switch (message.type) {
      case 'hello':
        if (this.closing()) {
          this.send({ type: 'closing', pid: process.pid, command: this.command })
          this.channel.close()
        } else {
          this.send({ type: 'welcome', protocol: PROTOCOL, pid: process.pid, command: this.command })
        }
        return
      case 'call':
        if (message.method === 'log' || message.method === 'export') void this.openStream(message.id, message.method, message.args.map(fromWire))
        else void this.answer(message.id, message.method, message.args.map(fromWire))
        return
      case 'pull':
        void this.sendBatch(message.id)
        return
      case 'chunk':
        this.inputs.get(message.id)?.take(message)
        return
      case 'cancel':
        this.running.get(message.id)?.abort(new Error('stopped by the command'))
        void this.streams.get(message.id)?.return?.()
        this.streams.delete(message.id)
    }
  }

  /** The command is gone: what it started stops (an import after the segment in hand). */
  private end (): void {
    for (const controller of this.running.values()) controller.abort(new Error('the command is gone'))
    for (const input of this.inputs.values()) input.fail(new LogbookError('ABORTED', 'the command that sent the input is gone'))
    for (const stream of this.streams.values()) void stream.return?.()
    this.streams.clear()
    this.gone()
  }

  private async answer (id: number, method: string, args: unknown[]): Promise<void> {
    const controller = new AbortController()
    this.running.set(id, controller)
    try {
      const value = await this.run(id, method, args, controller.signal)
      this.send({ type: 'result', id, value: toWire(value) })
    } catch (err) {
      this.send({ type: 'error', id, error: toWireError(err) })
    } finally {
      this.running.delete(id)
      this.inputs.delete(id)
    }
  }

  /** A built-in view, registered on the holder's Logbook the first time a command asks for it. */
  private builtinView (name: unknown): string {
    const make = typeof name === 'string' ? DEFAULT_VIEWS.get(name) : undefined
    if (make === undefined) throw new LogbookError('NOT_FOUND', `no view named ${JSON.stringify(name)}; the command knows ${[...DEFAULT_VIEWS.keys()].join(', ')}`)
    if (!this.book.hasView(name as string)) this.book.use(name as string, make())
    return name as string
  }

  private progress (id: number): (value: unknown) => void {
    return (value) => this.send({ type: 'event', id, name: 'progress', value })
  }

  private async run (id: number, method: string, args: unknown[], signal: AbortSignal): Promise<unknown> {
    const book = this.book
    const text = (at: number): string => String(args[at])
    const options = <T>(at: number): T => (typeof args[at] === 'object' && args[at] !== null ? args[at] : {}) as T
    switch (method) {
      case 'resolveId': return await book.resolveId(text(0))
      case 'resolveAuthor': return await book.resolveAuthor(text(0))
      case 'get': return await book.get(text(0))
      case 'append': return await book.append(args[0] as never[], { ...options<object>(1), signal })
      case 'status': return book.status()
      case 'pending': return await book.pending()
      case 'heads': return book.heads()
      case 'feedHeads': return book.feedHeads()
      case 'forks': return await book.forks()
      case 'verify': return await book.verify()
      case 'viewStatuses': return await book.viewStatuses()
      case 'checkView': return await book.checkView(this.builtinView(args[0]), options(1))
      case 'rebuild': return await book.rebuild(this.builtinView(args[0]), { onProgress: this.progress(id) })
      case 'viewReady': {
        const view = book.view(this.builtinView(args[0]))
        const onProgress = this.progress(id)
        view.on('progress', onProgress)
        try {
          return await view.ready()
        } finally {
          view.off('progress', onProgress)
        }
      }
      case 'viewCall': {
        const api = book.view(this.builtinView(args[0])).api as Record<string, unknown>
        const name = text(1)
        const fn = Object.hasOwn(api, name) ? api[name] : undefined
        if (typeof fn !== 'function') throw new LogbookError('INVALID_ARGUMENT', `view ${text(0)} has no method ${JSON.stringify(name)}`)
        return await (fn as (...given: unknown[]) => Promise<unknown>).apply(api, Array.isArray(args[2]) ? args[2] : [])
      }
      case 'import': {
        const input = new RemoteInput(() => this.send({ type: 'pull', id }))
        this.inputs.set(id, input)
        return await book.import(input.chunks(), { ...options<object>(0), onProgress: this.progress(id), signal })
      }
    }
    throw new LogbookError('INVALID_ARGUMENT', `no method ${method}`)
  }

  private async openStream (id: number, method: StreamMethod, args: unknown[]): Promise<void> {
    try {
      const given = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as Record<string, unknown>
      const stream = method === 'log'
        ? this.book.log(given)
        : this.book.export({ ...given, onCursor: (cursor) => this.send({ type: 'event', id, name: 'cursor', value: cursor }) })
      this.streams.set(id, stream[Symbol.asyncIterator]())
    } catch (err) {
      this.send({ type: 'error', id, error: toWireError(err) })
      return
    }
    await this.sendBatch(id)
  }

  /** The next batch of stream `id`, sent when the command asks for it: the command's pace is the stream's. */
  private async sendBatch (id: number): Promise<void> {
    const stream = this.streams.get(id)
    if (stream === undefined) return
    const items: unknown[] = []
    let chars = 0
    let done = false
    try {
      while (items.length < BATCH_ITEMS && chars < BATCH_CHARS) {
        const next = await stream.next()
        if (next.done === true) {
          done = true
          break
        }
        const item = toWire(next.value)
        items.push(item)
        chars += next.value instanceof Uint8Array ? next.value.byteLength * 4 / 3 : JSON.stringify(item).length
      }
    } catch (err) {
      this.streams.delete(id)
      this.send({ type: 'error', id, error: toWireError(err) })
      return
    }
    if (done) this.streams.delete(id)
    this.send({ type: 'items', id, items, done })
  }
}
