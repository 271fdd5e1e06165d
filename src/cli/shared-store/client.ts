// The command's side: a BookApi whose every call goes over the store's socket to the process that holds
// the store. Streams (log, export) arrive a batch at a time, one batch ahead of what the command has
// written; an import's input goes over a chunk at a time, as the holder asks for it. Errors come back
// with their code and message, so the command prints what it would print with the store open itself.
import { EventEmitter } from 'node:events'
import { createConnection } from 'node:net'
import {
  DEFAULT_VIEWS, LogbookError, type AppendOptions, type CheckOptions, type ExportOptions, type ForkReport, type ImportOptions,
  type ImportSummary, type LogEntry, type Payload, type PendingReport, type StatusReport, type ViewCheckReport,
  type ViewDefinition, type ViewProgress, type ViewStatus
} from '../../index.js'
import type { BookApi, BookView, FeedHead, LogOptions } from './book-api.js'
import { LineSocket } from './framing.js'
import {
  fromWire, fromWireError, isHostMessage, PROTOCOL, toWire, toWireError, type CallMethod, type ClientMessage, type HostMessage, type StreamMethod
} from './messages.js'
import { socketPath } from './socket-path.js'

/** The process that holds a store, as it names itself. */
export interface Holder { pid: number, command: string }

/** How long a holder has to answer a new connection (it answers between two steps of its own work). */
const WELCOME_MS = 10_000

/** `command` (pid N), for messages. */
export function holderName (holder: Holder): string {
  return `\`${holder.command}\` (pid ${holder.pid})`
}

/** What a call listens for besides its result: callbacks' events, and the holder asking for input. */
interface CallHooks {
  onEvent?: (name: 'progress' | 'cursor', value: unknown) => void
  onPull?: (id: number) => void
  signal?: AbortSignal
}

interface Waiting {
  message: (message: HostMessage) => void
  lost: (err: Error) => void
}

export type Reached = { kind: 'open', book: RemoteBook } | { kind: 'closing', holder: Holder }

/**
 * Connects to the holder of the store in `dir`. Null when no holder answers (none listens, or the socket
 * is a crashed one's); `closing` when the holder is finishing and the store is about to be free.
 */
export async function reachHolder (dir: string, options: { sync: boolean }): Promise<Reached | null> {
  const path = await socketPath(dir)
  if (path === null) return null
  const socket = createConnection(path)
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { socket.destroy(); resolve(null) }, WELCOME_MS)
    const settle = (reached: Reached | null): void => { clearTimeout(timer); resolve(reached) }
    const channel = new LineSocket<HostMessage, ClientMessage>(socket, isHostMessage, {
      message: (message) => {
        if (message.type === 'closing') {
          socket.destroy()
          settle({ kind: 'closing', holder: message })
        } else if (message.type === 'welcome') {
          const holder = { pid: message.pid, command: message.command }
          if (message.protocol !== PROTOCOL) {
            socket.destroy()
            clearTimeout(timer)
            reject(new LogbookError('LOGBOOK_NOT_OPEN', `the store is in use by ${holderName(holder)}, a logbook of another version; try again when it has finished`))
            return
          }
          settle({ kind: 'open', book: new RemoteBook(channel, holder, options.sync) })
        }
      },
      end: () => settle(null)
    })
    socket.once('connect', () => channel.send({ type: 'hello', protocol: PROTOCOL }))
  })
}

/** A view of the holder's, by name: its api's calls and its catch-up go over the socket. */
class RemoteView<Api> extends EventEmitter implements BookView<Api> {
  readonly api: Api

  constructor (private readonly book: RemoteBook, readonly name: string) {
    super()
    // Any method name is sent; the holder refuses one the view does not have. Not thenable: the api is
    // returned from async functions.
    this.api = new Proxy({}, {
      get: (_target, method) => typeof method !== 'string' || method === 'then'
        ? undefined
        : async (...args: unknown[]) => await book.call('viewCall', [name, method, args])
    }) as Api
  }

  async ready (): Promise<void> {
    await this.book.call('viewReady', [this.name], { onEvent: (_name, value) => this.emit('progress', value) })
  }
}

export class RemoteBook implements BookApi {
  private nextId = 1
  private readonly waiting = new Map<number, Waiting>()
  private readonly usedViews = new Set<string>()
  private readonly views = new Map<string, RemoteView<any>>()
  private lostWith: Error | null = null

  constructor (private readonly channel: LineSocket<HostMessage, ClientMessage>, readonly holder: Holder, private readonly sync: boolean) {
    // The handlers the connection was made with now hand everything to this book.
    channel.handlers = {
      message: (message) => { if ('id' in message) this.waiting.get(message.id)?.message(message) },
      end: (err) => this.lose(err)
    }
  }

  private lose (err: Error | undefined): void {
    this.lostWith = new LogbookError('LOGBOOK_NOT_OPEN', `lost the connection to ${holderName(this.holder)}, which holds the store${err === undefined ? '' : ` (${err.message})`}; try again`)
    for (const waiting of [...this.waiting.values()]) waiting.lost(this.lostWith)
  }

  private send (message: ClientMessage): void {
    this.channel.send(message)
  }

  private register (id: number, waiting: Waiting): void {
    if (this.lostWith !== null) {
      waiting.lost(this.lostWith)
      return
    }
    this.waiting.set(id, waiting)
  }

  /** One call answered by one result; `hooks` get its events and the holder's requests for input. */
  async call<T = unknown> (method: CallMethod, args: unknown[], hooks: CallHooks = {}): Promise<T> {
    const id = this.nextId++
    const { signal } = hooks
    const cancel = (): void => this.send({ type: 'cancel', id })
    return await new Promise<T>((resolve, reject) => {
      const done = (): void => {
        this.waiting.delete(id)
        signal?.removeEventListener('abort', cancel)
      }
      this.register(id, {
        message: (message) => {
          if (message.type === 'result') { done(); resolve(fromWire(message.value) as T) }
          if (message.type === 'error') { done(); reject(fromWireError(message.error)) }
          if (message.type === 'event') hooks.onEvent?.(message.name, fromWire(message.value))
          if (message.type === 'pull') hooks.onPull?.(id)
        },
        lost: (err) => { done(); reject(err) }
      })
      this.send({ type: 'call', id, method, args: args.map(toWire) })
      signal?.addEventListener('abort', cancel, { once: true })
      if (signal?.aborted === true) cancel()
    })
  }

  /** A stream's items, asked for a batch ahead; leaving early closes it at the holder. */
  private async * stream (method: StreamMethod, options: object, onCursor?: (cursor: string) => void): AsyncGenerator<unknown> {
    const id = this.nextId++
    const arrived: Array<{ items: unknown[], done: boolean } | Error> = []
    let wake: (() => void) | null = null
    const arrive = (batch: { items: unknown[], done: boolean } | Error): void => {
      arrived.push(batch)
      wake?.()
    }
    this.register(id, {
      message: (message) => {
        if (message.type === 'items') arrive(message)
        if (message.type === 'error') arrive(fromWireError(message.error))
        if (message.type === 'event' && message.name === 'cursor') onCursor?.(String(message.value))
      },
      lost: arrive
    })
    this.send({ type: 'call', id, method, args: [toWire(options)] })
    let ended = false
    try {
      for (;;) {
        while (arrived.length === 0) await new Promise<void>((resolve) => { wake = resolve })
        wake = null
        const batch = arrived.shift() as { items: unknown[], done: boolean } | Error
        if (batch instanceof Error) {
          ended = true
          throw batch
        }
        if (!batch.done) this.send({ type: 'pull', id })
        for (const item of batch.items) yield fromWire(item)
        if (batch.done) {
          ended = true
          return
        }
      }
    } finally {
      this.waiting.delete(id)
      if (!ended) this.send({ type: 'cancel', id })
    }
  }

  async resolveId (prefix: string): Promise<string> {
    return await this.call('resolveId', [prefix])
  }

  async resolveAuthor (prefix: string): Promise<string> {
    return await this.call('resolveAuthor', [prefix])
  }

  async get (id: string): Promise<LogEntry | undefined> {
    return await this.call('get', [id])
  }

  async append (payloads: Payload[], options: AppendOptions = {}): Promise<string[]> {
    const { signal, ...rest } = options
    return await this.call('append', [payloads, { ...rest, sync: rest.sync ?? this.sync }], { signal })
  }

  log (options: LogOptions = {}): AsyncIterable<LogEntry> {
    return this.stream('log', options) as AsyncIterable<LogEntry>
  }

  export (options: ExportOptions = {}): AsyncIterable<Uint8Array> {
    const { onCursor, ...rest } = options
    return this.stream('export', rest, onCursor) as AsyncIterable<Uint8Array>
  }

  /** The input is read here, a chunk each time the holder asks, so it reads at the import's pace. */
  async import (source: AsyncIterable<Uint8Array>, options: ImportOptions = {}): Promise<ImportSummary> {
    const input = source[Symbol.asyncIterator]()
    let reading = Promise.resolve()
    const sendNext = async (id: number): Promise<void> => {
      try {
        const next = await input.next()
        this.send(next.done === true ? { type: 'chunk', id, end: true } : { type: 'chunk', id, data: Buffer.from(next.value).toString('base64') })
      } catch (err) {
        this.send({ type: 'chunk', id, error: toWireError(err) })
      }
    }
    const onPull = (id: number): void => { reading = reading.then(async () => await sendNext(id)) }
    try {
      return await this.call<ImportSummary>('import', [{ sync: options.sync ?? this.sync }], {
        signal: options.signal,
        onPull,
        onEvent: (_name, value) => options.onProgress?.(value as { bytes: number, entries: number })
      })
    } finally {
      // A read still waiting (a pipe that sends nothing more) is abandoned, as a direct import does.
      void input.return?.()
    }
  }

  async verify (): Promise<{ ok: boolean, entries: number, problems: string[] }> {
    return await this.call('verify', [])
  }

  async status (): Promise<StatusReport> {
    return await this.call('status', [])
  }

  async pending (): Promise<PendingReport[]> {
    return await this.call('pending', [])
  }

  async heads (): Promise<string[]> {
    return await this.call('heads', [])
  }

  async feedHeads (): Promise<FeedHead[]> {
    return await this.call('feedHeads', [])
  }

  async forks (): Promise<ForkReport[]> {
    return await this.call('forks', [])
  }

  hasView (name: string): boolean {
    return this.usedViews.has(name)
  }

  /** Only a built-in view, by name: definitions do not travel, and the holder registers its own. */
  use (name: string, _definition: ViewDefinition<any>): void {
    if (!DEFAULT_VIEWS.has(name)) {
      throw new LogbookError('INVALID_ARGUMENT', `view ${name}: through ${holderName(this.holder)}, which holds the store, only the built-in views (${[...DEFAULT_VIEWS.keys()].join(', ')}) can be used`)
    }
    this.usedViews.add(name)
  }

  view<Api = unknown> (name: string): BookView<Api> {
    let view = this.views.get(name)
    if (view === undefined) {
      view = new RemoteView<Api>(this, name)
      this.views.set(name, view)
    }
    return view as RemoteView<Api>
  }

  async rebuild (name: string, options: { onProgress?: (progress: ViewProgress) => void } = {}): Promise<ViewStatus> {
    return await this.call('rebuild', [name], { onEvent: (_name, value) => options.onProgress?.(value as ViewProgress) })
  }

  async checkView (name: string, options: CheckOptions = {}): Promise<ViewCheckReport> {
    return await this.call('checkView', [name, options])
  }

  async viewStatuses (): Promise<ViewStatus[]> {
    return await this.call('viewStatuses', [])
  }

  /** Ends the connection; the holder stops whatever of this command's is still running. */
  async close (): Promise<void> {
    const socket = this.channel.socket
    if (socket.destroyed) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { socket.destroy(); resolve() }, 1000)
      socket.once('close', () => { clearTimeout(timer); resolve() })
      socket.end()
    })
  }
}
