// What every outgoing connection shares: it either opens or fails as CONNECTION_FAILED naming the address
// (refused, unreachable, timed out), and a caller's AbortSignal stops the attempt.
import { LogbookError } from '../errors.js'
import type { ReplicateOptions } from '../replication/stream.js'

/** How long an attempt to connect may take (an unreachable host otherwise takes minutes to give up). */
export const CONNECT_TIMEOUT_MS = 30_000

export interface ConnectOptions extends ReplicateOptions {
  /** Stops the attempt to connect (the session itself is ended with `stream.session.end()`). */
  signal?: AbortSignal
  /** Milliseconds an attempt to connect may take (default 30 s). */
  connectTimeout?: number
}

/** The reason in an error from the network: `ECONNREFUSED`, `getaddrinfo ENOTFOUND nowhere`... */
function reason (err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  const message = err instanceof Error ? err.message : String(err)
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message
}

export function connectionFailed (url: string, err: unknown): LogbookError {
  if (err instanceof LogbookError) return err
  return new LogbookError('CONNECTION_FAILED', `cannot connect to ${url}: ${reason(err)}`, { cause: err })
}

/**
 * Runs `attempt`, which calls `opened` with the open connection or `failed` with why not, and returns
 * `cancel` to drop the attempt. Resolves with the connection, or rejects with CONNECTION_FAILED.
 */
export async function connecting<T> (url: string, options: ConnectOptions, attempt: (opened: (connection: T) => void, failed: (err: unknown) => void) => () => void): Promise<T> {
  options.signal?.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
      return true
    }
    const failed = (err: unknown): void => {
      if (!settle()) return
      cancel()
      reject(connectionFailed(url, err))
    }
    const onAbort = (): void => {
      if (!settle()) return
      cancel()
      reject(options.signal?.reason)
    }
    const timeout = options.connectTimeout ?? CONNECT_TIMEOUT_MS
    const timer = setTimeout(() => failed(new Error(`no answer within ${timeout / 1000} s`)), timeout)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    let cancel = (): void => {}
    cancel = attempt((connection) => { if (settle()) resolve(connection) }, failed)
  })
}

/** The session's own options, without those of the connection. */
export function sessionOptions (options: ConnectOptions): ReplicateOptions {
  const { signal: _signal, connectTimeout: _timeout, ...rest } = options
  return rest
}
