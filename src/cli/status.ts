// logbook status [--all] [--json]: counts, what is pending (one line per author, or every pending run
// with --all) and what it waits for, forks.
import type { Command } from 'commander'
import type { PendingReport } from '../index.js'
import { out, withBook } from './context.js'
import { counted } from './output.js'

function waitsFor (item: PendingReport): string {
  if (item.reason === 'signature') return 'waits for a signed entry after it (none is stored)'
  return `waits for ${item.reason === 'prev' ? 'its previous entry' : 'a linked entry'} ${item.waitsFor ?? ''}`
}

function megabytes (bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`
}

/** Every pending run: `author seq range (N entries) waits for ...`. */
async function printSegments (pending: PendingReport[]): Promise<void> {
  for (const item of pending) {
    const range = item.fromSeq === item.toSeq ? `seq ${item.fromSeq}` : `seq ${item.fromSeq}..${item.toSeq}`
    await out.line(`  ${item.author.slice(0, 8)} ${range} (${counted(item.entries, 'entry', 'entries')}) ${waitsFor(item)}`)
  }
}

/**
 * One line per author: how much of theirs is pending, and what their first pending entry waits for
 * (usually the one thing to import for the rest to follow). `pending` is sorted by author, then seq.
 */
async function printAuthors (pending: PendingReport[]): Promise<boolean> {
  let collapsed = false
  for (let i = 0; i < pending.length;) {
    const first = pending[i]
    let end = i
    let entries = 0
    while (end < pending.length && pending[end].author === first.author) entries += pending[end++].entries
    const segments = end - i
    if (segments > 1) collapsed = true
    await out.line(`  ${first.author.slice(0, 8)} ${counted(entries, 'entry', 'entries')} in ${counted(segments, 'run', 'runs')} from seq ${first.fromSeq}, which ${waitsFor(first)}`)
    i = end
  }
  return collapsed
}

export function register (program: Command): void {
  program.command('status')
    .description('show entries, feeds, heads, what is pending (one line per author) and what it waits for, and forks')
    .option('--all', 'list every pending segment, not one line per author')
    .option('--json', 'print the status report (every pending segment, plus feedHeads) as JSON')
    .action(async (options: { all?: boolean, json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
        const status = await book.status()
        const pending = await book.pending()
        if (options.json === true) {
          await out.json({ ...status, pending, feedHeads: await book.feedHeads() })
          return
        }
        await out.line(`space id: ${status.space}`)
        await out.line(`author:   ${status.author}`)
        await out.line(`cursor:   ${status.cursor}`)
        await out.line(`entries:  ${status.entries}`)
        await out.line(`feeds:    ${status.feeds}`)
        await out.line(`heads:    ${status.heads}`)
        await out.line(`pending:  ${counted(status.pendingEntries, 'entry', 'entries')}${status.pendingEntries === 0 ? '' : ` (${megabytes(status.pendingBytes)} of ${megabytes(status.pendingQuota)} allowed)`}`)
        if (options.all === true) await printSegments(pending)
        else if (await printAuthors(pending)) await out.line('  (`logbook status --all` lists every pending run)')
        await out.line(`forks:    ${status.forks.length}`)
        for (const fork of status.forks) await out.line(`  ${fork.author} at seq ${fork.seq} (see \`logbook forks\`)`)
      })
    })
}
