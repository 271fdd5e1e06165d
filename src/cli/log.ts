// logbook log [--json] [--author A] [--limit N | --tail N] [--reverse]: ready entries in local order.
import { Option, type Command } from 'commander'
import { entryLine, entryToJson } from './output.js'
import { idPrefixArg, intArg, out, withBook } from './context.js'

interface LogFlags { json?: boolean, author?: string, limit?: number, tail?: number, reverse?: boolean }

export function register (program: Command): void {
  program.command('log')
    .description('list ready entries in local order: localSeq author seq id time (UTC) payload')
    .option('--json', 'NDJSON: one entry per line (timestamps in ms; binary payloads as {"base64": ...})')
    .option('--author <id>', 'only this author\'s entries (an author id, or a unique prefix of 4+ digits)', idPrefixArg('an author id'))
    .addOption(new Option('--limit <n>', 'at most N entries, from the first (from the last with --reverse)').argParser(intArg))
    .addOption(new Option('--tail <n>', 'only the last N entries (still oldest first, unless --reverse)').argParser(intArg).conflicts('limit'))
    .option('--reverse', 'newest first')
    .action(async (options: LogFlags, command: Command) => {
      await withBook(command, async (book) => {
        const author = options.author === undefined ? undefined : await book.resolveAuthor(options.author)
        for await (const entry of book.log({ author, limit: options.limit, tail: options.tail, reverse: options.reverse === true })) {
          await out.line(options.json === true ? JSON.stringify(entryToJson(entry)) : entryLine(entry))
        }
      })
    })
}
