// Ctrl-C and SIGTERM in a real terminal (a pseudo-terminal, by util-linux script): the command stops
// after the batch in hand, puts the terminal back (cursor shown, line wrapping on), prints one line
// saying what was kept, and exits 130 (143 for SIGTERM); the store then verifies with what it kept.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { closeSync, existsSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LogbookError, MAX_SEGMENT_ENTRIES } from '../src/index.js'
import { BIN, ndjson, ok, okSh, tempDir } from './helpers/cli.js'
import { memoryBook } from './helpers/fixtures.js'
import { Interrupted, interruptible } from '../src/cli/interrupt.js'
import { ptyLogbook, ptyUnavailable, SIGINT_BIT, SIGTERM_BIT, stopCommand, untilPending, type PtyRun } from './helpers/pty.js'

const ENTRIES = 40_000
const unavailable = ptyUnavailable()

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)
let source: string
let space: string
let exportFile: string

/** The cursor is shown and line wrapping is on again after the last time a bar turned them off. */
function assertTerminalRestored (output: string): void {
  const hidden = output.lastIndexOf('\x1b[?25l')
  assert.ok(hidden >= 0, 'a progress bar was drawn (it hides the cursor)')
  assert.ok(output.lastIndexOf('\x1b[?25h') > hidden, 'the cursor is shown again')
  const unwrapped = output.lastIndexOf('\x1b[?7l')
  assert.ok(unwrapped >= 0 && output.lastIndexOf('\x1b[?7h') > unwrapped, 'line wrapping is on again')
}

/** The one INTERRUPTED line, matched against `pattern`. */
function interruptedLine (output: string, pattern: RegExp): RegExpExecArray {
  const lines = output.split(/\r?\n/).filter((line) => line.includes('logbook: '))
  assert.equal(lines.length, 1, `one line from logbook, got: ${JSON.stringify(output)}`)
  // The line follows the bar's last drawing on the same terminal line; it starts after the clearing.
  const line = lines[0].slice(lines[0].indexOf('logbook: '))
  const match = pattern.exec(line)
  assert.ok(match !== null, `expected ${String(pattern)}, got: ${line}`)
  return match
}

function verifiedEntries (dir: string): number {
  const verified = /^ok: (\d+) entries verified\n$/.exec(ok(['--dir', dir, 'verify']))
  assert.ok(verified !== null, 'the store verifies')
  return Number(verified[1])
}

/**
 * Runs `import EXPORT FIFO` into a new store of the source's space: the FIFO has an open writer that
 * never writes, so once every entry of the export is handed to the store the import waits for input.
 * Then `stop` interrupts it; returns how it ended, and the store.
 */
async function interruptImport (name: string, stop: (run: PtyRun) => void | Promise<void>): Promise<{ status: number | null, output: string, dir: string }> {
  const dir = at(name)
  ok(['--dir', dir, 'init', '--space', space])
  const fifo = at(`${name}.fifo`)
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
  // Read-write: opening does not wait for a reader, and the import's reads wait for data, never seeing the end.
  const writer = openSync(fifo, 'r+')
  try {
    const run = await ptyLogbook(['--dir', dir, 'import', exportFile, fifo])
    await run.waitFor(`the bar at ${ENTRIES} entries`, (output) => output.includes(`| ${ENTRIES} entries`))
    await stop(run)
    return { ...await run.exited, dir }
  } finally {
    closeSync(writer)
  }
}

const STOPPED_IMPORT = /^logbook: INTERRUPTED: import stopped after (\d+) entries; they are kept and the store is consistent$/

describe('interruptions', { skip: unavailable ?? false }, () => {
  before(() => {
    tmp = tempDir('logbook-interrupt-')
    source = at('source')
    ok(['--dir', source, 'init'])
    space = ok(['--dir', source, 'space']).trim()
    const lines = Array.from({ length: ENTRIES }, (_, i) => JSON.stringify({ type: 'kv', key: `k${i}`, value: i })).join('\n') + '\n'
    ok(['--dir', source, 'append', '--lines'], { input: lines })
    exportFile = at('source.log')
    okSh(`"$NODE" bin/logbook.js --dir '${source}' export > '${exportFile}'`)
  })
  after(() => { tmp?.cleanup() })

  test('Ctrl-C during an import that waits for input: exit 130, one line, the terminal restored, every entry kept', async () => {
    const { status, output, dir } = await interruptImport('ctrl-c', (run) => run.type('\x03'))
    assert.equal(status, 130, output)
    assert.equal(Number(interruptedLine(output, STOPPED_IMPORT)[1]), ENTRIES)
    assertTerminalRestored(output)
    assert.equal(verifiedEntries(dir), ENTRIES)
  })

  test('SIGTERM: the same stop, exit 143', async () => {
    const { status, output, dir } = await interruptImport('sigterm', (run) => { process.kill(run.pid, 'SIGTERM') })
    assert.equal(status, 143, output)
    assert.equal(Number(interruptedLine(output, STOPPED_IMPORT)[1]), ENTRIES)
    assertTerminalRestored(output)
    assert.equal(verifiedEntries(dir), ENTRIES)
  })

  test('a second signal exits at once; the store is still consistent', async () => {
    const { status, output, dir } = await interruptImport('twice', async (run) => {
      // Both signals arrive together: the first starts the graceful stop, the second cuts it short.
      const stopped = await stopCommand(run)
      process.kill(run.pid, 'SIGINT')
      process.kill(run.pid, 'SIGTERM')
      await untilPending(run.pid, SIGINT_BIT | SIGTERM_BIT)
      stopped.resume()
    })
    assert.equal(status, 130, output)
    const [, read] = interruptedLine(output, /^logbook: INTERRUPTED: import stopped at once after reading (\d+) entries; every entry written before is kept and the store is consistent$/)
    assert.equal(Number(read), ENTRIES)
    assertTerminalRestored(output)
    // What was written is there (the journal is replayed on open), and nothing is half there.
    assert.ok(verifiedEntries(dir) <= ENTRIES)
  })

  test('Ctrl-C while `kv get` waits for the view to catch up: nothing else is done, the view keeps what it applied', async () => {
    // The store of the first test: 40,000 entries, its kv view never built.
    const dir = at('ctrl-c')
    const run = await ptyLogbook(['--dir', dir, 'kv', 'get', 'k1'])
    await run.waitFor('the view\'s bar', (output) => output.includes('view kv ['))
    run.type('\x03')
    const { status, output } = await run.exited
    assert.equal(status, 130, output)
    const [, applied] = interruptedLine(output, /^logbook: INTERRUPTED: view kv stopped catching up at (\d+) of 40000 entries; it goes on from there when next used, nothing else was done, and the store is consistent$/)
    assert.ok(!output.includes('\n1\r'), 'the value was not printed')
    assertTerminalRestored(output)
    assert.ok(JSON.parse(ok(['--dir', dir, 'views', '--json']).split('\n')[0]).applied >= Number(applied))
    assert.equal(ok(['--dir', dir, 'kv', 'get', 'k1']).trim(), '1')
  })

  test('Ctrl-C during `views rebuild`: the view keeps what it applied and goes on from there', async () => {
    const run = await ptyLogbook(['--dir', source, 'views', 'rebuild', 'kv'])
    // The bar appears after the first batch of 256 entries; Ctrl-C right then finds most of the rebuild ahead.
    await run.waitFor('the rebuild bar', (output) => output.includes('rebuilding kv ['))
    run.type('\x03')
    const { status, output } = await run.exited
    assert.ok(output.includes('INTERRUPTED') || !output.includes('version 1'), `the rebuild of ${ENTRIES} entries ended before Ctrl-C reached it`)
    assert.equal(status, 130, output)
    const [, applied, of] = interruptedLine(output, /^logbook: INTERRUPTED: rebuild of view kv stopped at (\d+) of (\d+) entries; the view goes on from there when next used, and the store is consistent$/)
    assert.equal(Number(of), ENTRIES)
    assertTerminalRestored(output)
    const status1 = JSON.parse(ok(['--dir', source, 'views', '--json']).split('\n')[0])
    assert.equal(status1.name, 'kv')
    assert.equal(status1.applied, Number(applied), 'the line states what the view kept')
    // The next use goes on from there and reaches the end.
    assert.equal(ok(['--dir', source, 'kv', 'get', `k${ENTRIES - 1}`]).trim(), String(ENTRIES - 1))
    assert.equal(JSON.parse(ok(['--dir', source, 'views', '--json']).split('\n')[0]).applied, ENTRIES)
    assert.equal(verifiedEntries(source), ENTRIES)
  })
})

describe('an interrupted append --lines', () => {
  test('the library stops between segments with ABORTED, counting what it appended', async () => {
    const book = await memoryBook()
    try {
      const controller = new AbortController()
      // Each segment's batch is announced; stop after the second one.
      let segments = 0
      book.on('ready', () => { if (++segments === 2) controller.abort() })
      const values = Array.from({ length: 5 * MAX_SEGMENT_ENTRIES }, (_, i) => ({ n: i }))
      await assert.rejects(book.append(values, { signal: controller.signal }), (err: unknown) => {
        assert.ok(err instanceof LogbookError && err.code === 'ABORTED', String(err))
        assert.equal(err.index, 2 * MAX_SEGMENT_ENTRIES)
        return true
      })
      const kept: unknown[] = []
      for await (const entry of book.log()) kept.push(entry.payload)
      assert.deepEqual(kept, values.slice(0, 2 * MAX_SEGMENT_ENTRIES), 'the first two segments, whole and in order')
      // Aborted before it starts: nothing is appended.
      await assert.rejects(book.append([{ late: true }], { signal: AbortSignal.abort() }), (err: unknown) => err instanceof LogbookError && err.code === 'ABORTED' && err.index === 0)
      assert.equal(book.status().entries, 2 * MAX_SEGMENT_ENTRIES)
    } finally {
      await book.close()
    }
  })

  test('Ctrl-C: ended by SIGINT (130) and one line saying how many lines were appended and where the rest starts', async () => {
    const dir = join(tmpdir(), `logbook-append-int-${process.pid}`)
    rmSync(dir, { recursive: true, force: true })
    try {
      ok(['--dir', dir, 'init'])
      const total = 400_000
      const input = join(dir, 'lines.ndjson')
      writeFileSync(input, Array.from({ length: total }, (_, i) => `{"n":${i}}`).join('\n') + '\n')
      const stdin = openSync(input, 'r')
      const child = spawn(process.execPath, [BIN, '--dir', dir, 'append', '--lines', '--quiet'], { stdio: [stdin, 'pipe', 'pipe'] })
      closeSync(stdin)
      let stderr = ''
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)))
      // Interrupt once the first segment is in the journal: the lines were all read and checked by then.
      const journal = join(dir, 'journal')
      for (let tries = 0; tries < 6000; tries++) {
        if (existsSync(journal) && statSync(journal).size > 0) break
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      child.kill('SIGINT')
      // Ended by the signal itself, as a shell shows it: 130.
      assert.equal(await exited, 'SIGINT', stderr)
      const lines = stderr.split('\n').filter((line) => line !== '')
      assert.equal(lines.length, 1, stderr)
      const match = /^logbook: INTERRUPTED: append stopped after (\d+) of 400000 entries \(up to stdin line (\d+)\); they are kept and the store is consistent; the rest starts at stdin line (\d+)$/.exec(lines[0])
      assert.ok(match !== null, lines[0])
      const appended = Number(match[1])
      assert.ok(appended > 0 && appended < total)
      assert.equal(Number(match[2]), appended)
      assert.equal(Number(match[3]), appended + 1)
      // What the line says is what the store holds: the first lines, in order.
      const logged = ndjson(ok(['--dir', dir, 'log', '--json']))
      assert.deepEqual(logged.map((entry) => entry.payload.n), Array.from({ length: appended }, (_, i) => i))
      assert.match(ok(['--dir', dir, 'verify']), new RegExp(`^ok: ${appended} entries verified`))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('when a signal comes', () => {
  test('too late to stop anything: the finished work stands; a stop cut short is Interrupted', async () => {
    assert.equal(await interruptible(() => 'kept', async () => { process.emit('SIGINT'); return 'done' }), 'done')
    await assert.rejects(interruptible(() => 'kept: half', async () => { process.emit('SIGINT'); return 'half' }, (result) => result !== 'half'),
      (err: unknown) => err instanceof Interrupted && err.signal === 'SIGINT' && err.message === 'kept: half')
    await assert.rejects(interruptible(() => 'kept: none', async (signal) => { process.emit('SIGTERM'); signal.throwIfAborted() }),
      (err: unknown) => err instanceof Interrupted && err.signal === 'SIGTERM')
    assert.equal(process.listenerCount('SIGINT'), 0, 'the handlers are gone afterwards')
  })

  test('while the import waits to open a FIFO that nobody writes to: the command still ends', async () => {
    const dir = join(tmpdir(), `logbook-fifo-int-${process.pid}`)
    rmSync(dir, { recursive: true, force: true })
    try {
      ok(['--dir', join(dir, 'store'), 'init'])
      const fifo = join(dir, 'never-written.fifo')
      assert.equal(spawnSync('mkfifo', [fifo]).status, 0)
      const child = spawn(process.execPath, [BIN, '--dir', join(dir, 'store'), 'import', fifo], { stdio: ['ignore', 'pipe', 'pipe'] })
      let stderr = ''
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => { clearTimeout(killer); resolve(signal ?? code) }))
      // Signals are caught before the store opens, and the store is shared (its socket exists) once it is
      // open, before the FIFO is opened. (The journal is no sign: `init` made it.)
      const socket = join(dir, 'store', 'logbook.sock')
      for (let tries = 0; tries < 4000 && !existsSync(socket); tries++) await new Promise((resolve) => setTimeout(resolve, 5))
      assert.ok(existsSync(socket), 'the import opened the store')
      await new Promise((resolve) => setTimeout(resolve, 100))
      child.kill('SIGINT')
      assert.equal(await exited, 'SIGINT', `ended by the signal, not killed after hanging; stderr: ${stderr}`)
      assert.match(stderr, /^logbook: INTERRUPTED: import stopped after 0 entries/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
