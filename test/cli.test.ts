// The logbook command end to end: real processes, real stores in temporary directories, real pipes.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { Logbook } from '../src/index.js'
import { join } from 'node:path'
import { fails, ndjson, ok, okSh, run, sh, state, tempDir } from './helpers/cli.js'

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)
/** `"$NODE" bin/logbook.js --dir DIR` for shell scripts (run in the project root). */
const lb = (dir: string): string => `"$NODE" bin/logbook.js --dir '${dir}'`

before(() => { tmp = tempDir() })
after(() => { tmp.cleanup() })

describe('logbook command', () => {
  test('exports of two authors import to the same state in any order, as binary, text or mixed', () => {
    const a = at('s1', 'A')
    const b = at('s1', 'B')
    const authorA = JSON.parse(ok(['--dir', a, 'init', '--json'])).author
    assert.match(authorA, /^[0-9a-f]{64}$/)
    const space = ok(['--dir', a, 'space']).trim()
    assert.match(space, /^[0-9a-f]{64}$/)
    const authorB = JSON.parse(ok(['--dir', b, 'init', '--space', space, '--json'])).author
    assert.notEqual(authorA, authorB)
    assert.equal(ok(['--dir', b, 'id']).trim(), authorB)
    assert.equal(ok(['--dir', b, 'space']).trim(), space)

    const a1 = ok(['--dir', a, 'append', '{"n":1}']).trim()
    ok(['--dir', a, 'append', '--string'], { input: 'plain text from stdin\n' })
    const a3 = ok(['--dir', a, 'append', '[1,2,3]']).trim()
    assert.deepEqual(JSON.parse(ok(['--dir', a, 'get', a3, '--json'])).payload, [1, 2, 3])
    assert.equal(JSON.parse(ok(['--dir', a, 'get', a1, '--json'])).payload.n, 1)
    assert.equal(ndjson(ok(['--dir', a, 'log', '--json']))[1].payload, 'plain text from stdin')

    // B learns A's entries and links to them, so B's export alone leaves entries pending.
    okSh(`${lb(a)} export | ${lb(b)} import`)
    const b1 = ok(['--dir', b, 'append', '"b says hi"', '--link', a3]).trim()
    ok(['--dir', b, 'append', '--lines'], { input: '"x"\n\n{"y":2}\n' })
    ok(['--dir', a, 'append', '--lines', '--string'], { input: 'a4\na5\n' })
    assert.deepEqual(JSON.parse(ok(['--dir', b, 'get', b1, '--json'])).links, [a3])

    const aLog = at('s1', 'a.log')
    const bLog = at('s1', 'b.log')
    const aJson = at('s1', 'a.json')
    const bJson = at('s1', 'b.json')
    okSh(`${lb(a)} export > '${aLog}' && ${lb(b)} export --author ${authorB} > '${bLog}'`)
    okSh(`${lb(a)} export --json > '${aJson}' && ${lb(b)} export --json --author ${authorB} > '${bJson}'`)
    assert.equal(ndjson(readFileSync(bJson, 'utf8')).every((segment) => segment.author === authorB), true)

    const importInto = (name: string, files: string[], json = false): any => {
      const dir = at('s1', name)
      ok(['--dir', dir, 'init', '--space', space])
      const out = okSh(`cat ${files.map((f) => `'${f}'`).join(' ')} | ${lb(dir)} import${json ? ' --json' : ''}`)
      return { dir, out }
    }

    const c = importInto('C', [aLog, bLog], true)
    const d = importInto('D', [bLog, aLog], true)
    const sc = state(c.dir)
    assert.equal((sc.ids as string[]).length, 8)
    assert.equal(sc.entries, 8)
    assert.equal(sc.feeds, 2)
    assert.deepEqual(sc.pending, [])
    assert.deepEqual(sc.forks, [])
    assert.deepEqual(state(d.dir), sc, 'cat a b and cat b a give the same state')
    ok(['--dir', a, 'import', bLog])
    assert.deepEqual(state(a), sc, 'and so does A after learning B')
    const ofB = ndjson(ok(['--dir', c.dir, 'log', '--json', '--author', authorB]))
    assert.deepEqual(ofB.map((entry) => [entry.author, entry.seq, entry.payload]), [[authorB, 1, 'b says hi'], [authorB, 2, 'x'], [authorB, 3, { y: 2 }]])
    const summaryC = JSON.parse(c.out)
    assert.equal(summaryC.imported, 8)
    assert.equal(summaryC.pending, 0)
    assert.equal(summaryC.rejectedCount, 0)
    assert.equal(summaryC.corrupt, null)
    // B's export alone: its entries wait for A's, and status says for what.
    const pendingOnly = importInto('P', [bLog], true)
    assert.equal(JSON.parse(pendingOnly.out).pending, 3)
    const pendingStatus = JSON.parse(ok(['--dir', pendingOnly.dir, 'status', '--json']))
    assert.equal(pendingStatus.entries, 0)
    assert.deepEqual(pendingStatus.pending.map((p: any) => [p.author, p.fromSeq, p.toSeq, p.waitsFor, p.reason]), [[authorB, 1, 3, a3, 'link']], 'b2 and b3 wait for b1, which waits for a3: one run')
    const pendingHuman = ok(['--dir', pendingOnly.dir, 'status', '--all'])
    assert.match(pendingHuman, /pending: +3 entries/)
    assert.ok(pendingHuman.includes(`seq 1..3 (3 entries) waits for a linked entry ${a3}`), pendingHuman)
    // Without --all: one line per author, with the first thing it waits for.
    const collapsed = ok(['--dir', pendingOnly.dir, 'status'])
    assert.ok(collapsed.includes(`\n  ${authorB.slice(0, 8)} 3 entries in 1 run from seq 1, which waits for a linked entry ${a3}\n`), collapsed)
    assert.ok(!collapsed.includes(b1), collapsed)

    // Importing again changes nothing.
    const again = JSON.parse(okSh(`cat '${aLog}' '${bLog}' | ${lb(c.dir)} import --json`))
    assert.equal(again.imported, 0)
    assert.equal(again.duplicates, 8)
    assert.deepEqual(state(c.dir), sc)
    const againHuman = okSh(`cat '${bLog}' | ${lb(d.dir)} import`)
    assert.match(againHuman, /imported: +0 entries/)
    assert.match(againHuman, /duplicates: +3 entries/)
    assert.deepEqual(state(d.dir), sc)

    // a.log twice imports as a.log once; the summary counts the duplicates.
    const e = importInto('E', [aLog, aLog], true)
    const f = importInto('F', [aLog], true)
    assert.deepEqual(JSON.parse(e.out).imported, 5)
    assert.deepEqual(JSON.parse(e.out).duplicates, 5)
    assert.deepEqual(JSON.parse(f.out).duplicates, 0)
    const se = state(e.dir)
    assert.equal((se.ids as string[]).length, 5)
    assert.deepEqual(se, state(f.dir))

    // Text exports, either order, and a mixed binary + text stream.
    assert.deepEqual(state(importInto('CJ', [aJson, bJson]).dir), sc)
    assert.deepEqual(state(importInto('DJ', [bJson, aJson]).dir), sc)
    assert.deepEqual(state(importInto('M', [aLog, bJson]).dir), sc)
    // Files named on the command line (and `-` for stdin) are one stream too.
    const named = at('s1', 'N')
    ok(['--dir', named, 'init', '--space', space])
    okSh(`cat '${aJson}' | ${lb(named)} import '${bLog}' -`)
    assert.deepEqual(state(named), sc)
  })

  test('a copied store forks its identity; every store sees the same fork; `identity new` is the way out', async () => {
    const a = at('s2', 'A')
    const a2 = at('s2', 'A2')
    const author = JSON.parse(ok(['--dir', a, 'init', '--json'])).author
    const space = ok(['--dir', a, 'space']).trim()
    ok(['--dir', a, 'append', '"first"'])
    ok(['--dir', a, 'append', '"second"'])
    cpSync(a, a2, { recursive: true })
    assert.equal(ok(['--dir', a2, 'id']).trim(), author)
    ok(['--dir', a, 'append', '"written on A"'])
    ok(['--dir', a2, 'append', '"written on A2"'])
    const fa = at('s2', 'a.log')
    const fa2 = at('s2', 'a2.log')
    okSh(`${lb(a)} export > '${fa}' && ${lb(a2)} export > '${fa2}'`)

    const x = at('s2', 'X')
    const y = at('s2', 'Y')
    ok(['--dir', x, 'init', '--space', space])
    ok(['--dir', y, 'init', '--space', space])
    ok(['--dir', x, 'import', fa])
    const second = JSON.parse(ok(['--dir', x, 'import', '--json', fa2]))
    assert.deepEqual(second.forked, [author])
    ok(['--dir', y, 'import', fa2])
    ok(['--dir', y, 'import', fa])
    const forksX = JSON.parse(ok(['--dir', x, 'forks', '--json']))
    const forksY = JSON.parse(ok(['--dir', y, 'forks', '--json']))
    assert.equal(forksX.length, 1)
    assert.equal(forksX[0].author, author)
    assert.equal(forksX[0].seq, 3)
    assert.equal(forksX[0].proof.length, 2)
    assert.deepEqual(forksY, forksX)
    assert.match(ok(['--dir', x, 'forks']), new RegExp(`^${author} 3 [0-9a-f]{64} [0-9a-f]{64}\\n$`))
    assert.deepEqual(state(x), state(y))
    assert.match(ok(['--dir', x, 'verify']), /^ok: 4 entries verified\n$/)
    assert.match(ok(['--dir', y, 'verify']), /^ok: 4 entries verified\n$/)

    // A2 learns what A wrote: it must not append with the forked identity.
    ok(['--dir', a2, 'import', fa])
    const refused = run(['--dir', a2, 'append', '"more"'])
    fails(refused, 'IDENTITY_FORKED', 1)
    assert.ok(refused.stderr.includes('identity new'), refused.stderr)
    assert.match(ok(['--dir', a2, 'status']), new RegExp(`forks: +1\\n  ${author} at seq 3`))

    const fresh = ok(['--dir', a2, 'identity', 'new']).trim()
    assert.match(fresh, /^[0-9a-f]{64}$/)
    assert.notEqual(fresh, author)
    assert.equal(ok(['--dir', a2, 'id']).trim(), fresh)
    const retired = join(a2, `identity.${author.slice(0, 16)}.retired.json`)
    assert.ok(existsSync(retired), 'the old identity is kept')
    assert.equal(JSON.parse(readFileSync(retired, 'utf8')).author, author)
    assert.equal(statSync(retired).mode & 0o777, 0o600)
    const id = ok(['--dir', a2, 'append', '"after the fork"']).trim()
    assert.equal(JSON.parse(ok(['--dir', a2, 'get', id, '--json'])).author, fresh)
    assert.match(ok(['--dir', a2, 'verify']), /^ok: 5 entries verified\n$/)

    // Identity backup and restore.
    const text = ok(['--dir', a, 'identity', 'export'])
    assert.equal(JSON.parse(text).author, author)
    const z = at('s2', 'Z')
    const own = JSON.parse(ok(['--dir', z, 'init', '--space', space, '--json'])).author
    fails(run(['--dir', z, 'identity', 'import'], { input: text }), 'INVALID_ARGUMENT', 1)
    // A store in use is left as it was: nothing retired, the identity unchanged.
    const holder = await Logbook.open({ dir: z })
    try {
      fails(run(['--dir', z, 'identity', 'import', '--force'], { input: text }), 'LOGBOOK_NOT_OPEN', 1)
      assert.equal(readdirSync(z).filter((name) => name.includes('retired')).length, 0)
    } finally {
      await holder.close()
    }
    assert.equal(ok(['--dir', z, 'id']).trim(), own)
    fails(run(['--dir', z, 'identity', 'import'], { input: 'not an identity' }), 'INVALID_IDENTITY', 1)
    assert.equal(ok(['--dir', z, 'identity', 'import', '--force'], { input: text }).trim(), author)
    assert.equal(ok(['--dir', z, 'id']).trim(), author)
    assert.ok(existsSync(join(z, `identity.${own.slice(0, 16)}.retired.json`)))
    assert.equal(ok(['--dir', z, 'identity', 'import'], { input: text }).trim(), author, 'the same identity again is fine')
  })

  test('append --lines: 10,000 lines, 10 signatures; `log | head -1` exits quietly', () => {
    const dir = at('s3')
    ok(['--dir', dir, 'init'])
    const ids = okSh(`seq 1 10000 | ${lb(dir)} append --lines`).split('\n').filter((line) => line !== '')
    assert.equal(ids.length, 10000)
    assert.equal(new Set(ids).size, 10000)
    assert.ok(ids.every((id) => /^[0-9a-f]{64}$/.test(id)))
    const segments = ndjson(ok(['--dir', dir, 'export', '--json']))
    const entries = segments.flatMap((segment) => segment.entries)
    assert.equal(entries.length, 10000)
    assert.equal(entries.filter((entry) => entry.signature !== null).length, 10)
    assert.deepEqual(entries.slice(0, 3).map((entry) => entry.json), [1, 2, 3])
    assert.equal(entries.at(-1).id, ids.at(-1))

    const log = ndjson(ok(['--dir', dir, 'log', '--json', '--limit', '2']))
    assert.deepEqual(log.map((entry) => [entry.localSeq, entry.seq, entry.payload, entry.id]), [[1, 1, 1, ids[0]], [2, 2, 2, ids[1]]])
    assert.match(ok(['--dir', dir, 'log', '--limit', '1']), new RegExp(`^1 [0-9a-f]{8} 1 ${ids[0].slice(0, 12)} \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z 1\\n$`))

    // The reader goes away after one line: no EPIPE error, no stack, exit 0.
    const piped = sh(`( ${lb(dir)} log; echo "exit=$?" >&2 ) | head -1`)
    assert.match(piped.stdout, /^1 [0-9a-f]{8} 1 [0-9a-f]{12} \S+Z 1\n$/)
    assert.equal(piped.stderr, 'exit=0\n')
    const pipedExport = sh(`( ${lb(dir)} export; echo "exit=$?" >&2 ) | head -c 10 > /dev/null`)
    assert.equal(pipedExport.stderr, 'exit=0\n')
    // Input that cannot be meant as an entry is refused, and nothing is appended.
    fails(run(['--dir', dir, 'append'], { input: '' }), 'INVALID_ARGUMENT', 1)
    fails(run(['--dir', dir, 'append'], { input: Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x80]) }), 'INVALID_PAYLOAD', 1)
    assert.equal(state(dir).entries, 10000)
    // A line too large, after more than a segment's worth of good lines: nothing is appended, and its
    // line number is named (a rerun after fixing it cannot duplicate the lines before it).
    const big = sh(`( seq 1 1500; printf '"'; head -c 1100000 /dev/zero | tr '\\0' a; echo '"'; seq 1 5 ) | ${lb(dir)} append --lines`)
    fails(big, 'PAYLOAD_TOO_LARGE', 1)
    assert.match(big.stderr, /line 1501: /)
    assert.equal(big.stdout, '')
    assert.equal(state(dir).entries, 10000)
    // A reader that stops early does not stop an append: every line is appended.
    const pipedAppend = sh(`( seq 1 5000 | ${lb(dir)} append --lines; echo "exit=$?" >&2 ) | head -1`)
    assert.match(pipedAppend.stdout, /^[0-9a-f]{64}\n$/)
    assert.equal(pipedAppend.stderr, 'exit=0\n')
    assert.equal(state(dir).entries, 15000)
  })

  test('bad arguments and missing stores: one `logbook: CODE: message` line, no stack trace', () => {
    const dir = at('s4', 'store')
    ok(['--dir', dir, 'init'])
    fails(run(['--dir', dir, 'frobnicate']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir]), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'log', '--bogus']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'log', '--limit', 'many']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'get', 'not-hex']), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'get', 'AB'.repeat(32)]), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'get', 'ab'.repeat(32)]), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'append', '1', '--link', '123']), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'append', '1', '--link', 'ab'.repeat(32)]), 'LINK_NOT_FOUND', 1)
    fails(run(['--dir', dir, 'init', '--space', 'xyz']), 'INVALID_KEY', 2)
    fails(run(['--dir', dir, 'append', '--lines', '5']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'import', '-', '-']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'init']), 'LOGBOOK_ALREADY_INITIALIZED', 1)
    fails(run(['--dir', dir, 'append'], { input: JSON.stringify('x'.repeat(2 * 1024 * 1024)) }), 'PAYLOAD_TOO_LARGE', 1)
    fails(run(['--dir', dir, 'import', at('s4', 'no-such-file')]), 'INVALID_ARGUMENT', 1)
    fails(run(['--dir', dir, 'import'], { input: 'garbage' }), 'CORRUPT_FRAME', 1)
    // No --dir: the default ./.logbook in an empty directory, and LOGBOOK_DIR.
    const empty = at('s4', 'empty')
    ok(['--dir', at('s4', 'empty', 'unused'), 'init'])
    fails(run(['log'], { cwd: empty }), 'LOGBOOK_NOT_INITIALIZED', 1)
    fails(run(['id'], { cwd: empty }), 'LOGBOOK_NOT_INITIALIZED', 1)
    assert.equal(run(['id'], { cwd: empty, env: { LOGBOOK_DIR: dir } }).stdout, ok(['--dir', dir, 'id']))
    assert.equal(run(['log'], { cwd: empty, env: { LOGBOOK_DIR: at('s4', 'nope') } }).status, 1)
    // An empty --dir (an unset variable) is refused rather than taken as ./.logbook.
    fails(run(['--dir', '', 'status'], { cwd: empty }), 'INVALID_ARGUMENT', 2)
    fails(run(['status'], { cwd: empty, env: { LOGBOOK_DIR: '' } }), 'INVALID_ARGUMENT', 2)
    assert.match(ok(['--dir', dir, 'verify']), /^ok: 0 entries verified\n$/)
  })

  test('a store whose database is missing or damaged says so, and is not taken for an empty store', () => {
    const dir = at('s4b', 'store')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '1'])
    // Views hold derived data only: a damaged views/ names the way out.
    rmSync(join(dir, 'views'), { recursive: true })
    writeFileSync(join(dir, 'views'), 'not a database')
    const views = fails(run(['--dir', dir, 'status']), 'LOGBOOK_NOT_OPEN', 1)
    assert.match(views.stderr, /views database could not be opened .*remove it and the views rebuild from the log/)
    rmSync(join(dir, 'views'))
    assert.equal(JSON.parse(ok(['--dir', dir, 'status', '--json'])).entries, 1)
    // A damaged database is not "in use by another process".
    const current = readFileSync(join(dir, 'db', 'CURRENT'))
    writeFileSync(join(dir, 'db', 'CURRENT'), 'garbage\n')
    const damaged = fails(run(['--dir', dir, 'status']), 'LOGBOOK_NOT_OPEN', 1)
    assert.doesNotMatch(damaged.stderr, /in use/)
    assert.match(damaged.stderr, /could not be opened: /)
    writeFileSync(join(dir, 'db', 'CURRENT'), current)
    // A missing database: an error, not an empty store.
    rmSync(join(dir, 'db'), { recursive: true })
    const missing = fails(run(['--dir', dir, 'status']), 'LOGBOOK_NOT_OPEN', 1)
    assert.match(missing.stderr, /database \(.*db\) is missing/)
    // (LevelDB leaves an empty directory behind; the store is still reported missing, not made empty.)
    assert.match(fails(run(['--dir', dir, 'log']), 'LOGBOOK_NOT_OPEN', 1).stderr, /is missing/)
  })

  test('a truncated export: exit 1, the corrupt offset is named, what came before is kept', () => {
    const src = at('s5', 'src')
    ok(['--dir', src, 'init'])
    const space = ok(['--dir', src, 'space']).trim()
    ok(['--dir', src, 'append', '"one"'])
    ok(['--dir', src, 'append', '--lines', '--string'], { input: 'two\nthree\n' })
    const prefix = at('s5', 'prefix.log')
    const full = at('s5', 'full.log')
    okSh(`${lb(src)} export > '${prefix}'`)
    ok(['--dir', src, 'append', '{"four":4}'])
    okSh(`${lb(src)} export > '${full}'`)
    const prefixBytes = readFileSync(prefix)
    const fullBytes = readFileSync(full)
    assert.ok(fullBytes.subarray(0, prefixBytes.length).equals(prefixBytes), 'the last entry is the last frame')
    const cut = at('s5', 'cut.log')
    writeFileSync(cut, fullBytes.subarray(0, fullBytes.length - 5))

    const human = at('s5', 'H')
    ok(['--dir', human, 'init', '--space', space])
    const result = run(['--dir', human, 'import', cut])
    fails(result, 'CORRUPT_FRAME', 1)
    assert.match(result.stdout, new RegExp(`corrupt: +corrupt or truncated input at byte ${prefixBytes.length}: `))
    assert.match(result.stdout, /imported: +3 entries/)
    assert.deepEqual(ndjson(ok(['--dir', human, 'log', '--json'])).map((entry) => entry.payload), ['one', 'two', 'three'])
    assert.match(ok(['--dir', human, 'verify']), /^ok: 3 entries verified\n$/)
    // Several files: the damage is also named by file and offset in it.
    const two = run(['--dir', human, 'import', prefix, cut])
    fails(two, 'CORRUPT_FRAME', 1)
    assert.match(two.stderr, new RegExp(`at byte ${prefixBytes.length * 2}: .*\\(in .*cut\\.log at byte ${prefixBytes.length}\\)`))

    const json = at('s5', 'J')
    ok(['--dir', json, 'init', '--space', space])
    const piped = sh(`cat '${cut}' | ${lb(json)} import --json`)
    assert.equal(piped.status, 1)
    const summary = JSON.parse(piped.stdout)
    assert.equal(summary.corrupt.offset, prefixBytes.length)
    assert.equal(summary.corrupt.code, 'CORRUPT_FRAME')
    assert.equal(summary.imported, 3)
    assert.equal(ok(['--dir', json, 'verify', '--json']).trim(), JSON.stringify({ ok: true, entries: 3, problems: [] }))
  })
})
