// Values arrive exactly as typed, or are refused: through the command (argument, stdin, --lines, kv put)
// and through the library (append, kv put, JsonText, parseExactJson).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { runInNewContext } from 'node:vm'
import { JsonText, Logbook, LogbookError, MAX_JSON_DEPTH, kvView, parseExactJson, type KvApi, type Payload } from '../src/index.js'
import { fails, ndjson, ok, run, tempDir } from './helpers/cli.js'
import { memoryBook } from './helpers/fixtures.js'

let tmp: { path: string, cleanup: () => void }
before(() => { tmp = tempDir('logbook-values-') })
after(() => { tmp.cleanup() })

let stores = 0
function freshStore (): string {
  const dir = join(tmp.path, `s${stores++}`)
  ok(['--dir', dir, 'init'])
  return dir
}

const entryCount = (dir: string): number => JSON.parse(ok(['--dir', dir, 'status', '--json'])).entries

/** The payload bytes a store holds for each of `ids`, as UTF-8 text (read by the library, not re-encoded). */
async function storedTexts (dir: string, ids: string[]): Promise<string[]> {
  const book = await Logbook.open({ dir })
  try {
    const texts: string[] = []
    for (const id of ids) {
      const entry = await book.internalStore.reader.get(Buffer.from(id, 'hex'))
      assert.ok(entry !== undefined, `entry ${id} is stored`)
      texts.push(Buffer.from(entry.payload).toString('utf8'))
    }
    return texts
  } finally {
    await book.close()
  }
}

/** Text that JSON.parse would quietly change, or that is not JSON at all: [typed, what the error must name]. */
const REFUSED: Array<[string, RegExp]> = [
  ['1e400', /1e400 is too large/],
  ['12345678901234567890', /beyond 2\^53.*12345678901234567000/],
  ['9007199254740993', /beyond 2\^53/],
  ['{"a":1,"a":2}', /column 8: duplicate key "a"/],
  ['{"a":1,"\\u0061":1}', /duplicate key "a"/],
  ['-0', /negative zero/],
  ['[1, -0.0]', /column 5: -0.0 is negative zero/],
  ['{"x":1e-400}', /column 6: 1e-400 is too small/],
  ['0.10000000000000000001', /too precise/],
  ['1.7976931348623158e308', /too precise/],
  ['{"a":', /column 6: not valid JSON/],
  ['[1,]', /column 4: not valid JSON/],
  ['{"a":1}}', /column 8: not valid JSON/],
  ['hello', /not valid JSON.*add --string/],
  ['{"a":\n  1e400}', /line 2, column 3: 1e400/]
]

/** Text stored byte for byte as typed (compact JSON as JSON.stringify writes it). */
const EXACT = ['{"a":1}', '18014398509481984', '0.1', '1e+21', '"\\ud800"', '[1,"two",{"3":null,"b":false}]', '"é ✓ 😀"', 'true', 'null', '-12.5e-7']

describe('the command stores values exactly as typed, or refuses them', () => {
  test('append VALUE, from the argument and from stdin', async () => {
    const dir = freshStore()
    for (const [text, why] of REFUSED) {
      const refused = fails(run(['--dir', dir, 'append', text]), 'INVALID_PAYLOAD', 1)
      assert.match(refused.stderr, why, text)
    }
    for (const text of ['1e400', '{"a":1,"a":2}', '-0']) fails(run(['--dir', dir, 'append'], { input: text + '\n' }), 'INVALID_PAYLOAD', 1)
    assert.equal(entryCount(dir), 0, 'nothing refused was appended')
    const ids = EXACT.map((text) => ok(['--dir', dir, 'append', text]).trim())
    // White space is not data: the value is stored as JSON writes it.
    ids.push(ok(['--dir', dir, 'append'], { input: '{ "b" : [ 1 , 2 ] }\n' }).trim())
    // -12.5e-7 is the one spelling here that JSON.stringify writes differently: the same value, stored as JSON writes it.
    const expected = [...EXACT.map((text) => text === '-12.5e-7' ? JSON.stringify(-12.5e-7) : text), '{"b":[1,2]}']
    assert.deepEqual(await storedTexts(dir, ids), expected)
    assert.deepEqual(ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.payload), expected.map((text) => JSON.parse(text)))
  })

  test('--string stores the text itself, never as a fallback', async () => {
    const dir = freshStore()
    const typed = ['hello', '{"a":', '1e400', '  spaced  ', '']
    const ids = typed.map((text) => ok(['--dir', dir, 'append', '--string', text]).trim())
    // From stdin, the one line end that echo adds is not part of the text; everything else is.
    ids.push(ok(['--dir', dir, 'append', '--string'], { input: 'two\nlines\n' }).trim())
    assert.deepEqual(await storedTexts(dir, ids), [...typed, 'two\nlines'].map((text) => JSON.stringify(text)))
  })

  test('append --lines checks every line before appending any', () => {
    const dir = freshStore()
    const bad = run(['--dir', dir, 'append', '--lines'], { input: '1\n2\n3\n{"a":1,"a":2}\n5\n' })
    fails(bad, 'INVALID_PAYLOAD', 1)
    assert.match(bad.stderr, /line 4, column 8: duplicate key "a".*nothing was appended/)
    assert.equal(bad.stdout, '')
    for (const [text, why] of REFUSED.filter(([typed]) => !typed.includes('\n')).slice(0, 6)) {
      const refused = run(['--dir', dir, 'append', '--lines'], { input: `"fine"\n\n${text}\n"also fine"\n` })
      fails(refused, 'INVALID_PAYLOAD', 1)
      assert.match(refused.stderr, /line 3, /, text)
      assert.match(refused.stderr, why, text)
    }
    // Invalid UTF-8 names its line.
    const notText = run(['--dir', dir, 'append', '--lines'], { input: Buffer.concat([Buffer.from('1\n2\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n4\n')]) })
    fails(notText, 'INVALID_PAYLOAD', 1)
    assert.match(notText.stderr, /stdin line 3 is not UTF-8 text/)
    assert.equal(entryCount(dir), 0)

    // Good input: every non-empty line, LF or CRLF; --quiet prints only the count, --json NDJSON.
    assert.equal(ok(['--dir', dir, 'append', '--lines', '--quiet'], { input: '1\r\n\r\n{"b":2}\r\n"three"\n' }), '3\n')
    assert.deepEqual(ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.payload), [1, { b: 2 }, 'three'])
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'append', '--lines', '--quiet', '--json'], { input: '4\n5\n' })), { appended: 2 })
    const ids = ndjson(ok(['--dir', dir, 'append', '--lines', '--json'], { input: '6\n7\n' }))
    assert.equal(ids.length, 2)
    assert.ok(ids.every((line) => /^[0-9a-f]{64}$/.test(line.id)))
    assert.equal(entryCount(dir), 7)
  })

  test('bytes that are not text, a byte-order mark, blank lines and deep nesting', () => {
    const dir = freshStore()
    // Node turns argument bytes that are not UTF-8 into U+FFFD: refused, where stdin is read exactly.
    const notUtf8 = Buffer.from([0x22, 0xff, 0x22]).toString('latin1')
    for (const args of [['append', '"\ufffd"'], ['append', '--string', 'a\ufffdb'], ['kv', 'put', 'k\ufffd', '1'], ['kv', 'put', 'k', '"\ufffd"']]) {
      assert.match(fails(run(['--dir', dir, ...args]), 'INVALID_PAYLOAD', 1).stderr, /U\+FFFD/)
    }
    fails(run(['--dir', dir, 'append'], { input: Buffer.from(notUtf8, 'latin1') }), 'INVALID_PAYLOAD', 1)
    // A byte-order mark is no JSON: refused, naming it; as text it is kept, like every other character.
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    assert.match(fails(run(['--dir', dir, 'append'], { input: Buffer.concat([bom, Buffer.from('{"a":1}')]) }), 'INVALID_PAYLOAD', 1).stderr, /column 1: .*byte-order mark/)
    assert.match(fails(run(['--dir', dir, 'append', '--lines'], { input: Buffer.concat([Buffer.from('1\n'), bom, Buffer.from('2\n')]) }), 'INVALID_PAYLOAD', 1).stderr, /line 2, column 1: .*byte-order mark/)
    assert.equal(entryCount(dir), 0)
    ok(['--dir', dir, 'append', '--string'], { input: Buffer.concat([bom, Buffer.from('abc')]) })
    assert.deepEqual(ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.payload), ['\ufeffabc'])
    // A line of white space holds no JSON value: skipped like an empty line. As text, it is text.
    assert.equal(ok(['--dir', dir, 'append', '--lines', '--quiet'], { input: '1\n   \n\t\n2\n' }), '2\n')
    assert.equal(ok(['--dir', dir, 'append', '--lines', '--quiet', '--string'], { input: 'a\n   \n\nb\n' }), '3\n')
    // Nesting beyond the limit is refused where it starts, from the argument or stdin, however deep.
    const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n)
    assert.match(fails(run(['--dir', dir, 'append', deep(MAX_JSON_DEPTH + 1)]), 'INVALID_PAYLOAD', 1).stderr, new RegExp(`column ${MAX_JSON_DEPTH + 1}: nested deeper than ${MAX_JSON_DEPTH}`))
    fails(run(['--dir', dir, 'append'], { input: deep(200_000) }), 'INVALID_PAYLOAD', 1)
    fails(run(['--dir', dir, 'append', '--lines'], { input: `1\n${deep(100_000)}\n` }), 'INVALID_PAYLOAD', 1)
    const before = entryCount(dir)
    ok(['--dir', dir, 'append', deep(MAX_JSON_DEPTH)])
    assert.equal(entryCount(dir), before + 1)
  })

  test('kv put refuses what it would change, and the key keeps its value', () => {
    const dir = freshStore()
    ok(['--dir', dir, 'kv', 'put', 'x', '"kept"'])
    for (const [text] of REFUSED.slice(0, 6)) fails(run(['--dir', dir, 'kv', 'put', 'x', text]), 'INVALID_PAYLOAD', 1)
    const x = JSON.parse(ok(['--dir', dir, 'kv', 'get', 'x', '--json']))
    assert.deepEqual(x.values.map((value: { value: unknown }) => value.value), ['kept'])
    assert.equal(entryCount(dir), 1)
    ok(['--dir', dir, 'kv', 'put', 'x', '--string', 'hello world'])
    assert.deepEqual(JSON.parse(ok(['--dir', dir, 'kv', 'get', 'x', '--json'])).values[0].value, 'hello world')
  })
})

/** `depth` nested one-member objects around 1. */
function nested (depth: number): unknown {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = { d: value }
  return value
}

describe('the library refuses what JSON cannot hold exactly', () => {
  class Point { constructor (readonly x = 1) {} }
  class ChangedArray extends Array { toJSON (): string { return 'changed' } }
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = { back: cyclic }
  const REFUSED_VALUES: Array<[string, unknown, RegExp]> = [
    ['BigInt', { n: 1n }, /at \.n: a BigInt/],
    ['function', { f: () => 1 }, /at \.f: a function/],
    ['undefined', { u: undefined }, /at \.u: undefined/],
    ['symbol', [[Symbol('s')]], /at \[0\]: a symbol/],
    ['Date', new Date(0), /a Date is not a plain object/],
    ['nested Date', { when: new Date(0) }, /at \.when: a Date/],
    ['Map', new Map([[1, 2]]), /a Map/],
    ['Set', { 'two words': [new Set()] }, /at \["two words"\]\[0\]: a Set/],
    ['class instance', new Point(), /a Point/],
    ['cycle', cyclic, /at \.self\.back: a cycle/],
    ['NaN', NaN, /NaN is not a JSON number/],
    ['Infinity', { a: [1, { b: Infinity }] }, /at \.a\[1\]\.b: Infinity/],
    ['-0', -0, /-0 would be stored as 0/],
    ['array with holes', [[1, , 3]], /holes/], // eslint-disable-line no-sparse-arrays
    ['symbol key', { [Symbol('k')]: 1 }, /symbol keys/],
    ['nested bytes', { bytes: new Uint8Array(2) }, /at \.bytes: a Uint8Array/],
    ['own toJSON', Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'changed' }), /toJSON/],
    ['array subclass with toJSON', { a: ChangedArray.from([1]) }, /at \.a: it has a toJSON/],
    ['getter', { get a () { return 1 } }, /at \.a: a getter/],
    ['throwing getter', { get a (): number { throw new Error('boom') } }, /at \.a: a getter/],
    ['too deep', nested(MAX_JSON_DEPTH + 1), new RegExp(`nested deeper than ${MAX_JSON_DEPTH} levels`)],
    ['a look-alike JsonText', Object.create(JsonText.prototype, { json: { value: '{"a":1,"a":2' } }), /a JsonText is not a plain object/]
  ]

  test('append refuses each with INVALID_PAYLOAD and where it is; a batch with one appends nothing', async () => {
    const book = await memoryBook()
    try {
      for (const [name, value, why] of REFUSED_VALUES) {
        await assert.rejects(book.append(value as Payload), (err: unknown) => {
          assert.ok(err instanceof LogbookError, `${name}: a LogbookError, got ${String(err)}`)
          assert.equal(err.code, 'INVALID_PAYLOAD', name)
          assert.match(err.message, why, name)
          return true
        })
        await assert.rejects(book.append([{ fine: true }, value as Payload]), (err: unknown) => err instanceof LogbookError && err.index === 1)
      }
      // A hole in the batch itself is a missing payload, not a skipped one.
      await assert.rejects(book.append([1, , 3] as Payload[]), /payload 1: undefined/) // eslint-disable-line no-sparse-arrays
      let deep: unknown = 1
      for (let i = 0; i < 100_000; i++) deep = [deep]
      await assert.rejects(book.append(deep as Payload), (err: unknown) => err instanceof LogbookError && err.code === 'INVALID_PAYLOAD')
      assert.equal(book.status().entries, 0)

      const kv = book.use('kv', kvView()).api as KvApi
      await kv.put('x', 'kept')
      await assert.rejects(kv.put('x', { n: 1n } as never), /INVALID_PAYLOAD|a BigInt/)
      assert.deepEqual((await kv.get('x'))?.values.map((value) => value.value), ['kept'])
    } finally {
      await book.close()
    }
  })

  test('what it takes is stored as JSON.stringify writes it and reads back equal', async () => {
    const book = await memoryBook()
    try {
      const values = [{ a: 1, b: [true, null, 'é'] }, 'text', 0, -1.5, Number.MAX_SAFE_INTEGER, [], {}, Object.assign(Object.create(null), { bare: 1 }),
        JSON.parse('{"__proto__":{"x":1},"y":2}'), runInNewContext('({ a: [1, { b: 2 }] })'), nested(MAX_JSON_DEPTH),
        new Proxy({ a: 1 }, {})]
      const ids = await book.append(values)
      for (let i = 0; i < values.length; i++) {
        const stored = await book.internalStore.reader.get(Buffer.from(ids[i], 'hex'))
        assert.equal(Buffer.from(stored?.payload ?? []).toString('utf8'), JSON.stringify(values[i]))
        assert.deepEqual((await book.get(ids[i]))?.payload, JSON.parse(JSON.stringify(values[i])))
      }
    } finally {
      await book.close()
    }
  })

  test('JsonText and parseExactJson read text as the command does', async () => {
    assert.throws(() => parseExactJson('{\n  "a": 1,\n  "a": 2\n}'), /line 3, column 3: duplicate key "a"/)
    assert.throws(() => JsonText.parse('[1,\n 1e400]', { what: 'the file', firstLine: 10 }), /the file, line 11, column 2: 1e400/)
    assert.deepEqual(parseExactJson(' { "a" : [1.0, 1e2] } '), { a: [1, 100] })
    assert.throws(() => new (JsonText as any)('{bad'), TypeError)
    assert.equal(JsonText.textOf({ json: '{}' }), undefined)
    const text = JsonText.parse('{ "b": 2 }')
    assert.equal(text.json, '{"b":2}')
    assert.deepEqual(text.value(), { b: 2 })
    const book = await memoryBook()
    try {
      const id = await book.append(text)
      assert.deepEqual((await book.get(id))?.payload, { b: 2 })
    } finally {
      await book.close()
    }
  })

  test('the Payload type says what is refused', () => {
    // Each line fails to compile if the type accepted it (tsc reports an unused @ts-expect-error).
    const refusedByType = (append: (payload: Payload) => void): void => {
      // @ts-expect-error a BigInt is not a payload
      append({ n: 1n })
      // @ts-expect-error nor a function
      append({ f: () => 1 })
      // @ts-expect-error nor undefined
      append({ u: undefined })
      // @ts-expect-error nor a Date
      append(new Date(0))
      // @ts-expect-error nor a Map
      append(new Map())
      // @ts-expect-error nor a symbol
      append(Symbol('s'))
      append({ fine: [1, 'two', null, { nested: true }] })
      append(new Uint8Array(1))
    }
    const seen: Payload[] = []
    refusedByType((payload) => seen.push(payload))
    assert.equal(seen.length, 8)
  })
})
