// Progress bars on a terminal's stderr (cli-progress), and the terminal put back as it was: while a bar
// is drawn the cursor is hidden and line wrapping is off, so every way out (the end, an error, Ctrl-C)
// must stop the bars that are still drawn.
import type { SingleBar } from 'cli-progress'

const drawn = new Set<ProgressBar>()

export class ProgressBar {
  private bar: SingleBar | null = null
  private stopped = false

  constructor (private readonly Bar: typeof SingleBar, private readonly format: string) {}

  /** Draws `value` of `total` (the first call starts the bar); `payload` fills the format's other fields. */
  update (value: number, total: number, payload?: Record<string, unknown>): void {
    if (this.stopped) return
    if (this.bar === null) {
      this.bar = new this.Bar({ stream: process.stderr, format: this.format, hideCursor: true, clearOnComplete: true, etaBuffer: 50 })
      drawn.add(this)
      this.bar.start(total, value, payload)
      return
    }
    this.bar.setTotal(total)
    this.bar.update(value, payload)
  }

  /** Clears the bar and shows the cursor again; later updates draw nothing. */
  stop (): void {
    if (this.stopped) return
    this.stopped = true
    drawn.delete(this)
    this.bar?.stop()
  }
}

/** A bar with cli-progress's `format`, when stderr is a terminal; null otherwise (pipes, scripts). */
export async function progressBar (format: string): Promise<ProgressBar | null> {
  if (process.stderr.isTTY !== true) return null
  // Loaded only for a terminal: most runs never draw a bar.
  const { SingleBar: Bar } = await import('cli-progress')
  return new ProgressBar(Bar, format)
}

/** Stops every bar still drawn: the cursor is shown and line wrapping is on again. */
export function restoreTerminal (): void {
  for (const bar of [...drawn]) bar.stop()
}
