// logbook kv put KEY VALUE | del KEY | get KEY | list [--prefix P] [--limit N], each with --json.
// The built-in kv view: a put appends an entry that replaces the key's current values (it links to
// them); concurrent values are shown as a conflict; values written by an author with a fork proof are
// marked as such.
import type { Command } from 'commander'
import { LogbookError, quoteKey, type KvApi, type KvResult } from '../index.js'
import { intArg, out, requireSubcommand, withBook } from './context.js'
import type { BookApi } from './shared-store/book-api.js'
import { readyView } from './views.js'
import { argumentText, typedValue } from './typed-value.js'
import { keyText } from './output.js'

async function kvOf (book: BookApi): Promise<KvApi> {
  await readyView(book, 'kv')
  return book.view<KvApi>('kv').api
}

function valueText (value: { value: unknown, deleted: boolean, forked: boolean }): string {
  const text = value.deleted ? '(deleted)' : JSON.stringify(value.value)
  return value.forked ? `${text}  (forked author)` : text
}


async function printResult (result: KvResult, withKey: boolean): Promise<void> {
  const prefix = withKey ? `${keyText(result.key)} ` : ''
  if (!result.conflict) {
    await out.line(prefix + valueText(result.values[0]))
    return
  }
  await out.line(`${prefix}(conflict: ${result.values.length} values; a put replaces them all)`)
  for (const value of result.values) await out.line(`  ${value.id.slice(0, 12)} ${value.author.slice(0, 8)} ${valueText(value)}`)
}

function jsonFlag (command: Command): boolean {
  return command.optsWithGlobals<{ json?: boolean }>().json === true
}

export function register (program: Command): void {
  const kv = requireSubcommand(program.command('kv')
    .description('a key/value view over the log: put, del, get, list'))

  kv.command('put')
    .description('append an entry setting KEY, replacing its current values (VALUE is JSON, read exactly; null deletes)')
    .argument('<key>', 'the key')
    .argument('<value>', 'the value as JSON, e.g. \'"blue"\' or \'{"n":1}\'')
    .option('--string', 'store VALUE itself as a JSON string instead of reading it as JSON')
    .option('--json', 'print {"id": ...}')
    .action(async (key: string, text: string, options: { string?: boolean }, command: Command) => {
      // Checked before the store is opened: a refused value appends nothing and leaves the key as it was.
      argumentText(key, 'the key')
      const typed = typedValue(argumentText(text, 'the value'), { asString: options.string === true })
      const value = typeof typed === 'string' ? typed : typed.value()
      const id = await withBook(command, async (book) => await (await kvOf(book)).put(key, value))
      await (jsonFlag(command) ? out.json({ id }) : out.line(id))
    })

  kv.command('del')
    .description('append an entry deleting KEY (replacing its current values)')
    .argument('<key>', 'the key')
    .option('--json', 'print {"id": ...}')
    .action(async (key: string, _options: unknown, command: Command) => {
      const id = await withBook(command, async (book) => await (await kvOf(book)).del(key))
      await (jsonFlag(command) ? out.json({ id }) : out.line(id))
    })

  kv.command('get')
    .description('show the current value of KEY, or all of them when concurrent writes conflict')
    .argument('<key>', 'the key')
    .option('--json', 'print {"key", "values": [{"id", "author", "seq", "value", "deleted", "forked"}], "conflict"}')
    .action(async (key: string, _options: unknown, command: Command) => {
      const result = await withBook(command, async (book) => await (await kvOf(book)).get(key))
      if (result === undefined) throw new LogbookError('NOT_FOUND', `no value for key ${quoteKey(key)}`)
      if (jsonFlag(command)) await out.json(result)
      else await printResult(result, false)
    })

  kv.command('list')
    .description('list keys in order with their values (deleted keys left out); a key with white space or control characters, or an empty one, is printed as a JSON string')
    .option('--prefix <p>', 'only keys that start with P')
    .option('--limit <n>', 'at most N keys', intArg)
    .option('--json', 'NDJSON: one key per line, as `kv get --json` prints it')
    .action(async (options: { prefix?: string, limit?: number }, command: Command) => {
      const results = await withBook(command, async (book) => await (await kvOf(book)).list({ prefix: options.prefix, limit: options.limit }))
      for (const result of results) {
        if (jsonFlag(command)) await out.json(result)
        else await printResult(result, true)
      }
    })
}
