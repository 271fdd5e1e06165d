// logbook views [--json]; logbook views rebuild NAME [--json]; logbook views check NAME [--orders K] [--seed S] [--json]
// The command knows the built-in views of DEFAULT_VIEWS (kv, read by `logbook kv`; types, by `logbook types`),
// each built the first time it is read; views that an application stored in
// the same database are listed, but only the program that defines them can rebuild or check them.
import { InvalidArgumentError, type Command } from 'commander'
import { DEFAULT_VIEWS, LogbookError, type ViewCheckReport, type ViewProgress, type ViewStatus } from '../index.js'
import { intArg, out, unknownSubcommand, withBook } from './context.js'
import { interruptible, untilAborted } from './interrupt.js'
import { progressBar } from './progress.js'
import type { BookApi } from './shared-store/book-api.js'

/** The commands that build and read each of the command's views. */
const USED_BY = new Map([['kv', '`logbook kv` builds it'], ['types', '`logbook types` builds it']])

/** A view of the command's, registered on `book`; a stored view of another program is refused by name. */
export async function knownView (book: BookApi, name: string): Promise<void> {
  const make = DEFAULT_VIEWS.get(name)
  if (make === undefined) {
    const stored = (await book.viewStatuses()).some((status) => status.name === name)
    if (stored) throw new LogbookError('INVALID_ARGUMENT', `view ${name} was made by another program; the command knows only ${[...DEFAULT_VIEWS.keys()].join(', ')}`)
    throw new LogbookError('NOT_FOUND', `no view named ${JSON.stringify(name)}; the command knows ${[...DEFAULT_VIEWS.keys()].join(', ')}`)
  }
  if (!book.hasView(name)) book.use(name, make())
}

/**
 * How far a view got while the command waited for it: drawn as a bar on a terminal's stderr, and said
 * in the one line an interrupted command prints.
 */
class ViewWatch {
  private seen: ViewProgress | null = null
  private constructor (private readonly what: string, private readonly bar: Awaited<ReturnType<typeof progressBar>>) {}

  /** `title` heads the bar; `what` names the work in the line (`rebuild of view kv`). */
  static async start (title: string, what: string): Promise<ViewWatch> {
    return new ViewWatch(what, await progressBar(`${title} [{bar}] {percentage}% | {value}/{total} entries`))
  }

  readonly update = (progress: ViewProgress): void => {
    this.seen = progress
    this.bar?.update(progress.applied, progress.target)
  }

  stop (): void {
    this.bar?.stop()
  }

  /** `<what> stopped<doing> at N of M entries` (its checkpoint: a view goes on from there when next used). */
  stopped (doing = ''): string {
    const at = this.seen === null ? '' : ` at ${this.seen.applied} of ${this.seen.target} entries`
    return `${this.what} stopped${doing}${at}`
  }
}

/**
 * Waits for a view of the command's to catch up with the log, with a progress bar on a terminal.
 * Ctrl-C stops the wait; the view keeps what it applied, and the command does nothing more.
 */
export async function readyView (book: BookApi, name: string): Promise<void> {
  await knownView(book, name)
  const view = book.view(name)
  const watch = await ViewWatch.start(`view ${name}`, `view ${name}`)
  view.on('progress', watch.update)
  try {
    await interruptible(() => `${watch.stopped(' catching up')}; it goes on from there when next used, nothing else was done, and the store is consistent`,
      async (signal) => await untilAborted(view.ready(), signal))
  } finally {
    view.off('progress', watch.update)
    watch.stop()
  }
}

/** A status as the command shows it: `known` says whether the command has the view's code. */
function statusJson (status: ViewStatus): Record<string, unknown> {
  const { registered: _registered, ...rest } = status
  return { ...rest, known: DEFAULT_VIEWS.has(status.name) }
}

async function listed (book: BookApi): Promise<ViewStatus[]> {
  const stored = await book.viewStatuses()
  const entries = (await book.status()).entries
  // Known views not built yet are shown as all behind.
  for (const name of DEFAULT_VIEWS.keys()) {
    if (!stored.some((status) => status.name === name)) {
      stored.push({ name, registered: false, version: null, forks: null, applied: 0, entries, behind: entries, failures: 0, firstFailures: [], excluded: [] })
    }
  }
  return stored.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

async function printStatus (status: ViewStatus): Promise<void> {
  const known = !DEFAULT_VIEWS.has(status.name) ? '  (made by another program)' : status.version === null ? `  (not built yet: ${USED_BY.get(status.name) ?? 'built'} when first used)` : ''
  const version = status.version === null ? '-' : String(status.version)
  await out.line(`${status.name.padEnd(12)} version ${version.padEnd(6)} ${status.applied}/${status.entries} entries, ${status.behind} behind, ${status.failures} failed${known}`)
  for (const failure of status.firstFailures) await out.line(`  failed: ${failure.id} ${failure.message}`)
  if (status.failures > status.firstFailures.length) await out.line(`  ... and ${status.failures - status.firstFailures.length} more`)
  for (const author of status.excluded) await out.line(`  excluded (forked): ${author}`)
}

/** The first position where two orders of ids differ. */
function firstDivergence (a: string[], b: string[]): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

async function printCheck (report: ViewCheckReport): Promise<void> {
  await out.line(`view:        ${report.name}`)
  await out.line(`entries:     ${report.entries}`)
  await out.line(`live:        ${report.liveDigest ?? '-'}`)
  await out.line(`rebuilt:     ${report.rebuildDigest}`)
  await out.line(`determinism: ${report.deterministic ? 'ok (a rebuild from scratch has the same digest)' : 'FAILED'}`)
  if (report.orders > 0) {
    const verdict = report.converges === null ? 'not checked' : report.converges ? 'ok' : 'FAILED'
    await out.line(`convergence: ${verdict} (${report.orders} random topological orders, seed ${report.seed})`)
  }
  const mismatch = report.mismatch
  if (mismatch === null) return
  const difference = mismatch.difference
  if (difference !== null) {
    const what = difference.where === 'failure' ? 'failing entry' : 'key'
    await out.line(`differs at:  ${what} ${JSON.stringify(difference.key)}: ${difference.a ?? '(absent)'} vs ${difference.b ?? '(absent)'}`)
  }
  if (mismatch.check === 'convergence') {
    const at = firstDivergence(mismatch.orders[0], mismatch.orders[1])
    await out.line(`order ${mismatch.order} differs from the local order first at position ${at}: ${mismatch.orders[0][at]} vs ${mismatch.orders[1][at]} (--json lists both orders)`)
    await out.line(`reproduce:   logbook views check ${report.name} --orders ${report.orders} --seed ${mismatch.seed}`)
  }
}

/** Seeds are 32-bit: refused as a usage error beyond that, rather than when the check runs. */
function seedArg (value: string): number {
  const seed = intArg(value)
  if (seed > 0xffffffff) throw new InvalidArgumentError('a seed is at most 4294967295.')
  return seed
}

export function register (program: Command): void {
  const views = program.command('views')
    .description('list materialized views: version, progress, entries behind, failures')
    .option('--json', 'NDJSON: one view per line')
    // Words that are not a subcommand reach the action, which names them (rather than "too many arguments").
    .allowExcessArguments(true)
    .action(async (options: { json?: boolean }, command: Command) => {
      if (command.args.length > 0) unknownSubcommand(command)
      await withBook(command, async (book) => {
        const statuses = await listed(book)
        if (options.json === true) {
          for (const status of statuses) await out.json(statusJson(status))
          return
        }
        for (const status of statuses) await printStatus(status)
      })
    })

  views.command('rebuild')
    .description('wipe a view and replay the log into it (a progress bar on a terminal)')
    .argument('<name>', 'the view')
    .option('--json', 'print the view\'s status as JSON')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>()
      let watch: ViewWatch | null = null
      const status = await interruptible(() => `${watch?.stopped() ?? `rebuild of view ${name} stopped`}; the view goes on from there when next used, and the store is consistent`,
        async (signal) => await withBook(command, async (book) => {
          await knownView(book, name)
          watch = await ViewWatch.start(`rebuilding ${name}`, `rebuild of view ${name}`)
          try {
            // On Ctrl-C the store closes at once, and the view stops after the batch in hand.
            return await untilAborted(book.rebuild(name, { onProgress: watch.update }), signal)
          } finally {
            watch.stop()
          }
        }))
      if (json === true) await out.json(statusJson(status))
      else await printStatus(status)
    })

  views.command('check')
    .description('check that a view rebuilds to the same digest, and with --orders that it converges')
    .argument('<name>', 'the view')
    .option('--orders <k>', 'also replay the entries in K random topological orders', intArg)
    .option('--seed <n>', 'seed of the random orders, 0 to 4294967295 (printed when not given)', seedArg)
    .option('--json', 'print the report as JSON (with both orders when they differ)')
    .action(async (name: string, _options: unknown, command: Command) => {
      const { json, orders, seed } = command.optsWithGlobals<{ json?: boolean, orders?: number, seed?: number }>()
      const report = await withBook(command, async (book) => {
        await readyView(book, name)
        return await book.checkView(name, { orders: orders ?? 0, seed })
      })
      if (json === true) await out.json(report)
      else await printCheck(report)
      await out.flush()
      if (!report.ok) {
        const mismatch = report.mismatch
        const where = mismatch?.difference === null || mismatch?.difference === undefined ? '' : ` at ${JSON.stringify(mismatch.difference.key)}`
        throw new LogbookError('VERIFY_FAILED', mismatch?.check === 'convergence'
          ? `view ${name} does not converge: order ${mismatch.order} (seed ${mismatch.seed}) gives another state${where}`
          : `view ${name} is not deterministic: a rebuild gives another state${where}`)
      }
    })
}
