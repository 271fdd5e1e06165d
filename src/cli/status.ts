// logbook status [--json]: counts, pending entries with what they wait for, forks.
import type { Command } from 'commander'
import { out, withBook } from './context.js'
import { counted } from './output.js'

export function register (program: Command): void {
  program.command('status')
    .description('show entries, feeds, heads, pending entries (and what they wait for) and forks')
    .option('--json', 'print the status report (plus feedHeads) as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      await withBook(command, async (book) => {
        const status = book.status()
        if (options.json === true) {
          await out.json({ ...status, feedHeads: book.feedHeads() })
          return
        }
        await out.line(`space id: ${status.space}`)
        await out.line(`author:   ${status.author}`)
        await out.line(`entries:  ${status.entries}`)
        await out.line(`feeds:    ${status.feeds}`)
        await out.line(`heads:    ${status.heads}`)
        await out.line(`pending:  ${counted(status.pendingEntries, 'entry', 'entries')}`)
        for (const item of status.pending) {
          const why = item.reason === 'prev' ? 'its previous entry' : 'a linked entry'
          const range = item.fromSeq === item.toSeq ? `seq ${item.fromSeq}` : `seq ${item.fromSeq}..${item.toSeq}`
          await out.line(`  ${item.author.slice(0, 8)} ${range} (${counted(item.entries, 'entry', 'entries')}) waits for ${why} ${item.waitsFor}`)
        }
        await out.line(`forks:    ${status.forks.length}`)
        for (const fork of status.forks) await out.line(`  ${fork.author} at seq ${fork.seq} (see \`logbook forks\`)`)
      })
    })
}
