// What a shell user expects of the command: --json everywhere, ids by unique prefix, log --tail and
// --reverse, the store found from a subdirectory, one line per author in status, the types view, and
// usage for a bare command. The library parts (prefix resolution, reading from the end) are checked
// against brute force.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LogbookError, type LogEntry, type Logbook } from '../src/index.js'
import type { DecodedPage } from '../src/store/page.js'
import { identity, memoryBook } from './helpers/fixtures.js'
import { exportOf, importAll } from './helpers/views-books.js'
import { fails, ndjson, ok, okSh, run, tempDir } from './helpers/cli.js'

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)
const lb = (dir: string): string => `"$NODE" bin/logbook.js --dir '${dir}'`
const HEX64 = /^[0-9a-f]{64}$/

before(() => { tmp = tempDir('logbook-shell-') })
after(() => { tmp.cleanup() })

/** The error a promise rejects with (it must reject). */
async function rejection (promise: Promise<unknown>): Promise<LogbookError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof LogbookError, String(err))
    return err
  }
  assert.fail('expected a rejection')
}

/** `count` entries by `book`, in batches, with fixed timestamps: the same ids in every run. */
async function appendMany (book: Logbook, count: number, tag: string): Promise<string[]> {
  const ids: string[] = []
  for (let at = 0; at < count; at += 1000) {
    const payloads = Array.from({ length: Math.min(1000, count - at) }, (_, i) => ({ tag, n: at + i }))
    ids.push(...await book.append(payloads, { timestamp: 1_700_000_000_000 + at }))
  }
  return ids
}

describe('ids by unique prefix (library)', () => {
  test('resolveId agrees with a brute-force search for every prefix length, odd ones included', async () => {
    const book = await memoryBook()
    try {
      const ids = await appendMany(book, 3000, 'prefix')
      const expectResolve = async (prefix: string): Promise<void> => {
        const matches = ids.filter((id) => id.startsWith(prefix))
        if (matches.length === 1) {
          assert.equal(await book.resolveId(prefix), matches[0], prefix)
          return
        }
        const err = await rejection(book.resolveId(prefix))
        if (matches.length === 0) {
          assert.equal(err.code, 'NOT_FOUND', prefix)
        } else {
          assert.equal(err.code, 'AMBIGUOUS_ID', prefix)
          assert.ok(err.message.includes(`${matches.length} ready entries`), err.message)
          // A few candidates are named, as the start of their ids.
          assert.ok(matches.sort().slice(0, 2).every((id) => err.message.includes(id.slice(0, 16))), err.message)
        }
      }
      const lengths = [4, 5, 6, 7, 8, 31, 32, 33, 40, 63, 64]
      for (const id of ids.slice(0, 300)) for (const length of lengths) await expectResolve(id.slice(0, length))
      // Prefixes no id has, of odd and even lengths, at both ends of the key range.
      for (const prefix of ['0000', '00000', 'ffff', 'fffff', 'abcde1234', '0'.repeat(33), 'f'.repeat(64)]) await expectResolve(prefix)
      // With 3000 ids, 4 digits (and, for these fixed ids, 5) are shared by some: ambiguous.
      const shared = (length: number): string | undefined => ids.map((id) => id.slice(0, length)).find((prefix, i, all) => all.indexOf(prefix) !== i)
      for (const length of [4, 5]) {
        const prefix = shared(length)
        assert.ok(prefix !== undefined, `some ${length}-digit prefix is shared`)
        assert.equal((await rejection(book.resolveId(prefix))).code, 'AMBIGUOUS_ID')
      }
    } finally {
      await book.close()
    }
  })

  test('a full id is compared in full, and a prefix past the index key too', async () => {
    const book = await memoryBook()
    try {
      const [id] = await book.append([{ n: 1 }])
      const other = (digit: string): string => digit === '0' ? '1' : '0'
      const lastChanged = id.slice(0, 63) + other(id[63])
      assert.equal((await rejection(book.resolveId(lastChanged))).code, 'NOT_FOUND')
      const thirtyThird = id.slice(0, 32) + other(id[32])
      assert.equal((await rejection(book.resolveId(thirtyThird))).code, 'NOT_FOUND')
      assert.equal(await book.resolveId(id), id)
      assert.equal(await book.resolveId(id.slice(0, 33)), id)
      for (const bad of ['abc', id.slice(0, 8).toUpperCase(), 'ghij', id + '0', '']) {
        assert.equal((await rejection(book.resolveId(bad))).code, 'INVALID_KEY', bad)
      }
    } finally {
      await book.close()
    }
  })

  test('author prefixes resolve among the authors the store has entries of', async () => {
    const a = await memoryBook({ identity: identity(1) })
    const b = await memoryBook({ identity: identity(2) })
    try {
      await a.append({ by: 'a' })
      await b.append({ by: 'b' })
      await importAll(a, [await exportOf(b)])
      for (const who of [identity(1).author, identity(2).author]) {
        assert.equal(await a.resolveAuthor(who.slice(0, 5)), who)
        assert.equal(await a.resolveAuthor(who), who)
      }
      // A full id is taken as it is, known or not; a prefix of no known author is NOT_FOUND.
      const unknown = identity(3).author
      assert.equal(await a.resolveAuthor(unknown), unknown)
      await assert.rejects(a.resolveAuthor(unknown.slice(0, 6)), (err: LogbookError) => err.code === 'NOT_FOUND')
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('log from the end (library)', () => {
  /** Counts the pages the store's reader yields, forwards and backwards, and where forward reads start. */
  function countPages (book: Logbook): { forward: number, backward: number, starts: number[] } {
    const counts = { forward: 0, backward: 0, starts: [] as number[] }
    const reader = book.internalStore.reader
    const pages = reader.pages.bind(reader)
    const pagesReverse = reader.pagesReverse.bind(reader)
    reader.pages = async function * (from?: number, snapshot?: unknown): AsyncGenerator<DecodedPage> {
      counts.starts.push(from ?? 1)
      for await (const page of pages(from, snapshot)) { counts.forward++; yield page }
    }
    reader.pagesReverse = async function * (): AsyncGenerator<DecodedPage> {
      for await (const page of pagesReverse()) { counts.backward++; yield page }
    }
    return counts
  }

  test('reverse, tail, limit, since and author give what filtering the whole log would', async () => {
    const a = await memoryBook({ identity: identity(1) })
    const b = await memoryBook({ identity: identity(2) })
    try {
      // Two authors' pages interleaved in A's local order.
      for (let round = 0; round < 4; round++) {
        await appendMany(b, 40, `b${round}`)
        await importAll(a, [await exportOf(b)])
        await appendMany(a, 25, `a${round}`)
      }
      const all: LogEntry[] = []
      for await (const entry of a.log()) all.push(entry)
      assert.equal(all.length, 260)
      const seqs = (entries: Array<{ localSeq: number }>): number[] => entries.map((entry) => entry.localSeq)
      const read = async (options: Parameters<Logbook['log']>[0]): Promise<number[]> => {
        const out: LogEntry[] = []
        for await (const entry of a.log(options)) out.push(entry)
        return seqs(out)
      }
      for (const author of [undefined, identity(1).author, identity(2).author]) {
        for (const since of [undefined, 0, 100, 259, 260]) {
          const chosen = all.filter((entry) => (author === undefined || entry.author === author) && entry.localSeq > (since ?? 0))
          for (const tail of [undefined, 0, 1, 7, 30, 1000]) {
            for (const limit of [undefined, 3]) {
              const picked = tail === undefined ? chosen : tail === 0 ? [] : chosen.slice(-tail)
              const forward = seqs(picked).slice(0, limit)
              const backward = seqs(picked).reverse().slice(0, limit)
              const options = { author, since, tail, limit }
              assert.deepEqual(await read(options), forward, JSON.stringify(options))
              assert.deepEqual(await read({ ...options, reverse: true }), backward, JSON.stringify({ ...options, reverse: true }))
            }
          }
        }
      }
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('the last entries are read from the end of the local order, not from its start', async () => {
    const book = await memoryBook()
    try {
      await appendMany(book, 5000, 'long')
      const counts = countPages(book)
      const last = []
      for await (const entry of book.log({ tail: 3 })) last.push(entry.localSeq)
      assert.deepEqual(last, [4998, 4999, 5000])
      assert.deepEqual(counts.starts, [4998])
      assert.ok(counts.forward <= 2, `${counts.forward} pages read`)
      const newest = []
      for await (const entry of book.log({ reverse: true, limit: 3 })) newest.push(entry.localSeq)
      assert.deepEqual(newest, [5000, 4999, 4998])
      // Reads are a few pages at a time from the end: far fewer than the store's 313 pages.
      assert.ok(counts.backward <= 4, `${counts.backward} pages read backwards`)
      counts.backward = 0
      for await (const entry of book.log({ tail: 20, author: book.author })) assert.ok(entry.localSeq > 4980)
      assert.ok(counts.backward <= 4, `${counts.backward} pages read backwards`)
    } finally {
      await book.close()
    }
  })
})

describe('the command, as a shell user expects it', () => {
  test('--json on every command that prints something, with one shape per kind of answer', () => {
    const dir = at('json')
    const init = JSON.parse(ok(['--dir', dir, 'init', '--json']))
    assert.match(init.author, HEX64)
    assert.match(init.space, HEX64)
    assert.equal(init.dir, dir)
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'id', '--json'])), { author: init.author })
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'space', '--json'])), { space: init.space })
    const one = JSON.parse(ok(['--dir', dir, 'append', '--json', '{"type":"note"}']))
    assert.deepEqual(Object.keys(one), ['id'])
    assert.match(one.id, HEX64)
    const lines = ndjson(ok(['--dir', dir, 'append', '--lines', '--json'], { input: '1\n2\n\n3\n' }))
    assert.equal(lines.length, 3)
    assert.ok(lines.every((line) => Object.keys(line).join() === 'id' && HEX64.test(line.id)))
    assert.deepEqual(ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.id), [one.id, ...lines.map((line) => line.id)])
    // The identity's text form is JSON already; import and new answer with the author.
    const exported = JSON.parse(ok(['--dir', dir, 'identity', 'export', '--json']))
    assert.equal(exported.author, init.author)
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'identity', 'import', '--json'], { input: JSON.stringify(exported) })), { author: init.author })
    const fresh = JSON.parse(ok(['--dir', dir, 'identity', 'new', '--json']))
    assert.match(fresh.author, HEX64)
    assert.notEqual(fresh.author, init.author)
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'id', '--json'])), fresh)
    // The rest had --json already; each prints JSON.
    for (const args of [['heads'], ['forks'], ['verify'], ['status'], ['get', one.id], ['views'], ['types'], ['types', 'note'], ['kv', 'put', 'k', '1'], ['kv', 'get', 'k'], ['kv', 'list']]) {
      const text = ok(['--dir', dir, ...args, '--json'])
      assert.ok(ndjson(text).length > 0, `${args.join(' ')} --json printed nothing`)
    }
  })

  test('ids by unique prefix: get, --link, --author; ambiguous prefixes have their own code', () => {
    const dir = at('prefix')
    const author = JSON.parse(ok(['--dir', dir, 'init', '--json'])).author
    const ids = okSh(`seq 1 1500 | ${lb(dir)} append --lines`).trim().split('\n')
    /** A prefix of `length` digits that only one id has, of the `nth` id that has one. */
    const unique = (length: number, nth = 0): string => {
      const prefix = ids.map((id) => id.slice(0, length)).filter((p, _, all) => all.filter((q) => q === p).length === 1)[nth]
      assert.ok(prefix !== undefined)
      return prefix
    }
    for (const length of [4, 5, 7, 33, 63, 64]) {
      const prefix = unique(length)
      const id = ids.find((candidate) => candidate.startsWith(prefix))
      assert.equal(JSON.parse(ok(['--dir', dir, 'get', prefix, '--json'])).id, id)
    }
    // 1500 ids share some 4-digit prefixes: AMBIGUOUS_ID, with the count and a few candidates.
    const shared = ids.map((id) => id.slice(0, 4)).find((p, i, all) => all.indexOf(p) !== i) as string
    const count = ids.filter((id) => id.startsWith(shared)).length
    const ambiguous = fails(run(['--dir', dir, 'get', shared]), 'AMBIGUOUS_ID', 1)
    assert.ok(ambiguous.stderr.includes(`${shared} is the start of ${count} ready entries`), ambiguous.stderr)
    fails(run(['--dir', dir, 'append', '1', '--link', shared]), 'AMBIGUOUS_ID', 1)
    // Not there at all, or too short to mean one entry.
    const absent = ['0000', '00000', 'ffff', 'fffff'].find((p) => !ids.some((id) => id.startsWith(p))) as string
    fails(run(['--dir', dir, 'get', absent]), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'append', '1', '--link', absent]), 'LINK_NOT_FOUND', 1)
    fails(run(['--dir', dir, 'get', ids[0].slice(0, 3)]), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'get', ids[0].slice(0, 63) + (ids[0][63] === '0' ? '1' : '0')]), 'NOT_FOUND', 1)
    // --link takes prefixes; the entry links to the full ids.
    const linked = ok(['--dir', dir, 'append', '"linked"', '--link', unique(5, 0), '--link', unique(6, 1)]).trim()
    const links = JSON.parse(ok(['--dir', dir, 'get', linked.slice(0, 10), '--json'])).links
    const expected = [ids.find((id) => id.startsWith(unique(5, 0))), ids.find((id) => id.startsWith(unique(6, 1)))]
    assert.notEqual(expected[0], expected[1])
    assert.deepEqual(links, expected.sort())
    // Author prefixes for log and export.
    assert.equal(ndjson(ok(['--dir', dir, 'log', '--json', '--author', author.slice(0, 6)])).length, 1501)
    assert.deepEqual(ok(['--dir', dir, 'export', '--json', '--author', author.slice(0, 4)]), ok(['--dir', dir, 'export', '--json', '--author', author]))
    fails(run(['--dir', dir, 'log', '--author', author.slice(0, 3)]), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'log', '--author', author[0] === '0' ? '1111' : '0000']), 'NOT_FOUND', 1)
  })

  test('log --tail and --reverse, with readable times', () => {
    const dir = at('tail')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '--lines'], { input: Array.from({ length: 50 }, (_, i) => String(i + 1)).join('\n') })
    const payloads = (args: string[]): unknown[] => ndjson(ok(['--dir', dir, 'log', '--json', ...args])).map((entry) => entry.payload)
    assert.deepEqual(payloads(['--tail', '3']), [48, 49, 50])
    assert.deepEqual(payloads(['--tail', '3', '--reverse']), [50, 49, 48])
    assert.deepEqual(payloads(['--reverse', '--limit', '2']), [50, 49])
    assert.deepEqual(payloads(['--tail', '0']), [])
    assert.equal(payloads(['--reverse']).length, 50)
    fails(run(['--dir', dir, 'log', '--tail', '2', '--limit', '1']), 'INVALID_ARGUMENT', 2)
    // The human line shows the time in ISO 8601 UTC; --json keeps the number.
    const [entry] = ndjson(ok(['--dir', dir, 'log', '--json', '--tail', '1']))
    assert.equal(typeof entry.timestamp, 'number')
    assert.equal(ok(['--dir', dir, 'log', '--tail', '1']), `50 ${entry.author.slice(0, 8)} 50 ${entry.id.slice(0, 12)} ${new Date(entry.timestamp).toISOString()} 50\n`)
  })

  test('the store is found from a subdirectory, as git finds .git; init makes ./.logbook; --dir and LOGBOOK_DIR are used as given', () => {
    const top = at('tree')
    const deep = at('tree', 'a', 'b', 'c')
    mkdirSync(deep, { recursive: true })
    const made = ok(['init'], { cwd: top })
    assert.match(made, new RegExp(`^created a store in ${join(top, '.logbook').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, in a new space\nauthor: [0-9a-f]{64}\n$`))
    const author = ok(['id'], { cwd: top })
    assert.equal(ok(['id'], { cwd: deep }), author)
    const id = ok(['append', '"from below"'], { cwd: deep }).trim()
    assert.equal(JSON.parse(ok(['--dir', join(top, '.logbook'), 'get', id, '--json'])).payload, 'from below')
    // init in a subdirectory makes a store there, which is then the nearest.
    const inner = JSON.parse(ok(['init', '--json'], { cwd: at('tree', 'a', 'b') }))
    assert.equal(inner.dir, at('tree', 'a', 'b', '.logbook'))
    assert.equal(ok(['id'], { cwd: deep }), inner.author + '\n')
    // A nearer `.logbook` that is not a store stops the search with an error naming it: what was meant for
    // it must never land in a store further up. A file or a dangling link is no store either.
    mkdirSync(at('tree', 'a', 'b', 'c', '.logbook'))
    for (const args of [['id'], ['append', '"meant for c"']]) {
      assert.match(fails(run(args, { cwd: deep }), 'LOGBOOK_NOT_INITIALIZED', 1).stderr, /c\/\.logbook, the nearest \.logbook, is not a store/)
    }
    rmSync(at('tree', 'a', 'b', 'c', '.logbook'), { recursive: true })
    writeFileSync(at('tree', 'a', 'b', 'c', '.logbook'), 'not a directory')
    fails(run(['id'], { cwd: deep }), 'LOGBOOK_NOT_INITIALIZED', 1)
    rmSync(at('tree', 'a', 'b', 'c', '.logbook'))
    symlinkSync(at('tree', 'gone'), at('tree', 'a', 'b', 'c', '.logbook'))
    fails(run(['id'], { cwd: deep }), 'LOGBOOK_NOT_INITIALIZED', 1)
    rmSync(at('tree', 'a', 'b', 'c', '.logbook'))
    assert.equal(JSON.parse(ok(['--dir', inner.dir, 'status', '--json'])).entries, 0, 'nothing reached the store above')
    assert.equal(ok(['id'], { cwd: deep }), inner.author + '\n')
    assert.equal(ok(['id'], { cwd: at('tree', 'a') }), author)
    // An explicit directory is never searched for: relative to the current directory, as given.
    fails(run(['--dir', '.logbook', 'id'], { cwd: deep }), 'LOGBOOK_NOT_INITIALIZED', 1)
    fails(run(['id'], { cwd: deep, env: { LOGBOOK_DIR: '.logbook' } }), 'LOGBOOK_NOT_INITIALIZED', 1)
    assert.equal(ok(['--dir', '../../../.logbook', 'id'], { cwd: deep }), author)
    // No store here or above: the error says so.
    const none = at('nowhere')
    mkdirSync(none)
    const nothing = fails(run(['log'], { cwd: none }), 'LOGBOOK_NOT_INITIALIZED', 1).stderr
    assert.match(nothing, /in this directory or any parent; run `logbook init`/)
    assert.equal(nothing.split('logbook init').length, 2, 'the way out is named once')
  })

  test('the types view can be queried, and views shows its real progress', () => {
    const dir = at('types')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '--lines'], { input: '{"type":"note","n":1}\n{"type":"todo","n":2}\n{"type":"note","n":3}\n{"type":"a b","n":4}\n5\n{"type":7}\n' })
    assert.match(ok(['--dir', dir, 'views']), /types +version - +0\/6 entries, 6 behind, 0 failed {2}\(not built yet: `logbook types` builds it when first used\)/)
    assert.equal(ok(['--dir', dir, 'types']), '1 "a b"\n2 note\n1 todo\n')
    assert.deepEqual(ndjson(ok(['--dir', dir, 'types', '--json', '--limit', '2'])), [{ type: 'a b', entries: 1 }, { type: 'note', entries: 2 }])
    // By timestamp, then id (one `append --lines` gives its entries one timestamp).
    const notes = ndjson(ok(['--dir', dir, 'types', 'note', '--json']))
    assert.deepEqual(notes.map((entry) => entry.payload.n).sort(), [1, 3])
    assert.ok(notes[0].timestamp < notes[1].timestamp || (notes[0].timestamp === notes[1].timestamp && notes[0].id < notes[1].id))
    assert.deepEqual(ndjson(ok(['--dir', dir, 'types', 'note', '--json', '--reverse', '--limit', '1'])), [notes[1]])
    assert.match(ok(['--dir', dir, 'types', 'todo']), /^2 [0-9a-f]{8} 2 [0-9a-f]{12} \S+Z \{"type":"todo","n":2\}\n$/)
    assert.equal(ok(['--dir', dir, 'types', 'none']), '')
    // Built by the query: views shows it caught up, and behind again after an append.
    const built = ndjson(ok(['--dir', dir, 'views', '--json'])).find((status) => status.name === 'types')
    assert.deepEqual([built.applied, built.behind, built.version], [6, 0, '1:type'])
    ok(['--dir', dir, 'append', '{"type":"todo"}'])
    const behind = ndjson(ok(['--dir', dir, 'views', '--json'])).find((status) => status.name === 'types')
    assert.deepEqual([behind.applied, behind.behind], [6, 1])
    assert.equal(ok(['--dir', dir, 'types', 'todo', '--json']).split('\n').length - 1, 2)
  })

  test('a bare logbook prints usage and fails as a usage error; identity and kv print their own help', () => {
    const dir = at('bare')
    ok(['--dir', dir, 'init'])
    for (const [args, usage] of [[[], 'Usage: logbook [options] [command]'], [['identity'], 'Usage: logbook identity'], [['kv'], 'Usage: logbook kv']] as const) {
      const result = fails(run(['--dir', dir, ...args]), 'INVALID_ARGUMENT', 2)
      assert.ok(result.stdout.startsWith(usage), result.stdout)
      assert.match(result.stderr, /missing (sub)?command/)
    }
    assert.match(run([]).stdout, /Exit status:\n {2}0 +success\n {2}1 +runtime error.*\n {2}2 +usage error.*\n {2}130 +interrupted/)
    assert.match(run(['--dir', dir, 'kv']).stdout, /put .*\n.*del .*\n.*get .*\n.*list/s)
    // An unknown subcommand is named, with the ones there are.
    assert.match(fails(run(['--dir', dir, 'kv', 'frob']), 'INVALID_ARGUMENT', 2).stderr, /unknown command 'kv frob' \(kv has put, del, get and list\)/)
    assert.match(fails(run(['--dir', dir, 'identity', 'frob']), 'INVALID_ARGUMENT', 2).stderr, /identity has export, import and new/)
    // views has a default action: it lists.
    assert.match(ok(['--dir', dir, 'views']), /^kv /)
    // Asked for, help is no error.
    assert.match(ok(['--dir', dir, 'kv', '--help']), /^Usage: logbook kv/)
  })
})
