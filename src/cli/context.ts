// What the commands share: finding the store, opening and always closing it, and argument parsers for
// commander (hex ids, id prefixes and keys, integers).
import { InvalidArgumentError, type Command } from 'commander'
import { checkIdPrefix, DEFAULT_DIR, findStore, LogbookError, type Logbook } from '../index.js'
import { Output } from './output.js'
import type { BookApi } from './shared-store/book-api.js'
import { openBook, openOwnBook } from './shared-store/open.js'

export const out = new Output(process.stdout)

/**
 * The store a command works on: --dir or LOGBOOK_DIR as given; otherwise, as git finds `.git`, the nearest
 * initialized `.logbook` in the current directory or one of its parents.
 */
export async function storeDir (command: Command): Promise<string> {
  const given = givenDir(command)
  if (given !== undefined) return given
  let cwd: string
  try {
    cwd = process.cwd()
  } catch (err) {
    throw new LogbookError('LOGBOOK_NOT_INITIALIZED', `the current directory no longer exists (${(err as Error).message}); cd somewhere else, or pass --dir`, { cause: err })
  }
  const found = await findStore(cwd)
  if (found === null) {
    throw new LogbookError('LOGBOOK_NOT_INITIALIZED', `no store (${DEFAULT_DIR}) in this directory or any parent`)
  }
  return found
}

/** Where `init` creates a store: --dir or LOGBOOK_DIR as given, or `.logbook` in the current directory. */
export function newStoreDir (command: Command): string {
  return givenDir(command) ?? DEFAULT_DIR
}

function givenDir (command: Command): string | undefined {
  return command.optsWithGlobals<{ dir?: string }>().dir
}

/** `logbook kv put`: how a command names itself to the commands it shares its store with. */
function commandLine (command: Command): string {
  const names: string[] = []
  for (let at: Command | null = command; at !== null; at = at.parent) names.unshift(at.name())
  return names.join(' ')
}

/** Runs `fn` on an opened store, prints what it printed, and always closes the store. */
async function using<B, T> (opened: { book: B, close: () => Promise<void> }, fn: (book: B) => Promise<T>): Promise<T> {
  try {
    const result = await fn(opened.book)
    // Printed before closing: a holder may then wait for the commands it serves.
    await out.flush()
    return result
  } finally {
    await opened.close()
  }
}

/**
 * Opens the store of `command` (see storeDir), runs `fn`, and always closes the store. While it is open
 * here, other commands on it work through this process; when another process holds it, `fn` works
 * through that one (shared-store/).
 */
export async function withBook<T> (command: Command, fn: (book: BookApi) => Promise<T>, options: { sync?: boolean } = {}): Promise<T> {
  return await using(await openBook(await storeDir(command), { sync: options.sync === true, command: commandLine(command) }), fn)
}

/**
 * Like withBook, for work that needs the Logbook in this process (replication): the store is opened here and
 * shared with other commands while `fn` runs; when another command holds it, the error names that command.
 */
export async function withOwnBook<T> (command: Command, doing: string, fn: (book: Logbook) => Promise<T>, options: { sync?: boolean } = {}): Promise<T> {
  return await using(await openOwnBook(await storeDir(command), { sync: options.sync === true, command: commandLine(command), doing }), fn)
}

const HEX64 = /^[0-9a-f]{64}$/

/** Checks a 32-byte id or key given as hex; the error says which argument and what was given. */
export function checkHex (value: string, what: string): string {
  if (!HEX64.test(value)) {
    const hint = /^[0-9A-Fa-f]{64}$/.test(value) ? ' (use lowercase)' : ''
    throw new LogbookError('INVALID_KEY', `${what} must be 64 lowercase hex digits, got ${JSON.stringify(value)}${hint}`)
  }
  return value
}

/** A commander argument parser for hex ids and keys. */
export function hexArg (what: string): (value: string) => string {
  return (value) => checkHex(value, what)
}

/** A commander argument parser for an id or a unique prefix of one (4 to 64 hex digits), resolved later. */
export function idPrefixArg (what: string): (value: string) => string {
  return (value) => checkIdPrefix(value, what)
}

/** A commander parser for a repeatable id (or id prefix) option. */
export function idPrefixList (what: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => [...(previous ?? []), checkIdPrefix(value, what)]
}

/** Ids given to --link, each a full id or a unique prefix of a ready entry's, as full ids. */
export async function resolveLinks (book: BookApi, links: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const link of links) {
    try {
      ids.push(await book.resolveId(link))
    } catch (err) {
      if (!(err instanceof LogbookError) || err.code !== 'NOT_FOUND') throw err
      throw new LogbookError('LINK_NOT_FOUND', `--link ${link}: ${err.message}`, { cause: err })
    }
  }
  return ids
}

/** A commander parser for a non-negative integer. */
export function intArg (value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.')
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('the number is too large.')
  return n
}

/** A command's help (with the text added after it), on stdout, after anything printed before. */
export async function printHelp (command: Command): Promise<void> {
  await out.flush()
  command.outputHelp()
}

/**
 * For a command that only groups subcommands (`identity`, `kv`): without one it prints its own help
 * (stdout) and fails as a usage error; an unknown word is named.
 */
export function requireSubcommand (group: Command): Command {
  return group
    .allowExcessArguments(true)
    .action(async (_options: unknown, command: Command) => {
      if (command.args.length > 0) unknownSubcommand(command)
      await printHelp(command)
      command.error(`missing subcommand; see \`logbook ${command.name()} --help\``, { exitCode: 2, code: 'logbook.missingSubcommand' })
    })
}

/** A usage error naming the word given where `command`'s subcommand belongs, and the subcommands there are. */
export function unknownSubcommand (command: Command): never {
  const names = command.commands.map((sub) => sub.name())
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names.join('')
  command.error(`unknown command '${command.name()} ${command.args[0]}' (${command.name()} has ${list})`, { exitCode: 2, code: 'logbook.unknownCommand' })
}

/** An author id, as a line or with --json as {"author": ...} (id, identity import, identity new). */
export async function printAuthor (author: string, json: boolean | undefined): Promise<void> {
  await (json === true ? out.json({ author }) : out.line(author))
}
