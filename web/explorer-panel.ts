// The explorer: what the store holds and how it got there. Feeds and their lengths, the DAG (dag-canvas),
// forks with their proofs, pending entries with what they wait for, views with their progress. Everything
// follows the store live: new ready entries, new fork proofs, views' progress.
import { DagCanvas } from './dag-canvas.js'
import type { LaneMarks } from './dag-lanes.js'
import type { DagRow } from './dag-rows.js'
import { errorText, h, replaceChildren, shortId, throttle } from './dom.js'
import type { ForkReport, Logbook, ViewProgress } from './logbook-api.js'

/** How often what has no event of its own (entries arriving in the pending area) is read again. */
const POLL_MS = 3000

/** `count` and the noun, singular for one. */
function counted (count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`
}

export class ExplorerPanel {
  readonly element: HTMLElement
  private readonly feeds = h('tbody')
  private readonly forks = h('ul', { class: 'forks', 'data-test': 'forks' })
  private readonly pending = h('ul', { class: 'pending', 'data-test': 'pending' })
  private readonly views = h('tbody')
  private readonly details = h('pre', { class: 'entry-details', 'data-test': 'entry-details', 'aria-live': 'polite' })
  private readonly summary = h('p', { class: 'summary', 'data-test': 'explorer-summary' })
  private readonly error = h('p', { role: 'alert', class: 'error' })
  private readonly dag: DagCanvas
  private forkReports: ForkReport[] = []
  private readonly progress = new Map<string, ViewProgress>()
  private readonly stops: Array<() => void> = []
  private visible = false

  constructor (private readonly book: Logbook) {
    this.dag = new DagCanvas({
      reader: book.reader,
      authors: () => this.authors(),
      marks: () => this.marks()
    }, (row) => { void this.select(row) })
    const section = (id: string, title: string, ...children: Array<Node | string>): HTMLElement =>
      h('section', { class: `explorer-${id}`, 'aria-labelledby': `explorer-${id}-heading` }, h('h3', { id: `explorer-${id}-heading` }, title), ...children)
    this.element = h('section', { class: 'explorer', 'aria-labelledby': 'explorer-heading' },
      h('h2', { id: 'explorer-heading' }, 'Explorer'),
      this.summary,
      this.error,
      h('div', { class: 'explorer-grid' },
        section('dag', 'Entries', this.dag.element, this.details),
        h('div', { class: 'explorer-side' },
          section('feeds', 'Feeds', h('table', { 'data-test': 'feeds' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Author'), h('th', { scope: 'col' }, 'Entries'), h('th', { scope: 'col' }, 'Head'))),
            this.feeds)),
          section('forks', 'Forks', this.forks),
          section('pending', 'Pending', this.pending),
          section('views', 'Views', h('table', { 'data-test': 'views' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'View'), h('th', { scope: 'col' }, 'Applied'), h('th', { scope: 'col' }, 'Behind'), h('th', { scope: 'col' }, 'Failures'))),
            this.views)))))
    const onReady = throttle(() => this.refresh(), 250)
    const onFork = (): void => { void this.readForks() }
    book.on('ready', onReady)
    book.on('fork', onFork)
    this.stops.push(() => book.off('ready', onReady), () => book.off('fork', onFork))
    const timer = setInterval(() => { if (this.visible) { void this.readPending(); void this.readViews() } }, POLL_MS)
    this.stops.push(() => clearInterval(timer))
  }

  /** Follows the progress of the views registered so far (a view's 'progress' after every commit). */
  watchViews (names: string[]): void {
    for (const name of names) {
      const view = this.book.view(name)
      const onProgress = (progress: ViewProgress): void => { this.progress.set(name, progress); this.drawViewProgress() }
      view.on('progress', onProgress)
      this.stops.push(() => view.off('progress', onProgress))
    }
  }

  /** Shown or hidden (its tab): reading only while shown. */
  show (visible: boolean): void {
    this.visible = visible
    if (visible) {
      this.refresh()
      void this.readForks()
    }
  }

  dispose (): void {
    for (const stop of this.stops) stop()
    this.dag.dispose()
  }

  private refresh (): void {
    if (!this.visible) return
    const status = this.book.status()
    this.summary.textContent = `${counted(status.entries, 'entry', 'entries')} in ${counted(status.feeds, 'feed')}, ${counted(status.heads, 'head')}, ${status.pendingEntries} pending, ${counted(status.forks.length, 'forked author')}`
    this.drawFeeds()
    this.dag.update()
    void this.readPending()
    void this.readViews()
  }

  private authors (): string[] {
    return [...new Set(this.book.feedHeads().map((head) => head.author))].sort()
  }

  private marks (): LaneMarks {
    return {
      heads: new Set(this.book.heads()),
      forkIds: new Set(this.forkReports.flatMap((fork) => fork.ids)),
      forkedAuthors: new Set(this.book.reader.forkedAuthors())
    }
  }

  private drawFeeds (): void {
    const byAuthor = new Map<string, Array<{ id: string, seq: number }>>()
    for (const head of this.book.feedHeads()) byAuthor.set(head.author, [...(byAuthor.get(head.author) ?? []), head])
    const forked = new Set(this.book.reader.forkedAuthors())
    replaceChildren(this.feeds, ...[...byAuthor].map(([author, heads]) => h('tr', { class: forked.has(author) ? 'forked' : null },
      h('td', {}, shortId(author, 12), author === this.book.author ? ' (you)' : '', forked.has(author) ? h('span', { class: 'badge fork-badge' }, 'forked') : null),
      h('td', { class: 'number' }, String(Math.max(...heads.map((head) => head.seq)))),
      h('td', {}, ...heads.flatMap((head, i) => [i > 0 ? ', ' : '', shortId(head.id)])))))
  }

  private async readForks (): Promise<void> {
    try {
      this.forkReports = await this.book.forks()
    } catch (error) {
      this.error.textContent = errorText(error)
      return
    }
    replaceChildren(this.forks, ...this.forkReports.map((fork) => h('li', { class: 'fork', 'data-test': 'fork', 'data-author': fork.author },
      h('p', {}, 'Author ', shortId(fork.author, 12), ` wrote two entries at seq ${fork.seq}: `, shortId(fork.ids[0]), ' and ', shortId(fork.ids[1])),
      h('button', { type: 'button', 'data-test': 'fork-show', onclick: () => { void this.reveal(fork.ids[0]) } }, 'Show in the graph'),
      h('details', {}, h('summary', {}, 'Proof (the two signed segments)'), h('pre', { class: 'proof' }, JSON.stringify(fork.proof, null, 2))))))
    if (this.forkReports.length === 0) this.forks.append(h('li', { class: 'empty' }, 'No forks.'))
    this.refresh()
  }

  private async readPending (): Promise<void> {
    try {
      const runs = await this.book.pending()
      const reason = { prev: 'its previous entry', link: 'a linked entry', signature: 'a signature' }
      replaceChildren(this.pending, ...runs.map((run) => h('li', { 'data-test': 'pending-run' },
        shortId(run.author, 12), ` seq ${run.fromSeq}${run.toSeq > run.fromSeq ? `–${run.toSeq}` : ''} (${run.entries} ${run.entries === 1 ? 'entry' : 'entries'}) waits for ${reason[run.reason]}`,
        run.waitsFor === null ? '' : ' ', run.waitsFor === null ? null : shortId(run.waitsFor))))
      if (runs.length === 0) this.pending.append(h('li', { class: 'empty' }, 'Nothing pending.'))
    } catch (error) {
      this.error.textContent = errorText(error)
    }
  }

  private async readViews (): Promise<void> {
    try {
      const statuses = await this.book.viewStatuses()
      replaceChildren(this.views, ...statuses.map((status) => h('tr', { 'data-view': status.name },
        h('th', { scope: 'row' }, status.name),
        h('td', { class: 'number applied' }, `${status.applied} / ${status.entries}`),
        h('td', { class: 'number' }, String(status.behind)),
        h('td', { class: 'number' }, String(status.failures)))))
      this.drawViewProgress()
    } catch (error) {
      this.error.textContent = errorText(error)
    }
  }

  /** Between two reads of the statuses, each view's latest 'progress' event. */
  private drawViewProgress (): void {
    for (const [name, progress] of this.progress) {
      const cell = this.views.querySelector(`tr[data-view="${CSS.escape(name)}"] .applied`)
      if (cell !== null) cell.textContent = `${progress.applied} / ${Math.max(progress.target, this.book.reader.readyCount)}${progress.rebuilding ? ' (rebuilding)' : ''}`
    }
  }

  private async select (row: DagRow): Promise<void> {
    try {
      const entry = await this.book.get(row.id)
      this.details.textContent = entry === undefined ? '' : JSON.stringify({ ...entry, payload: entry.kind === 'binary' ? `(${(entry.payload as Uint8Array).byteLength} bytes)` : entry.payload }, null, 2)
    } catch (error) {
      this.error.textContent = errorText(error)
    }
  }

  /** Scrolls the graph to an entry and shows it. */
  private async reveal (id: string): Promise<void> {
    const entry = await this.book.get(id)
    if (entry === undefined) return
    this.dag.show(entry.localSeq, id)
    await this.select(entry)
  }
}
