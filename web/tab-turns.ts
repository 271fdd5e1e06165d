// Tabs of one origin take turns with a store: a tab holds the store only while it holds a Web Lock named
// for the space, so two tabs never append to one feed at once (which would fork it). A tab that wants the
// store (it became visible, or its user clicked) says so on a BroadcastChannel of the same name and queues
// for the lock; the holder closes its store and lets go, and the lock passes on. The lock, not the
// messages, is what guarantees one holder: a message lost or late only delays a turn.
//
// The lock manager and the channel are passed in (navigator.locks and a BroadcastChannel in a page), so the
// turn-taking runs, and is tested, without a page.

/** What of navigator.locks this needs. The callback runs while the lock is held; null: not available. */
export interface LockManagerLike {
  request: (name: string, options: { ifAvailable?: boolean, signal?: AbortSignal }, callback: (lock: unknown) => Promise<void>) => Promise<unknown>
}

/** What of a BroadcastChannel this needs. */
export interface ChannelLike {
  postMessage: (message: unknown) => void
  addEventListener: (type: 'message', listener: (event: { data: unknown }) => void) => void
  close: () => void
}

/**
 * `elsewhere`: another tab has the store; `waiting`: asked for it; `opening`: got the lock, opening the store;
 * `holding`: this tab has the store; `closing`: handing it over; `failed`: opening failed (the lock was let go);
 * `stopped`: for good.
 */
export type TurnState = 'elsewhere' | 'waiting' | 'opening' | 'holding' | 'closing' | 'failed' | 'stopped'

export interface TurnHooks {
  /** Opens the store; runs once the lock is held. */
  begin: () => Promise<void>
  /** Closes the store; the lock is let go when it settles. */
  end: () => Promise<void>
  /** Told every change of state (`error`: why opening failed). */
  state: (state: TurnState, error?: unknown) => void
}

const HAND_OVER = 'hand-over'

export class TabTurns {
  private current: TurnState = 'elsewhere'
  /** Lets go of the lock (resolves the promise the lock callback waits on). */
  private letGo: (() => void) | null = null
  /** Another tab asked while this one was still opening: hand over once open. */
  private askedWhileOpening = false
  /** Drops a request still waiting in line for the lock (at stop). */
  private readonly stopping = new AbortController()

  constructor (private readonly name: string, private readonly locks: LockManagerLike, private readonly channel: ChannelLike, private readonly hooks: TurnHooks) {
    channel.addEventListener('message', (event) => {
      if ((event.data as { type?: unknown } | null)?.type === HAND_OVER) void this.handOver()
    })
  }

  get state (): TurnState {
    return this.current
  }

  /** Takes the store if no other tab has it, else stays `elsewhere`; resolves once that is decided. */
  async start (): Promise<void> {
    await this.take(true)
  }

  /**
   * Asks the tab that has the store to hand it over and waits in line for it; resolves once this tab holds
   * it (or opening it failed, or the turns stopped).
   */
  async ask (): Promise<void> {
    if (this.current !== 'elsewhere' && this.current !== 'failed') return
    this.set('waiting')
    this.channel.postMessage({ type: HAND_OVER })
    await this.take(false)
  }

  /** Lets go of the store (closing it) and stops taking part. */
  async stop (): Promise<void> {
    if (this.current === 'stopped') return
    this.stopping.abort()
    if (this.current === 'holding') await this.release()
    this.askedWhileOpening = false
    this.set('stopped')
    this.channel.close()
  }

  /** Requests the lock; resolves once the request is decided (not when the turn ends: the lock is held until then). */
  private async take (ifAvailable: boolean): Promise<void> {
    await new Promise<void>((decided) => {
      this.locks.request(this.name, { ifAvailable, signal: this.stopping.signal }, async (lock) => {
        if (lock === null || this.current === 'stopped') {
          if (this.current !== 'stopped') this.set('elsewhere')
          decided()
          return
        }
        this.set('opening')
        try {
          await this.hooks.begin()
        } catch (error) {
          this.askedWhileOpening = false
          this.set('failed', error)
          decided()
          return
        }
        if (this.stopped()) {
          // Stopped while opening: close what was opened, and let go.
          await this.hooks.end().catch(() => {})
          decided()
          return
        }
        const held = new Promise<void>((resolve) => { this.letGo = resolve })
        this.set('holding')
        decided()
        if (this.askedWhileOpening) void this.handOver()
        await held
      }).catch(() => decided()) // dropped by stop() while still in line
    })
  }

  private async handOver (): Promise<void> {
    if (this.current === 'opening') {
      this.askedWhileOpening = true
      return
    }
    this.askedWhileOpening = false
    if (this.current === 'holding') await this.release()
  }

  private async release (): Promise<void> {
    this.set('closing')
    try {
      await this.hooks.end()
    } finally {
      const letGo = this.letGo
      this.letGo = null
      this.set('elsewhere')
      letGo?.()
    }
  }

  /** Read afresh (a method, not a narrowed field): stop() may have run during an await. */
  private stopped (): boolean {
    return this.current === 'stopped'
  }

  private set (state: TurnState, error?: unknown): void {
    this.current = state
    this.hooks.state(state, error)
  }
}
