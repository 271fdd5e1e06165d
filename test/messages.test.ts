// Messages that lead somewhere: a lost identity names the way out (and the way out works), an input
// that is not an export says what it looks like, a disk that refuses a write is IO_ERROR, a store
// opened twice in one process says so, and the library's own messages name no commands or flags.
// Also: secret files end up readable by their owner only, whatever a stale temporary file said.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Logbook, LogbookError } from '../src/index.js'
import { writeSecret } from '../src/platform/node/store-dir.js'
import { fails, ndjson, ok, okSh, ROOT, run, sh, tempDir } from './helpers/cli.js'

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)

before(() => { tmp = tempDir('logbook-messages-') })
after(() => { tmp.cleanup() })

const mode = (path: string): number => statSync(path).mode & 0o777

async function rejection (promise: Promise<unknown>): Promise<LogbookError> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof LogbookError, `expected a LogbookError, got ${String(err)}`)
    return err
  }
  assert.fail('expected a rejection')
}

/**
 * Makes `dir` refuse writes, as root too (root passes permission checks, not the immutable flag):
 * chattr +i as root, chmod 0555 otherwise. Null when neither works here.
 */
function readOnly (dir: string): (() => void) | null {
  if (process.getuid?.() === 0) {
    if (spawnSync('chattr', ['+i', dir]).status !== 0) return null
    return () => { spawnSync('chattr', ['-i', dir]) }
  }
  chmodSync(dir, 0o555)
  return () => chmodSync(dir, 0o755)
}

describe('secret files', () => {
  test('written owner-only even over a stale temporary file of mode 0644', async () => {
    const dir = at('secret')
    mkdirSync(dir)
    const path = join(dir, 'identity.json')
    writeFileSync(`${path}.tmp`, 'left by an interrupted write')
    chmodSync(`${path}.tmp`, 0o644)
    await writeSecret(path, 'the secret')
    assert.equal(mode(path), 0o600)
    assert.equal(readFileSync(path, 'utf8'), 'the secret\n')
    assert.ok(!existsSync(`${path}.tmp`))
  })

  test('through the command: init and identity new over stale temporary files', () => {
    const dir = at('secret-cli')
    mkdirSync(dir, { mode: 0o700 })
    for (const name of ['identity.json.tmp', 'space.key.tmp']) {
      writeFileSync(join(dir, name), 'stale')
      chmodSync(join(dir, name), 0o644)
    }
    ok(['--dir', dir, 'init'])
    assert.equal(mode(join(dir, 'identity.json')), 0o600)
    assert.equal(mode(join(dir, 'space.key')), 0o600)
    writeFileSync(join(dir, 'identity.json.tmp'), 'stale')
    chmodSync(join(dir, 'identity.json.tmp'), 0o644)
    ok(['--dir', dir, 'identity', 'new'])
    assert.equal(mode(join(dir, 'identity.json')), 0o600)
  })
})

describe('a lost space key', () => {
  test('says so, never leads to init, and init refuses to make a new space over the store', () => {
    const dir = at('lost-key')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '1'])
    const identity = readFileSync(join(dir, 'identity.json'), 'utf8')
    rmSync(join(dir, 'space.key'))
    const line = fails(run(['--dir', dir, 'log']), 'LOGBOOK_NOT_OPEN', 1).stderr
    assert.match(line, /has lost its space key .*restore that file from a backup/)
    assert.doesNotMatch(line, /logbook init/)
    for (const args of [['init'], ['init', '--space', 'ab'.repeat(32)]]) {
      assert.match(fails(run(['--dir', dir, ...args]), 'LOGBOOK_ALREADY_INITIALIZED', 1).stderr, /space key .* is missing/)
    }
    assert.equal(readFileSync(join(dir, 'identity.json'), 'utf8'), identity, 'the identity was not touched')
  })

  test('found from below: the nearest .logbook without its key is named, not passed over', () => {
    const top = at('lost-key-tree')
    mkdirSync(join(top, 'sub'), { recursive: true })
    ok(['init'], { cwd: top })
    ok(['append', '1'], { cwd: top })
    rmSync(join(top, '.logbook', 'space.key'))
    assert.match(fails(run(['log'], { cwd: join(top, 'sub') }), 'LOGBOOK_NOT_OPEN', 1).stderr, /has lost its space key/)
  })

  test('an identity left by an interrupted init is kept, owner-only, when init runs again', () => {
    const dir = at('half-made')
    mkdirSync(dir)
    writeFileSync(join(dir, 'identity.json'), 'left behind\n', { mode: 0o644 })
    ok(['--dir', dir, 'init', '--json'])
    const kept = readdirSync(dir).filter((name) => /^identity\.replaced\.\d+\.json$/.test(name))
    assert.equal(kept.length, 1)
    assert.equal(readFileSync(join(dir, kept[0]), 'utf8'), 'left behind\n')
    assert.equal(statSync(join(dir, kept[0])).mode & 0o777, 0o600)
  })
})

describe('a lost identity', () => {
  test('says so, names the way out, and both ways out work', () => {
    const dir = at('lost')
    const author = JSON.parse(ok(['--dir', dir, 'init', '--json'])).author
    ok(['--dir', dir, 'append', '"one"'])
    const backup = ok(['--dir', dir, 'identity', 'export'])
    rmSync(join(dir, 'identity.json'))
    for (const args of [['append', '"two"'], ['id'], ['log'], ['identity', 'export']]) {
      const result = fails(run(['--dir', dir, ...args]), 'IDENTITY_MISSING', 1)
      assert.match(result.stderr, /identity\.json is missing/)
      assert.match(result.stderr, /`logbook identity import < BACKUP`/)
      assert.match(result.stderr, /`logbook identity new`/)
    }
    // From the backup: the same author goes on with its own feed.
    assert.equal(ok(['--dir', dir, 'identity', 'import'], { input: backup }).trim(), author)
    assert.equal(mode(join(dir, 'identity.json')), 0o600)
    ok(['--dir', dir, 'append', '"two"'])
    const entries = ndjson(ok(['--dir', dir, 'log', '--json']))
    assert.deepEqual(entries.map((entry) => [entry.author, entry.seq, entry.payload]), [[author, 1, 'one'], [author, 2, 'two']])

    // Without a backup: a new identity.
    rmSync(join(dir, 'identity.json'))
    const fresh = ok(['--dir', dir, 'identity', 'new']).trim()
    assert.match(fresh, /^[0-9a-f]{64}$/)
    assert.notEqual(fresh, author)
    assert.equal(ok(['--dir', dir, 'id']).trim(), fresh)
    const id = ok(['--dir', dir, 'append', '"three"']).trim()
    assert.equal(JSON.parse(ok(['--dir', dir, 'get', id, '--json'])).author, fresh)
    assert.match(ok(['--dir', dir, 'verify']), /^ok: 3 entries verified\n$/)
  })

  test('a damaged identity file says so; identity new keeps a copy of it', () => {
    const dir = at('damaged')
    ok(['--dir', dir, 'init'])
    writeFileSync(join(dir, 'identity.json'), 'garbage\n')
    const result = fails(run(['--dir', dir, 'append', '"x"']), 'INVALID_IDENTITY', 1)
    assert.match(result.stderr, /identity file .*identity\.json is damaged/)
    assert.match(result.stderr, /`logbook identity new`/)
    ok(['--dir', dir, 'identity', 'new'])
    const kept = readdirSync(dir).filter((name) => name.startsWith('identity.damaged.'))
    assert.equal(kept.length, 1)
    assert.equal(readFileSync(join(dir, kept[0]), 'utf8'), 'garbage\n')
    ok(['--dir', dir, 'append', '"x"'])
  })
})

describe('an import of something that is not an export', () => {
  let dir: string
  let exportFile: string
  let exported: Buffer
  before(() => {
    const source = at('sniff-source')
    ok(['--dir', source, 'init'])
    ok(['--dir', source, 'append', '--lines', '--string'], { input: 'a\nb\nc\n' })
    exportFile = at('sniff.log')
    okSh(`"$NODE" bin/logbook.js --dir '${source}' export > '${exportFile}'`)
    exported = readFileSync(exportFile)
    dir = at('sniff-target')
    ok(['--dir', dir, 'init', '--space', ok(['--dir', source, 'space']).trim()])
  })

  /** A tar archive holding the export: one 512-byte header ("ustar" at 257), the data, padding. */
  function tarOf (data: Buffer): Buffer {
    const header = Buffer.alloc(512)
    header.write('a.log', 0)
    header.write('ustar\0', 257)
    return Buffer.concat([header, data, Buffer.alloc(512 - (data.byteLength % 512) + 1024)])
  }

  test('names what a file looks like, before anything is imported', () => {
    const db = join(at('sniff-source'), 'db')
    const table = readdirSync(db).find((name) => name.endsWith('.ldb'))
    const files: Array<[name: string, bytes: Buffer | null, looks: RegExp]> = [
      ['a.log.gz', gzipSync(exported), /it looks like gzip-compressed data/],
      ['a.tar', tarOf(exported), /it looks like a tar archive/],
      ['notes.txt', Buffer.from('dear diary\n'), /it looks like text/],
      ['list.json', Buffer.from('[1, 2, 3]\n'), /it looks like JSON text/],
      ['random.bin', Buffer.from([0x00, 0xff, 0x10, 0x80, 0x01]), /it looks like binary data/]
    ]
    if (table !== undefined) files.push(['table.ldb', readFileSync(join(db, table)), /it looks like a LevelDB table file/])
    for (const [name, bytes, looks] of files) {
      const path = at(name)
      writeFileSync(path, bytes as Buffer)
      const result = fails(run(['--dir', dir, 'import', exportFile, path]), 'CORRUPT_FRAME', 1)
      assert.match(result.stderr, new RegExp(`${name} is not a logbook export`))
      assert.match(result.stderr, looks)
    }
    assert.match(fails(run(['--dir', dir, 'import', at('sniff-source')]), 'INVALID_ARGUMENT', 1).stderr, /is a logbook store, not an export; `logbook --dir .* export > FILE`/)
    assert.match(fails(run(['--dir', dir, 'import', db]), 'INVALID_ARGUMENT', 1).stderr, /is a LevelDB database, not a logbook export/)
    // Nothing was imported: the export named first was not read either.
    assert.equal(JSON.parse(ok(['--dir', dir, 'status', '--json'])).entries, 0)
  })

  test('JSON that is not an export, on stdin or after an export: named at its offset, what came before kept', () => {
    const pretty = fails(run(['--dir', dir, 'import'], { input: '{\n  "name": "not an export"\n}\n' }), 'CORRUPT_FRAME', 1)
    assert.match(pretty.stderr, /the input at byte 0 is not a logbook export: it looks like JSON text/)
    const lines = Buffer.concat([exported, Buffer.from('{"id":1,"name":"a row of something else"}\n')])
    const after = fails(run(['--dir', dir, 'import'], { input: lines }), 'CORRUPT_FRAME', 1)
    assert.match(after.stderr, new RegExp(`the input at byte ${exported.byteLength} is not a logbook export: it looks like JSON text; the 3 entries imported before it are kept`))
    const gz = fails(run(['--dir', dir, 'import'], { input: gzipSync(exported) }), 'CORRUPT_FRAME', 1)
    assert.match(gz.stderr, /at byte 0 is not a logbook export: it looks like gzip-compressed data/)
  })

  test('a JSON object that passes the first look: one line naming the file, no summary of nothing', () => {
    const path = at('object.json')
    writeFileSync(path, '{"a":1}\n')
    const result = fails(run(['--dir', dir, 'import', path]), 'CORRUPT_FRAME', 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /is not a logbook export: it looks like JSON text \(in .*object\.json at byte 0\)$/m)
    assert.doesNotMatch(result.stderr, /imported before it/)
  })

  test('an empty input is an empty export, and says so', () => {
    const empty = at('empty.log')
    writeFileSync(empty, '')
    assert.match(ok(['--dir', dir, 'import', empty]), /^input: +empty \(nothing to import\)\nimported: +0 entries\n/)
  })
})

describe('the disk refusing a read or write: IO_ERROR', () => {
  test('a full disk under the journal (ENOSPC, for real: /dev/full)', async () => {
    const dir = at('full')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '"kept"'])
    rmSync(join(dir, 'journal'))
    symlinkSync('/dev/full', join(dir, 'journal'))
    const refused = fails(run(['--dir', dir, 'append', '"lost"']), 'IO_ERROR', 1)
    assert.match(refused.stderr, /ENOSPC/)

    // The library: the failed write, and every write after it, is IO_ERROR; closing still closes.
    const book = await Logbook.open({ dir })
    assert.equal((await rejection(book.append('lost'))).code, 'IO_ERROR')
    const after = await rejection(book.append('also lost'))
    assert.equal(after.code, 'IO_ERROR')
    assert.match(after.message, /an earlier write failed \(ENOSPC/)
    await book.close()

    rmSync(join(dir, 'journal'))
    assert.match(ok(['--dir', dir, 'verify']), /^ok: 1 entries verified\n$/)
    assert.deepEqual(ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.payload), ['kept'])
  })

  test('a full disk under stdout', () => {
    const dir = at('stdout-full')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '"x"'])
    for (const command of ['export', 'log']) {
      const result = sh(`"$NODE" bin/logbook.js --dir '${dir}' ${command} > /dev/full`)
      fails(result, 'IO_ERROR', 1)
      assert.match(result.stderr, /ENOSPC/)
    }
  })

  test('a directory that refuses writes (EPERM as root, EACCES otherwise)', (t) => {
    const dir = at('read-only')
    ok(['--dir', dir, 'init'])
    ok(['--dir', dir, 'append', '"x"'])
    const parent = at('read-only-parent')
    mkdirSync(parent)
    const undo = [readOnly(join(dir, 'db')), readOnly(parent)]
    try {
      if (undo.includes(null)) { t.skip('no way to make a directory read-only here'); return }
      fails(run(['--dir', dir, 'append', '"y"']), 'IO_ERROR', 1)
      fails(run(['--dir', join(parent, 'store'), 'init']), 'IO_ERROR', 1)
    } finally {
      for (const restore of undo) restore?.()
    }
    assert.match(ok(['--dir', dir, 'verify']), /^ok: 1 entries verified\n$/)
  })
})

describe('opening a store that is open already', () => {
  test('twice in this process says so; in another process says that', async () => {
    const dir = at('twice')
    const book = await Logbook.create({ dir })
    try {
      const again = await rejection(Logbook.open({ dir }))
      assert.equal(again.code, 'LOGBOOK_NOT_OPEN')
      assert.match(again.message, /already open in this process/)
      assert.doesNotMatch(again.message, /another process/)
      const other = fails(run(['--dir', dir, 'status']), 'LOGBOOK_NOT_OPEN', 1)
      assert.match(other.stderr, /in use by another process/)
    } finally {
      await book.close()
    }
  })
})

describe('library messages', () => {
  test('name no commands or flags (the command adds those)', async () => {
    // A store that is not there, through the library and through the command.
    const err = await rejection(Logbook.open({ dir: at('nothing-here') }))
    assert.equal(err.code, 'LOGBOOK_NOT_INITIALIZED')
    assert.doesNotMatch(err.message, /logbook init|--dir/)
    assert.match(fails(run(['--dir', at('nothing-here'), 'log']), 'LOGBOOK_NOT_INITIALIZED', 1).stderr, /run `logbook init` first \(or pass --dir\)/)

    // Every string in the library's source: no `logbook COMMAND`, no --flag.
    const offenders: string[] = []
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) { if (path !== join(ROOT, 'src', 'cli')) walk(path); continue }
        if (!entry.name.endsWith('.ts')) continue
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
          if (/^\s*(\/\/|\*|\/\*)/.test(line)) return
          const strings = line.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`/g) ?? []
          if (strings.some((text) => /`logbook [a-z]|\\`logbook [a-z]|(^|[\s'"`(])--[a-z]/.test(text))) offenders.push(`${path}:${i + 1}: ${line.trim()}`)
        })
      }
    }
    walk(join(ROOT, 'src'))
    assert.deepEqual(offenders, [])
  })
})

describe('import with an abort signal (the library)', () => {
  test('stops after the segment in hand, even while waiting for input; the summary says so', async () => {
    const dir = at('abort-source')
    const source = await Logbook.create({ dir })
    const ids = await source.append(Array.from({ length: 3000 }, (_, i) => ({ n: i })))
    const bytes: Uint8Array[] = []
    for await (const chunk of source.export()) bytes.push(chunk)
    const target = await Logbook.create({ dir: at('abort-target'), spaceKey: source.spaceKey })
    await source.close()
    try {
      // Aborted as the first segment (1024 entries) is handed over: that one is stored, no more.
      const controller = new AbortController()
      const summary = await target.import(Buffer.concat(bytes), { signal: controller.signal, onProgress: () => controller.abort() })
      assert.equal(summary.aborted, true)
      assert.equal(summary.imported, 1024)
      assert.equal(summary.corrupt, null)
      assert.ok(await target.get(ids[1023]) !== undefined)
      assert.equal(await target.get(ids[1024]), undefined)

      // A source that never ends (a pipe that goes quiet): the abort ends the wait.
      const quiet = new AbortController()
      async function * endless (): AsyncGenerator<Uint8Array> {
        yield Buffer.concat(bytes)
        await new Promise(() => {})
      }
      const rest = await target.import(endless(), { signal: quiet.signal, onProgress: ({ entries }) => { if (entries === 3000) quiet.abort() } })
      assert.equal(rest.aborted, true)
      assert.equal(rest.imported, 3000 - 1024)
      const verified = await target.verify()
      assert.deepEqual(verified, { ok: true, entries: 3000, problems: [] })

      // Without an abort the summary says so too.
      assert.equal((await target.import(Buffer.concat(bytes))).aborted, false)
    } finally {
      await target.close()
    }
  })
})
