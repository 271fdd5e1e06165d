// Values arrive exactly as typed, or are refused: through the command (argument, stdin, --lines, kv put)
// and through the library (append, kv put, JsonText, parseExactJson).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { JsonText, Logbook, LogbookError, kvView, parseExactJson, type KvApi, type Payload } from '../src/index.js'
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
      const entry = await book.store.reader.get(Buffer.from(id, 'hex'))
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

describe('the library refuses what JSON cannot hold exactly', () => {
  class Point { constructor (readonly x = 1) {} }
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
    ['nested bytes', { bytes: new Uint8Array(2) }, /at \.bytes: a Uint8Array/]
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
      const values = [{ a: 1, b: [true, null, 'é'] }, 'text', 0, -1.5, Number.MAX_SAFE_INTEGER, [], {}, Object.assign(Object.create(null), { bare: 1 })]
      const ids = await book.append(values)
      for (let i = 0; i < values.length; i++) {
        const stored = await book.store.reader.get(Buffer.from(ids[i], 'hex'))
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
