// Which rows of the log a scrolled view shows. The explorer draws one row per ready entry, in local order
// (local seq 1 at the top), and reads and draws only the rows on screen: this is where "on screen" is decided.
// Browsers cap how tall a scrolled element may be (about 33 million pixels in Chromium), so past that the
// scroll position is scaled onto the rows: the view still reaches the last row, only a pixel of scrolling
// then moves more than a pixel of rows.

/** The tallest scroll area used; well below the browsers' caps. */
export const MAX_SCROLL_PX = 8_000_000

export interface WindowInput {
  /** The scroll area's scrollTop. */
  scrollTop: number
  /** Height of the visible part, in pixels. */
  viewportHeight: number
  rowHeight: number
  /** Ready entries (rows) in all. */
  rows: number
  /** Rows read beyond each edge, so links to entries just off screen are drawn to where they are. */
  overscan: number
}

export interface RowWindow {
  /** First and last local seq to read (inclusive); `last < first` when there is nothing to show. */
  first: number
  last: number
  /** Where row `first` is drawn: its top edge, in pixels from the top of the visible part (may be negative). */
  top: number
}

/** The height of the scroll area for `rows` rows. */
export function scrollExtent (rows: number, rowHeight: number): number {
  return Math.min(rows * rowHeight, MAX_SCROLL_PX)
}

/** The rows `input` shows, with `overscan` more on each side, and where the first of them is drawn. */
export function rowWindow (input: WindowInput): RowWindow {
  const { viewportHeight, rowHeight, rows, overscan } = input
  if (rows <= 0 || viewportHeight <= 0) return { first: 1, last: 0, top: 0 }
  const full = rows * rowHeight
  const extent = scrollExtent(rows, rowHeight)
  const maxScroll = Math.max(0, extent - viewportHeight)
  const scrollTop = Math.min(Math.max(0, input.scrollTop), maxScroll)
  // Pixels of the full (unscaled) column of rows above the visible part.
  const above = extent === full || maxScroll === 0 ? scrollTop : scrollTop / maxScroll * Math.max(0, full - viewportHeight)
  const firstVisible = Math.floor(above / rowHeight) // 0-based
  const lastVisible = Math.min(rows - 1, Math.floor((above + viewportHeight - 1) / rowHeight))
  const first = Math.max(0, firstVisible - overscan)
  const last = Math.min(rows - 1, lastVisible + overscan)
  return { first: first + 1, last: last + 1, top: first * rowHeight - above }
}

/** The local seq of the row at `y` pixels from the top of the visible part, for a window from rowWindow. */
export function rowAt (window: RowWindow, y: number, rowHeight: number): number | null {
  const seq = window.first + Math.floor((y - window.top) / rowHeight)
  return seq >= window.first && seq <= window.last ? seq : null
}
