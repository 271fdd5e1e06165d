// The drawing of the entry DAG: one row per ready entry in local order, one lane per author, lines to each
// entry's prev and links, heads ringed, fork entries in red. Only the rows on screen (and a few around them)
// are read, through the reader's pages, and drawn on a canvas the height of the view: a log of 100k entries
// or more scrolls as a log of 40 does. The scroll area is as tall as all rows (scaled past a browser's cap).
import { layoutWindow, type DagLayout, type LaneMarks } from './dag-lanes.js'
import { readRows, type DagRow } from './dag-rows.js'
import { rowAt, rowWindow, scrollExtent, type RowWindow } from './dag-window.js'
import { h } from './dom.js'
import type { LogReader } from './logbook-api.js'

const ROW_HEIGHT = 22
const LANE_WIDTH = 16
const OVERSCAN = 12
const NODE_RADIUS = 4.5

export interface DagSource {
  reader: LogReader
  /** Authors in lane order. */
  authors: () => string[]
  marks: () => LaneMarks
}

/** A stable colour per lane: hues a golden angle apart. */
function laneColour (lane: number, lightness = 42): string {
  // From blue on, so that no lane is the red of a fork.
  return `hsl(${(210 + lane * 137.508) % 360} 65% ${lightness}%)`
}

export class DagCanvas {
  readonly element: HTMLElement
  private readonly scroller: HTMLDivElement
  private readonly spacer = h('div', { class: 'dag-spacer' })
  private readonly canvas = h('canvas', { class: 'dag-canvas', role: 'img', 'data-test': 'dag' })
  private readonly follow = h('input', { type: 'checkbox', id: 'dag-follow', checked: true, 'data-test': 'dag-follow' })
  private readonly context: CanvasRenderingContext2D
  private rows: DagRow[] = []
  private layout: DagLayout | null = null
  private window: RowWindow = { first: 1, last: 0, top: 0 }
  /** Bumped by every read, so a slow read that a newer one overtook is dropped. */
  private reading = 0
  private frame: number | null = null
  private selected: string | null = null
  private readonly resize: ResizeObserver

  constructor (private readonly source: DagSource, private readonly onSelect: (row: DagRow) => void) {
    this.scroller = h('div', { class: 'dag-scroller', tabindex: 0, 'aria-label': 'Entries, in local order', onscroll: () => this.scrolled() }, this.canvas, this.spacer)
    this.scroller.addEventListener('click', (event) => this.clicked(event))
    this.element = h('div', { class: 'dag' },
      h('p', { class: 'dag-controls' }, this.follow, ' ', h('label', { for: 'dag-follow' }, 'Follow new entries')),
      this.scroller)
    const context = this.canvas.getContext('2d')
    if (context === null) throw new Error('this browser cannot draw on a canvas')
    this.context = context
    this.resize = new ResizeObserver(() => this.update())
    this.resize.observe(this.scroller)
  }

  dispose (): void {
    this.resize.disconnect()
    if (this.frame !== null) cancelAnimationFrame(this.frame)
    this.reading++
  }

  /** The log changed (or the view's size did): resize the scroll area, follow the end if asked, redraw. */
  update (): void {
    const rows = this.source.reader.readyCount
    const height = this.scroller.clientHeight
    this.spacer.style.height = `${Math.max(0, scrollExtent(rows, ROW_HEIGHT) - height)}px`
    if (this.follow.checked) this.scroller.scrollTop = this.scroller.scrollHeight
    this.schedule(true)
  }

  /** Scrolls so that the entry at `localSeq` is in the middle, and marks it. */
  show (localSeq: number, id: string): void {
    this.follow.checked = false
    this.selected = id
    const rows = this.source.reader.readyCount
    const full = rows * ROW_HEIGHT
    const extent = scrollExtent(rows, ROW_HEIGHT)
    const height = this.scroller.clientHeight
    const wanted = (localSeq - 1) * ROW_HEIGHT - height / 2
    this.scroller.scrollTop = extent === full ? wanted : wanted / Math.max(1, full - height) * (extent - height)
    this.schedule(true)
  }

  private scrolled (): void {
    const atEnd = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - 2
    if (!atEnd) this.follow.checked = false
    this.schedule(false)
  }

  /** One redraw per frame; `reread`: read the rows even when the window did not move (the log changed). */
  private schedule (reread: boolean): void {
    if (reread) this.rows = []
    if (this.frame !== null) return
    this.frame = requestAnimationFrame(() => {
      this.frame = null
      void this.redraw()
    })
  }

  private async redraw (): Promise<void> {
    const ratio = window.devicePixelRatio || 1
    const width = this.scroller.clientWidth
    const height = this.scroller.clientHeight
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio)
      this.canvas.height = Math.round(height * ratio)
      this.canvas.style.width = `${width}px`
      this.canvas.style.height = `${height}px`
    }
    const rows = this.source.reader.readyCount
    this.window = rowWindow({ scrollTop: this.scroller.scrollTop, viewportHeight: height, rowHeight: ROW_HEIGHT, rows, overscan: OVERSCAN })
    const { first, last } = this.window
    const have = this.rows.length > 0 && this.rows[0].localSeq === first && this.rows[this.rows.length - 1].localSeq === last
    // Drawn at once with what is at hand (the rows read last, where they are now), then again once read.
    this.draw()
    if (have || last < first) return
    const reading = ++this.reading
    const read = await readRows(this.source.reader, first, last)
    if (reading !== this.reading) return
    this.rows = read
    this.layout = layoutWindow(read, this.source.authors(), this.source.marks())
    this.draw()
  }

  private draw (): void {
    const ratio = window.devicePixelRatio || 1
    const c = this.context
    const width = this.canvas.width / ratio
    const height = this.canvas.height / ratio
    c.setTransform(ratio, 0, 0, ratio, 0, 0)
    c.clearRect(0, 0, width, height)
    const layout = this.layout
    const { first, last, top } = this.window
    this.canvas.setAttribute('aria-label', last < first
      ? 'No entries yet'
      : `Entries ${Math.max(first, 1)} to ${last} of ${this.source.reader.readyCount}, drawn as a graph: one lane per author, lines to each entry's previous entry and links`)
    if (layout === null) return
    const y = (localSeq: number): number => top + (localSeq - first) * ROW_HEIGHT + ROW_HEIGHT / 2
    const x = (lane: number): number => 10 + lane * LANE_WIDTH
    const textX = x(layout.lanes.length) + 6
    c.font = '12px ui-monospace, SFMono-Regular, Menlo, monospace'
    c.textBaseline = 'middle'
    // Bands: forks and the selected entry.
    for (const row of layout.rows) {
      if (!row.fork && row.id !== this.selected) continue
      c.fillStyle = row.fork ? 'rgba(220, 38, 38, 0.16)' : 'rgba(37, 99, 235, 0.14)'
      c.fillRect(0, y(row.localSeq) - ROW_HEIGHT / 2, width, ROW_HEIGHT)
    }
    // Edges, under the nodes: prevs straight down a lane, links as curves across lanes.
    c.lineWidth = 1.5
    for (const edge of layout.edges) {
      const fromX = x(edge.fromLane)
      const fromY = y(edge.fromSeq)
      c.beginPath()
      c.setLineDash(edge.toSeq === null && edge.kind === 'link' ? [3, 3] : [])
      c.strokeStyle = edge.kind === 'prev' ? laneColour(edge.fromLane) : 'rgba(100, 116, 139, 0.8)'
      c.moveTo(fromX, fromY)
      if (edge.toSeq === null && edge.toLane === null) {
        c.lineTo(fromX + LANE_WIDTH / 2, fromY - ROW_HEIGHT) // a link to an entry further up
      } else {
        const toX = x(edge.toLane ?? edge.fromLane)
        const toY = edge.toSeq === null ? -ROW_HEIGHT : y(edge.toSeq)
        if (toX === fromX) c.lineTo(toX, toY)
        else c.bezierCurveTo(fromX, fromY - ROW_HEIGHT * 0.8, toX, toY + ROW_HEIGHT * 0.8, toX, toY)
      }
      c.stroke()
    }
    c.setLineDash([])
    for (const row of layout.rows) {
      const cx = x(row.lane)
      const cy = y(row.localSeq)
      if (cy < -ROW_HEIGHT || cy > height + ROW_HEIGHT) continue
      c.beginPath()
      c.arc(cx, cy, NODE_RADIUS, 0, Math.PI * 2)
      c.fillStyle = row.fork ? '#dc2626' : laneColour(row.lane)
      c.fill()
      if (row.head) {
        c.beginPath()
        c.arc(cx, cy, NODE_RADIUS + 3, 0, Math.PI * 2)
        c.strokeStyle = '#111827'
        c.lineWidth = 1.5
        c.stroke()
      }
      c.fillStyle = '#6b7280'
      c.fillText(String(row.localSeq).padStart(6), textX, cy)
      c.fillStyle = row.fork ? '#b91c1c' : '#111827'
      const flags = [row.head ? 'head' : '', row.fork ? 'FORK' : row.forkedAuthor ? 'forked author' : ''].filter((flag) => flag !== '').join(' ')
      c.fillText(`${row.id.slice(0, 12)}  ${row.author.slice(0, 8)} #${row.seq}  ${flags}`, textX + 56, cy)
    }
  }

  private clicked (event: MouseEvent): void {
    const bounds = this.canvas.getBoundingClientRect()
    const seq = rowAt(this.window, event.clientY - bounds.top, ROW_HEIGHT)
    const row = seq === null ? undefined : this.rows.find((candidate) => candidate.localSeq === seq)
    if (row === undefined) return
    this.selected = row.id
    this.draw()
    this.onSelect(row)
  }
}
