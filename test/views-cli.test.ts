// The kv and views commands end to end: real processes, real stores in temporary directories.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Logbook } from '../src/index.js'
import { ViewKeyspace } from '../src/views/keyspace.js'
import { fails, ndjson, ok, okSh, run, tempDir } from './helpers/cli.js'

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)
const lb = (dir: string): string => `"$NODE" bin/logbook.js --dir '${dir}'`
const getJson = (dir: string, key: string): any => JSON.parse(ok(['--dir', dir, 'kv', 'get', key, '--json']))
/** A kv result without the per-store parts (none today, but `forked` depends on the proofs a store has). */
const comparable = (result: any): any => ({ key: result.key, conflict: result.conflict, values: result.values.map((v: any) => [v.id, v.author, v.seq, v.value, v.deleted]) })

before(() => { tmp = tempDir('logbook-views-cli-') })
after(() => { tmp.cleanup() })

describe('kv and views commands', () => {
  test('two stores write one key concurrently: the same conflict on both after exchanging exports in either order, one value after a resolving put', () => {
    const a = at('c1', 'A')
    const b = at('c1', 'B')
    ok(['--dir', a, 'init'])
    const space = ok(['--dir', a, 'space']).trim()
    ok(['--dir', b, 'init', '--space', space])
    const red = ok(['--dir', a, 'kv', 'put', 'color', '"red"']).trim()
    const blue = JSON.parse(ok(['--dir', b, 'kv', 'put', 'color', '{"r":0,"g":0,"b":255}', '--json'])).id
    const aLog = at('c1', 'a.log')
    const bLog = at('c1', 'b.log')
    okSh(`${lb(a)} export > '${aLog}' && ${lb(b)} export > '${bLog}'`)
    okSh(`cat '${bLog}' '${aLog}' | ${lb(a)} import`)
    okSh(`cat '${aLog}' '${bLog}' | ${lb(b)} import`)
    const onA = getJson(a, 'color')
    const onB = getJson(b, 'color')
    assert.equal(onA.conflict, true)
    assert.deepEqual(comparable(onA), comparable(onB))
    assert.deepEqual(onA.values.map((v: any) => [v.id, v.value]).sort(), [[red, 'red'], [blue, { r: 0, g: 0, b: 255 }]].sort())
    const text = ok(['--dir', b, 'kv', 'get', 'color'])
    assert.match(text, /^\(conflict: 2 values/)
    assert.ok(text.includes('"red"') && text.includes('{"r":0,"g":0,"b":255}'))

    const green = ok(['--dir', a, 'kv', 'put', 'color', '"green"']).trim()
    assert.deepEqual(JSON.parse(ok(['--dir', a, 'get', green, '--json'])).links.sort(), [red, blue].sort(), 'the put links to both values')
    okSh(`${lb(a)} export > '${aLog}' && ${lb(b)} export > '${bLog}'`)
    okSh(`cat '${aLog}' '${bLog}' | ${lb(b)} import && cat '${bLog}' '${aLog}' | ${lb(a)} import`)
    for (const dir of [a, b]) {
      const result = getJson(dir, 'color')
      assert.equal(result.conflict, false)
      assert.deepEqual(result.values.map((v: any) => [v.id, v.value]), [[green, 'green']])
      assert.equal(ok(['--dir', dir, 'kv', 'get', 'color']), '"green"\n')
    }
  })

  test('put takes JSON or a string; del, get and list with --prefix, --limit and --json; missing keys are NOT_FOUND', () => {
    const dir = at('c2')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'kv', 'put', 'n', '42'])
    ok(['--dir', dir, 'kv', 'put', 'text', 'hello world', '--string'])
    ok(['--dir', dir, 'kv', 'put', 'obj', '{"a":[1,2]}'])
    ok(['--dir', dir, 'kv', 'put', 'gone', '"soon"'])
    assert.deepEqual(getJson(dir, 'n').values[0].value, 42)
    assert.deepEqual(getJson(dir, 'text').values[0].value, 'hello world')
    assert.deepEqual(getJson(dir, 'obj').values[0].value, { a: [1, 2] })
    ok(['--dir', dir, 'kv', 'del', 'gone'])
    fails(run(['--dir', dir, 'kv', 'get', 'gone']), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'kv', 'get', 'never']), 'NOT_FOUND', 1)
    // Nothing is appended for a deletion of an absent key, or for a key the view could not hold.
    const entries = (): number => JSON.parse(ok(['--dir', dir, 'status', '--json'])).entries
    const before = entries()
    fails(run(['--dir', dir, 'kv', 'del', 'gone']), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'kv', 'del', 'never']), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'kv', 'put', 'k'.repeat(16 * 1024 + 1), '1']), 'INVALID_ARGUMENT', 1)
    assert.equal(entries(), before)
    assert.equal(ok(['--dir', dir, 'kv', 'list']), 'n 42\nobj {"a":[1,2]}\ntext "hello world"\n')
    assert.deepEqual(ndjson(ok(['--dir', dir, 'kv', 'list', '--prefix', 'o', '--json'])).map((r) => r.key), ['obj'])
    assert.deepEqual(ndjson(ok(['--dir', dir, 'kv', 'list', '--limit', '2', '--json'])).map((r) => r.key), ['n', 'obj'])
    fails(run(['--dir', dir, 'kv', 'put', 'only-a-key']), 'INVALID_ARGUMENT', 2)
    // Keys that would break the line format are printed as JSON strings.
    ok(['--dir', dir, 'kv', 'put', 'a b', '1'])
    ok(['--dir', dir, 'kv', 'put', 'x\ny', '2'])
    ok(['--dir', dir, 'kv', 'put', '', '3'])
    assert.equal(ok(['--dir', dir, 'kv', 'list', '--limit', '3']), '"" 3\n"a b" 1\nn 42\n')
    assert.equal(ok(['--dir', dir, 'kv', 'list', '--prefix', 'x']), '"x\\ny" 2\n')
  })

  test('a forked author\'s value is marked by kv get', async () => {
    const a = at('c3', 'A')
    const twin = at('c3', 'twin')
    const b = at('c3', 'B')
    ok(['--dir', a, 'init'])
    const space = ok(['--dir', a, 'space']).trim()
    ok(['--dir', twin, 'init', '--space', space])
    ok(['--dir', b, 'init', '--space', space])
    // The same identity on a second device: both write their own seq 1.
    okSh(`${lb(a)} identity export | ${lb(twin)} identity import --force`)
    ok(['--dir', a, 'kv', 'put', 'k', '"from a"'])
    ok(['--dir', twin, 'kv', 'put', 'k', '"from the twin"'])
    ok(['--dir', b, 'kv', 'put', 'k', '"honest"'])
    okSh(`${lb(a)} export | ${lb(b)} import && ${lb(twin)} export | ${lb(b)} import`)
    const result = getJson(b, 'k')
    assert.deepEqual(result.values.map((v: any) => [v.value, v.forked]).sort(), [['from a', true], ['from the twin', true], ['honest', false]])
    const text = ok(['--dir', b, 'kv', 'get', 'k'])
    assert.equal(text.split('\n').filter((line) => line.includes('(forked author)')).length, 2)
    assert.ok(text.split('\n').some((line) => line.includes('"honest"') && !line.includes('forked')))
  })

  test('views lists progress and failures; rebuild and check; unknown and foreign views are refused', async () => {
    const dir = at('c4')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '--lines'], { input: '{"type":"kv","key":"a","value":1}\n{"type":"kv","key":7}\n{"type":"note"}\n' })
    // Not built yet: listed as all behind.
    const fresh = ndjson(ok(['--dir', dir, 'views', '--json']))
    assert.deepEqual(fresh.map((s) => [s.name, s.applied, s.behind, s.known]), [['kv', 0, 3, true], ['types', 0, 3, true]])
    ok(['--dir', dir, 'kv', 'list'])
    const listed = ndjson(ok(['--dir', dir, 'views', '--json']))
    const kv = listed.find((s) => s.name === 'kv')
    assert.deepEqual([kv.applied, kv.behind, kv.failures, kv.version], [3, 0, 1, 1])
    const bad = ndjson(ok(['--dir', dir, 'log', '--json']))[1].id
    assert.equal(kv.firstFailures[0].id, bad)
    assert.match(ok(['--dir', dir, 'views']), new RegExp(`failed: ${bad} TypeError`))

    const rebuilt = JSON.parse(ok(['--dir', dir, 'views', 'rebuild', 'types', '--json']))
    assert.deepEqual([rebuilt.name, rebuilt.applied, rebuilt.behind], ['types', 3, 0])
    const check = JSON.parse(ok(['--dir', dir, 'views', 'check', 'kv', '--orders', '4', '--seed', '5', '--json']))
    assert.deepEqual([check.ok, check.deterministic, check.converges, check.seed, check.orders], [true, true, true, 5, 4])
    assert.match(ok(['--dir', dir, 'views', 'check', 'types']), /determinism: ok/)
    fails(run(['--dir', dir, 'views', 'rebuild', 'nope']), 'NOT_FOUND', 1)
    fails(run(['--dir', dir, 'views', 'check', 'kv', '--orders', '2', '--seed', '4294967296']), 'INVALID_ARGUMENT', 2)
    fails(run(['--dir', dir, 'views', 'frob']), 'INVALID_ARGUMENT', 2)

    // A view an application stored: listed, but the command cannot rebuild it.
    const book = await Logbook.open({ dir })
    book.use('app-view', { apply: (entries, tx) => { for (const entry of entries) tx.put(entry.id, 1) } })
    await book.view('app-view').ready()
    await book.close()
    const foreign = ndjson(ok(['--dir', dir, 'views', '--json'])).find((s) => s.name === 'app-view')
    assert.deepEqual([foreign.known, foreign.applied], [false, 3])
    fails(run(['--dir', dir, 'views', 'check', 'app-view']), 'INVALID_ARGUMENT', 1)
  })

  // util-linux `script` gives the command a terminal; without it there is no terminal to test with.
  test('views rebuild draws a progress bar on a terminal', { skip: !existsSync('/usr/bin/script') }, () => {
    const dir = at('c6')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '--lines'], { input: Array.from({ length: 5000 }, (_, i) => `{"type":"kv","key":"k${i}","value":${i}}`).join('\n') })
    const output = okSh(`script -qc "${lb(dir).replace(/"/g, '\\"')} views rebuild kv" /dev/null`)
    assert.match(output, /rebuilding kv \[=+-*\] \d+% \| \d+\/5000 entries/)
    assert.match(output, /kv +version 1 +5000\/5000 entries, 0 behind/)
  })

  test('views check fails with VERIFY_FAILED and names the key when the live view was altered', async () => {
    const dir = at('c5')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'kv', 'put', 'x', '1'])
    ok(['--dir', dir, 'kv', 'get', 'x']) // the view applies the put
    // Damage the stored view behind its back: a rebuild no longer matches it.
    const book = await Logbook.open({ dir })
    const keyspace = new ViewKeyspace(book.viewsDb, 'kv')
    await keyspace.data.put('x', '[]')
    await book.close()
    const result = run(['--dir', dir, 'views', 'check', 'kv'])
    fails(result, 'VERIFY_FAILED', 1)
    assert.match(result.stderr, /not deterministic.*"x"/)
    assert.match(result.stdout, /determinism: FAILED/)
    assert.match(result.stdout, /differs at: {2}key "x": \[\] vs \[\[/)
    // A rebuild repairs it.
    ok(['--dir', dir, 'views', 'rebuild', 'kv'])
    assert.match(ok(['--dir', dir, 'views', 'check', 'kv']), /determinism: ok/)
  })
})
