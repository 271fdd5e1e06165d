// One store, many commands: while one process holds a store (here a `logbook import` reading a pipe that
// the test keeps open), other commands on it work through that process's socket, with the output,
// errors and exit codes they have on a store that nobody holds.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Logbook } from '../src/index.js'
import { socketPath, SOCKET_NAME } from '../src/cli/shared-store/socket-path.js'
import { BIN, fails, ndjson, ok, run, tempDir, type RunResult } from './helpers/cli.js'

/** How long a holder may take to start listening, or a command to finish, before the test fails. */
const WAIT_MS = 20_000

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)

before(() => { tmp = tempDir('logbook-shared-') })
after(() => tmp.cleanup())

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

interface Holder {
  child: ChildProcessWithoutNullStreams
  /** What it printed so far. */
  output: () => string
  /** Ends the holder's input: its import ends, and it closes the store. */
  finish: () => Promise<RunResult>
}

/** Runs a command without waiting for it (so that several run at once). */
async function runAsync (args: string[], input = ''): Promise<RunResult> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text })
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text })
  child.stdin.end(input)
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS)
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  clearTimeout(timer)
  return { status, stdout, stderr }
}

/** `logbook import` holding the store in `dir` until finish(); resolves once it listens on the store's socket. */
async function holdStore (dir: string): Promise<Holder> {
  const socket = await socketPath(dir) as string
  const child = spawn(process.execPath, [BIN, '--dir', dir, 'import'], { stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text })
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text })
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  const finish = async (): Promise<RunResult> => {
    child.stdin.end()
    const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS)
    const status = await closed
    clearTimeout(timer)
    return { status, stdout, stderr }
  }
  for (const started = Date.now(); !existsSync(socket); await sleep(20)) {
    if (Date.now() - started > WAIT_MS || child.exitCode !== null) {
      child.kill('SIGKILL')
      assert.fail(`the holder did not listen on ${socket}: ${stderr}`)
    }
  }
  return { child, output: () => stdout, finish }
}

/** Runs `work` while `dir` is held, and always ends the holder; returns the holder's own run. */
async function whileHeld (dir: string, work: () => Promise<void>): Promise<RunResult> {
  const holder = await holdStore(dir)
  try {
    await work()
  } finally {
    await holder.finish()
  }
  return await holder.finish()
}

/** A run's output as bytes (a binary export). */
function bytesOf (args: string[]): Buffer {
  const result = spawnSync(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 })
  assert.equal(result.status, 0, result.stderr.toString())
  return result.stdout
}

/** A store with JSON, text, binary and kv entries. */
async function makeStore (dir: string): Promise<string[]> {
  const book = await Logbook.create({ dir })
  const ids = [
    await book.append({ type: 'note', text: 'first' }),
    await book.append(new Uint8Array([0, 1, 2, 250])),
    await book.append('a line of text'),
    ...await book.append([{ type: 'kv', key: 'colour', value: 'blue' }, { type: 'kv', key: '$odd', value: { $bytes: 'AA' } }])
  ]
  await book.close()
  return ids
}

/** Commands that read, and errors: each must print the same and exit the same, held or not. */
function readCommands (ids: string[]): string[][] {
  return [
    ['log'], ['log', '--json'], ['log', '--reverse', '--limit', '2'], ['log', '--author', 'ffff'],
    ['get', ids[1]], ['get', ids[1].slice(0, 6), '--json'], ['get', '0000000000'],
    ['status'], ['status', '--json'], ['heads'], ['forks', '--json'], ['verify'], ['export', '--json'],
    ['export', '--since', 'not-a-cursor'], ['append', '1', '--link', '00000000'],
    ['kv', 'get', 'colour'], ['kv', 'get', '$odd', '--json'], ['kv', 'get', 'absent'], ['kv', 'list', '--json'],
    ['types'], ['views', '--json'], ['views', 'check', 'kv'], ['views', 'rebuild', 'nonesuch']
  ]
}

describe('a store held by another process', () => {
  test('reads and errors are the same as on a store nobody holds', async () => {
    const dir = at('reads')
    const ids = await makeStore(dir)
    const commands = readCommands(ids)
    const expected = commands.map((args) => run(['--dir', dir, ...args]))
    // Errors keep their codes and exit status (a missing id is NOT_FOUND, exit 1).
    fails(expected[6], 'NOT_FOUND', 1)
    fails(expected[17], 'NOT_FOUND', 1)
    const expectedExport = bytesOf(['--dir', dir, 'export'])
    const holder = await whileHeld(dir, async () => {
      for (const [i, args] of commands.entries()) {
        const result = run(['--dir', dir, ...args])
        assert.deepEqual(result, expected[i], `logbook ${args.join(' ')}`)
      }
      assert.ok(bytesOf(['--dir', dir, 'export']).equals(expectedExport), 'the binary export is the same')
    })
    assert.equal(holder.status, 0, holder.stderr)
    assert.match(holder.stdout, /^input: {6}empty/)
    assert.equal(existsSync(join(dir, SOCKET_NAME)), false, 'the socket is gone with its holder')
  })

  test('appends and imports go through the holder, which keeps them', async () => {
    const dir = at('writes')
    const copy = at('writes-copy')
    const other = at('other')
    await makeStore(dir)
    cpSync(dir, copy, { recursive: true })
    // An export of another store of the same space, to import.
    ok(['--dir', other, 'init', '--space', ok(['--dir', dir, 'space']).trim()])
    ok(['--dir', other, 'append', '--lines'], { input: '1\n2\n3\n' })
    const exportFile = at('other.export')
    spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" --dir "${other}" export > "${exportFile}"`])
    const expectedImport = ok(['--dir', copy, 'import', exportFile])
    assert.match(expectedImport, /^imported: {3}3 entries$/m)
    let appended: string[] = []
    let put = ''
    await whileHeld(dir, async () => {
      assert.equal(ok(['--dir', dir, 'import', exportFile]), expectedImport)
      appended = ok(['--dir', dir, 'append', '--lines', '--sync'], { input: '{"n":1}\n"two"\n' }).trim().split('\n')
      assert.equal(appended.length, 2)
      put = ok(['--dir', dir, 'kv', 'put', 'colour', '"green"']).trim()
      assert.equal(ok(['--dir', dir, 'kv', 'get', 'colour']), '"green"\n')
      assert.equal(ok(['--dir', dir, 'get', appended[1], '--json']).includes('"payload":"two"'), true)
    })
    // What went through the holder is in the store once it is free.
    const log = ndjson(ok(['--dir', dir, 'log', '--json']))
    assert.equal(log.length, 5 + 3 + 3)
    assert.deepEqual(log.slice(-3).map((entry) => entry.id), [...appended, put])
    assert.equal(ok(['--dir', dir, 'verify']), 'ok: 11 entries verified\n')
  })

  test('two commands at once through one holder both succeed', async () => {
    const dir = at('concurrent')
    await makeStore(dir)
    const lines = (tag: string): string => Array.from({ length: 300 }, (_, i) => JSON.stringify({ tag, i })).join('\n') + '\n'
    await whileHeld(dir, async () => {
      const [a, b, log] = await Promise.all([
        runAsync(['--dir', dir, 'append', '--lines', '--quiet'], lines('a')),
        runAsync(['--dir', dir, 'append', '--lines', '--quiet'], lines('b')),
        runAsync(['--dir', dir, 'log', '--json'])
      ])
      assert.deepEqual([a.status, a.stdout, a.stderr], [0, '300\n', ''])
      assert.deepEqual([b.status, b.stdout, b.stderr], [0, '300\n', ''])
      assert.equal(log.status, 0, log.stderr)
      assert.ok(ndjson(log.stdout).length >= 5)
    })
    const tags = ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.payload.tag)
    assert.equal(tags.filter((tag) => tag === 'a').length, 300)
    assert.equal(tags.filter((tag) => tag === 'b').length, 300)
  })

  test('a holder that finishes first waits for the command it serves; a command that comes then waits for the store', async () => {
    const dir = at('drain')
    const source = at('drain-source')
    await makeStore(dir)
    ok(['--dir', source, 'init', '--space', ok(['--dir', dir, 'space']).trim()])
    ok(['--dir', source, 'append', '--lines'], { input: '1\n2\n3\n4\n' })
    const exported = bytesOf(['--dir', source, 'export'])
    const holder = await holdStore(dir)
    // A second import, through the holder, whose input stays open until the test ends it.
    const served = spawn(process.execPath, [BIN, '--dir', dir, 'import'], { stdio: 'pipe' })
    try {
      let servedOut = ''
      served.stdout.setEncoding('utf8').on('data', (text: string) => { servedOut += text })
      const servedClosed = new Promise<number | null>((resolve) => served.once('close', resolve))
      served.stdin.write(exported)
      // Its entries arrive while its input is still open.
      for (const started = Date.now(); JSON.parse(ok(['--dir', dir, 'status', '--json'])).entries < 9; await sleep(50)) {
        assert.ok(Date.now() - started < WAIT_MS, 'the served import stored what it was sent')
      }
      // The holder's own import ends; it must not close the store under the one it serves.
      holder.child.stdin.end()
      // Given time to end, it is still there: it cannot end before the import it serves (a slow machine
      // only makes this check weaker, never wrong).
      await sleep(500)
      assert.equal(holder.child.exitCode, null, 'the holder waits for the import it serves')
      assert.equal(holder.output(), '')
      // A command that comes now is told the holder is finishing, and waits to open the store itself.
      const waiting = runAsync(['--dir', dir, 'status', '--json'])
      await sleep(2500)
      served.stdin.end()
      assert.equal(await servedClosed, 0)
      assert.match(servedOut, /^imported: {3}4 entries$/m)
      assert.equal((await holder.finish()).status, 0)
      const status = await waiting
      assert.equal(status.status, 0, status.stderr)
      assert.equal(JSON.parse(status.stdout).entries, 9)
    } finally {
      served.kill('SIGKILL')
      holder.child.kill('SIGKILL')
    }
  })

  test('a socket left by a killed holder does not stand in the way', async () => {
    const dir = at('stale')
    await makeStore(dir)
    const holder = await holdStore(dir)
    holder.child.kill('SIGKILL')
    await holder.finish()
    assert.equal(existsSync(join(dir, SOCKET_NAME)), true, 'the killed holder left its socket')
    assert.match(ok(['--dir', dir, 'status']), /^entries: {2}5$/m)
    assert.equal(existsSync(join(dir, SOCKET_NAME)), false)
    // And the next holder listens there again.
    await whileHeld(dir, async () => {
      assert.match(ok(['--dir', dir, 'append', '"after the crash"']), /^[0-9a-f]{64}\n$/)
    })
    assert.match(ok(['--dir', dir, 'status']), /^entries: {2}6$/m)
  })

  test('a store whose socket path would be too long is shared through the temporary directory', async () => {
    const deep = at('a-directory-name-long-enough'.repeat(2), 'to-push-the-socket-path-past-the-limit'.repeat(2))
    mkdirSync(deep, { recursive: true })
    const dir = join(deep, 'store')
    await makeStore(dir)
    const socket = await socketPath(dir) as string
    assert.ok(!socket.startsWith(dir), `${socket} is not in the store directory`)
    const expected = ok(['--dir', dir, 'status'])
    await whileHeld(dir, async () => {
      assert.equal(ok(['--dir', dir, 'status']), expected)
    })
    assert.equal(existsSync(socket), false)
  })

  test('replacing the identity is refused while another command holds the store, naming it', async () => {
    const dir = at('identity')
    await makeStore(dir)
    const before = readFileSync(join(dir, 'identity.json'), 'utf8')
    await whileHeld(dir, async () => {
      const refused = fails(run(['--dir', dir, 'identity', 'new']), 'LOGBOOK_NOT_OPEN', 1)
      assert.match(refused.stderr, /in use by `logbook import` \(pid \d+\); replacing its identity needs the store to itself/)
      // Reading the identity needs no store of its own.
      assert.match(ok(['--dir', dir, 'id']), /^[0-9a-f]{64}\n$/)
    })
    assert.equal(readFileSync(join(dir, 'identity.json'), 'utf8'), before)
  })
})
