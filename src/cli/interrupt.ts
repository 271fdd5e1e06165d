// Ctrl-C (SIGINT) and SIGTERM while a command works on a store. The first signal puts the terminal
// back (progress bars hide the cursor and turn line wrapping off) and asks the work to stop after the
// atomic batch in hand; the command then closes the store and prints one line saying what was kept.
// A second signal, or a stop that takes longer than STOP_WAIT_MS, exits at once: every write is one
// atomic batch (and the journal is replayed at the next open), so the store is consistent either way.
// Exit codes are the ones a shell shows for a command killed by the signal: 130 (SIGINT), 143 (SIGTERM).
import { errorLine } from './output.js'
import { restoreTerminal } from './progress.js'

/** What a shell reports for a command ended by each signal (128 + its number). */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const
type Caught = keyof typeof EXIT_CODES

/** How long a graceful stop may take before the command exits at once. */
const STOP_WAIT_MS = 5000

/** Thrown once interrupted work has stopped and the store is closed; main prints it and ends by `signal`. */
export class Interrupted extends Error {
  constructor (readonly signal: Caught, message: string) {
    super(message)
    this.name = 'Interrupted'
  }
}

/**
 * Ends the process by the signal that stopped it (no handler is installed by then), as Unix programs do:
 * the shell sees 128 + N (130, 143), and the exit does not wait for a thread-pool call that never returns
 * (opening a FIFO no one writes to), as process.exit would.
 */
export function endBySignal (signal: Caught): never {
  // Any listener left (a progress bar's own, say) would catch the signal instead of letting it end the process.
  process.removeAllListeners(signal)
  process.kill(process.pid, signal)
  // A signal sent to oneself is delivered before kill returns. Should something still catch it, the process
  // must end all the same, and process.exit can wait forever (see above).
  process.kill(process.pid, 'SIGKILL')
  throw new Error('unreachable')
}

export function interruptedLine (message: string): string {
  return errorLine('INTERRUPTED', message)
}

/**
 * Runs `work` with SIGINT and SIGTERM caught. `work` gets an AbortSignal that aborts at the first of
 * them and must then stop at its next safe point (and close the store). `kept` describes what was kept
 * for the one line printed: `atOnce` is true when the command exits without waiting for the work.
 * Once `work` has ended after a signal this throws Interrupted, unless it returned a result that
 * `finished` says is whole: a signal that came too late to stop anything changes nothing.
 */
export async function interruptible<T> (kept: (atOnce: boolean) => string, work: (signal: AbortSignal) => Promise<T>, finished: (result: T) => boolean = () => true): Promise<T> {
  const controller = new AbortController()
  let caught: Caught | null = null
  let timer: NodeJS.Timeout | undefined
  const exitNow = (): void => {
    restoreTerminal()
    try { process.stderr.write(interruptedLine(kept(true)) + '\n') } catch {}
    removeHandlers()
    endBySignal(caught ?? 'SIGINT')
  }
  const onSignal = (name: Caught): void => {
    if (caught !== null) { exitNow(); return }
    caught = name
    restoreTerminal()
    controller.abort(new Error(`stopped by ${name}`))
    timer = setTimeout(exitNow, STOP_WAIT_MS)
  }
  const onInt = (): void => onSignal('SIGINT')
  const onTerm = (): void => onSignal('SIGTERM')
  const removeHandlers = (): void => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
  }
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  let result: T | undefined
  let returned = false
  try {
    result = await work(controller.signal)
    returned = true
  } catch (err) {
    // After a signal, a failure is the stop itself (a wait cut short, a view closed under a query).
    if (caught === null) throw err
  } finally {
    clearTimeout(timer)
    removeHandlers()
  }
  if (caught !== null && !(returned && finished(result as T))) throw new Interrupted(caught, kept(false))
  return result as T
}

/** `promise`, or a rejection as soon as `signal` aborts (the promise is left to settle unobserved). */
export async function untilAborted<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {})
  signal.throwIfAborted()
  let onAbort = (): void => {}
  try {
    return await Promise.race([promise, new Promise<never>((_resolve, reject) => {
      onAbort = () => reject(signal.reason)
      signal.addEventListener('abort', onAbort, { once: true })
    })])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
