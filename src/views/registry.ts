// The views of one Logbook: registration by name, the wiring from the log's change notifications
// (entries ready, fork proofs changed) to each view, and the list `logbook views` shows (including views
// found on disk that this process does not define).
import { LogbookError } from '../errors.js'
import type { Logbook } from '../logbook.js'
import { checkViewName, ViewKeyspace } from './keyspace.js'
import type { ViewDefinition, ViewStatus } from './types.js'
import { statusOf, View } from './view.js'

export class ViewRegistry {
  private readonly views = new Map<string, View<any>>()
  private closed = false
  /** Stops the notifications from the log. */
  private readonly unsubscribe: () => void
  /** While an import runs, fork news is held and told once at its end (one rebuild, not one per author). */
  private holds = 0
  private forkNewsHeld = false

  constructor (private readonly book: Logbook) {
    this.unsubscribe = book.reader.subscribe({
      ready: () => { for (const view of this.views.values()) view.wake() },
      forksChanged: () => {
        if (this.holds > 0) this.forkNewsHeld = true
        else this.tellForks()
      }
    })
  }

  private tellForks (): void {
    for (const view of this.views.values()) view.forksChanged()
  }

  /**
   * Holds fork news until the returned function is called: forks found together (many forked authors in
   * one import) then cost an excluding view one rebuild. Holds nest.
   */
  holdForkNews (): () => void {
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.holds === 0 && this.forkNewsHeld) {
        this.forkNewsHeld = false
        this.tellForks()
      }
    }
  }

  use<Api> (name: string, definition: ViewDefinition<Api>): View<Api> {
    if (this.closed) throw new LogbookError('LOGBOOK_NOT_OPEN', 'the logbook is closed')
    checkViewName(name)
    if (this.views.has(name)) throw new LogbookError('INVALID_ARGUMENT', `a view named ${name} is already registered`)
    const view = new View<Api>(name, definition, this.book)
    this.views.set(name, view)
    view.start()
    return view
  }

  get<Api = unknown> (name: string): View<Api> {
    const view = this.views.get(name)
    if (view === undefined) throw new LogbookError('NOT_FOUND', `no view named ${JSON.stringify(name)} is registered`)
    return view as View<Api>
  }

  has (name: string): boolean {
    return this.views.has(name)
  }

  /** Registered views and the views stored in the database, by name. */
  async statuses (): Promise<ViewStatus[]> {
    const db = this.book.viewsDb
    const names = new Set([...this.views.keys(), ...await ViewKeyspace.names(db)])
    const out: ViewStatus[] = []
    for (const name of [...names].sort()) {
      const view = this.views.get(name)
      if (view !== undefined) {
        out.push(await view.status())
      } else {
        const keyspace = new ViewKeyspace(db, name)
        out.push(await statusOf(keyspace, await keyspace.checkpoint(), this.book.reader.readyCount, false))
      }
    }
    return out
  }

  async close (): Promise<void> {
    this.closed = true
    this.unsubscribe()
    for (const view of this.views.values()) await view.close()
  }
}
