// Replication over a pair of pipes: `logbook serve --stdio` over its own stdin and stdout, and
// `logbook sync --stdio -- CMD ARGS...` over a child's (`ssh host logbook serve --stdio`). The side that
// spawns the command initiates. The child's stderr is passed through: it is how ssh says what went wrong.
import { spawn, type ChildProcess } from 'node:child_process'
import { Duplex, type Readable, type Writable } from 'node:stream'
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import type { ReplicationStream } from '../replication/stream.js'
import { connectionFailed, sessionOptions, type ConnectOptions } from './connecting.js'

/**
 * One byte stream out of a readable and a writable pipe. Either may be gone first (a child that exited, a
 * reader that closed its end): ending then completes at once, and an error ends the stream.
 */
export class PipePair extends Duplex {
  constructor (private readonly input: Readable, private readonly output: Writable) {
    super({ allowHalfOpen: true })
    input.on('data', (chunk: Buffer) => { if (!this.push(chunk)) input.pause() })
    input.once('end', () => this.push(null))
    input.on('error', (err) => this.destroy(err))
    output.on('error', (err) => this.destroy(err))
  }

  override _read (): void {
    this.input.resume()
  }

  override _write (chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    if (this.output.write(chunk)) callback()
    else this.output.once('drain', () => callback())
  }

  override _final (callback: (err?: Error | null) => void): void {
    if (this.output.writableEnded || this.output.destroyed) callback()
    else this.output.end(() => callback())
  }

  override _destroy (err: Error | null, callback: (err?: Error | null) => void): void {
    this.input.destroy()
    this.output.destroy()
    callback(err)
  }
}

/** Replicates over `input` and `output` (default: this process's stdin and stdout). */
export function replicateStdio (book: Logbook, isInitiator: boolean, options: ConnectOptions & { input?: Readable, output?: Writable } = {}): ReplicationStream {
  const { input = process.stdin, output = process.stdout, ...rest } = options
  return book.replicate(isInitiator, { ...sessionOptions(rest), stream: new PipePair(input, output) })
}

/** A spawned peer: the replication stream over its stdio, and the child itself. */
export interface SpawnedPeer {
  stream: ReplicationStream
  child: ChildProcess
  /** The command line, for messages. */
  command: string
  /** The child's exit: its code, or the signal that ended it. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/** Spawns `command` with `args` and replicates over its stdin and stdout. */
export async function spawnPeer (book: Logbook, command: string, args: string[], options: ConnectOptions = {}): Promise<SpawnedPeer> {
  options.signal?.throwIfAborted()
  const what = [command, ...args].join(' ')
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve)
    // Errors after the spawn (a kill that fails) are the session's to notice, through the pipes.
    child.on('error', (err) => reject(connectionFailed(`\`${what}\``, err)))
  })
  const stream = book.replicate(true, { ...sessionOptions(options), stream: new PipePair(child.stdout as Readable, child.stdin as Writable) })
  return { stream, child, command: what, exited }
}

/**
 * Why a session with a spawned peer failed: when the child exited with an error (ssh could not log in, the
 * command is not there), that says more than the closed pipe it left behind.
 */
export async function spawnFailure (peer: SpawnedPeer, err: LogbookError): Promise<LogbookError> {
  if (err.code !== 'CONNECTION_CLOSED') return err
  const exit = await Promise.race([peer.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000).unref())])
  if (exit === null || exit.code === 0) return err
  const how = exit.signal !== null ? `was ended by ${exit.signal}` : `exited with status ${String(exit.code)}`
  return new LogbookError('CONNECTION_FAILED', `\`${peer.command}\` ${how}: ${err.message}`, { cause: err })
}
