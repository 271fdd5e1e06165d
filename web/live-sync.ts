// Live replication with the server the page came from, for as long as the page holds the store: connect,
// stay in a live session until it drops, then wait (longer after each failure, up to a limit) and connect
// again. While the browser says it is offline no attempt is made; appends go on into the local store and
// reach the server in the next session, which sends whatever the other side lacks.
import type { ReplicationStream } from './logbook-api.js'
import { errorText } from './dom.js'

export type SyncState = 'connecting' | 'online' | 'offline' | 'stopped'

export interface SyncStatus {
  state: SyncState
  /** Why the last session ended or the last attempt failed (its code and message), if it did. */
  error?: string
  /** When offline and about to try again: in how many milliseconds. */
  retryInMs?: number
}

export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 }

/**
 * How long to wait before attempt `failures + 1`: doubling from `baseMs` up to `maxMs`, and a random half
 * of that again (`random` in [0, 1)), so pages cut off together do not all come back in the same instant.
 */
export function backoffDelay (failures: number, random: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(failures, 30))
  return Math.round(ceiling / 2 + random * ceiling / 2)
}

export class LiveSync {
  private stream: ReplicationStream | null = null
  /** Cancels the connection being made (a server that does not answer would hold a pause or a stop up). */
  private attempt: AbortController | null = null
  private stopped = false
  /** The browser says there is no network: no attempts until it says there is. */
  private paused = false
  private wake: (() => void) | null = null
  private running: Promise<void> | null = null

  constructor (
    private readonly connect: (signal: AbortSignal) => Promise<ReplicationStream>,
    private readonly report: (status: SyncStatus) => void,
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random
  ) {}

  start (): void {
    this.running ??= this.run()
  }

  /** The network is gone: drop the session now (a dead connection can take long to notice) and wait. */
  pause (): void {
    this.paused = true
    this.attempt?.abort()
    this.stream?.destroy()
  }

  /** The network is back: try at once. */
  resume (): void {
    this.paused = false
    this.wake?.()
  }

  /** Ends the session and makes no more attempts. */
  async stop (): Promise<void> {
    this.stopped = true
    this.attempt?.abort()
    this.stream?.destroy()
    this.wake?.()
    await this.running
    this.report({ state: 'stopped' })
  }

  private async run (): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      if (this.paused) {
        this.report({ state: 'offline' })
        await this.sleep(Infinity)
        continue
      }
      this.report({ state: 'connecting' })
      let error: string | undefined
      try {
        this.attempt = new AbortController()
        const stream = await this.connect(this.attempt.signal)
        if (this.stopped || this.paused) {
          stream.destroy()
          continue
        }
        this.stream = stream
        failures = 0
        this.report({ state: 'online' })
        await stream.session.done
      } catch (err) {
        error = errorText(err)
        failures++
      } finally {
        this.stream = null
        this.attempt = null
      }
      if (this.stopped) break
      // A session that ended cleanly (the server stopped) waits too, so a server that ends every session at once is not hammered.
      const retryInMs = backoffDelay(Math.max(0, failures - 1), this.random(), this.options)
      this.report({ state: 'offline', error, retryInMs })
      await this.sleep(retryInMs)
    }
  }

  private async sleep (ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined
      function done (): void { clearTimeout(timer); resolve() }
      this.wake = done
    })
    this.wake = null
  }
}
