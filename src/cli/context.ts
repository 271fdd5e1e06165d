// What the commands share: the global options, opening and always closing the store, and argument
// parsers for commander (hex ids and keys, integers).
import { InvalidArgumentError, type Command } from 'commander'
import { Logbook, LogbookError } from '../index.js'
import { DEFAULT_DIR } from '../store-dir.js'
import { Output } from './output.js'

export const out = new Output(process.stdout)

export interface GlobalOptions {
  dir: string
}

export function globals (command: Command): GlobalOptions {
  const options = command.optsWithGlobals<{ dir?: string }>()
  return { dir: options.dir ?? DEFAULT_DIR }
}

/** Opens the store of `command`'s --dir, runs `fn`, and always closes the store. */
export async function withBook<T> (command: Command, fn: (book: Logbook) => Promise<T>, options: { sync?: boolean } = {}): Promise<T> {
  const book = await Logbook.open({ dir: globals(command).dir, sync: options.sync === true })
  try {
    return await fn(book)
  } finally {
    await book.close()
  }
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

/** A commander parser for a repeatable hex option. */
export function hexList (what: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => [...(previous ?? []), checkHex(value, what)]
}

/** A commander parser for a non-negative integer. */
export function intArg (value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.')
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('the number is too large.')
  return n
}
