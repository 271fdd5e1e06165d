// View crash drill, small version (scripts/view-crash-drill.sh runs it at 200k entries and 20 kills):
// a child process rebuilding views, following appends, or rebuilding after a version change is killed
// with SIGKILL at a random committed batch. After each kill the store is reopened, the views resume from
// their checkpoints and finish, the counting view (which double-counts a batch applied twice and
// undercounts a lost one) equals the number of entries, and each view's digest equals a clean rebuild.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { kvView, Logbook } from '../src/index.js'
import { prng } from './helpers/fixtures.js'
import { countingView } from './helpers/views-books.js'

const child = fileURLToPath(new URL('./helpers/views-crash-child.js', import.meta.url))
const ENTRIES = Number(process.env.LOGBOOK_VIEW_CRASH_ENTRIES ?? 20_000)
const KILLS = Number(process.env.LOGBOOK_VIEW_CRASH_KILLS ?? 5)
const MODES = ['rebuild', 'append', 'rebuild', 'version'] as const

/** About how many lines (one per committed batch of about a thousand entries, per view) a round prints. */
function expectedLines (mode: string, entries: number): number {
  const batches = Math.ceil(entries / 1024)
  if (mode === 'rebuild') return 2 + 2 * batches
  if (mode === 'version') return 1 + batches
  return 10 + 8 // append: ten appends, and the views' batches as they follow
}

/** Runs the child until it has printed `killAt` lines of work after 'start' (or finished), then SIGKILLs it. */
async function runAndKill (dir: string, mode: string, countVersion: string, killAt: number): Promise<{ killed: boolean, lines: number }> {
  const proc = spawn(process.execPath, [child, dir, mode, countVersion], { stdio: ['ignore', 'pipe', 'inherit'] })
  let buffered = ''
  let started = false
  let lines = 0
  let killed = false
  await new Promise<void>((resolve) => {
    proc.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      for (const line of parts) {
        if (line === 'start') started = true
        else if (started && /^(progress|rebuild|appended) /.test(line)) lines++
        if (!killed && started && lines >= killAt) { killed = true; proc.kill('SIGKILL') }
      }
    })
    proc.once('exit', () => resolve())
  })
  return { killed, lines }
}

test(`views survive SIGKILL at random moments (${ENTRIES} entries, ${KILLS} kills)`, { timeout: 30 * 60_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'logbook-view-crash-'))
  const dir = join(root, 'store')
  const random = prng(2024)
  try {
    const setup = await Logbook.create({ dir })
    for (let at = 0; at < ENTRIES; at += 1000) {
      await setup.append(Array.from({ length: Math.min(1000, ENTRIES - at) }, (_, i) => ({ type: 'kv', key: `k${(at + i) % 5000}`, value: at + i })))
    }
    await setup.close()
    let countVersion = 1
    let entries = ENTRIES
    let interrupted = 0
    let kills = 0
    for (let round = 0; round < KILLS; round++) {
      const mode = MODES[round % MODES.length]
      if (mode === 'version') countVersion++
      const lines = expectedLines(mode, entries)
      const { killed } = await runAndKill(dir, mode, String(countVersion), 1 + Math.floor(random() * (lines - 1)))
      if (killed) kills++

      const book = await Logbook.open({ dir })
      try {
        entries = book.reader.readyCount
        const before = await book.viewStatuses()
        if (mode !== 'append' && before.some((status) => status.behind > 0 || status.version !== (status.name === 'count' ? String(countVersion) : 1))) interrupted++
        const count = book.use('count', countingView(String(countVersion)))
        book.use('kv', kvView())
        assert.equal(await count.api.count(), book.reader.readyCount, `round ${round} (${mode}): every entry counted exactly once`)
        for (const name of ['kv', 'count']) {
          const report = await book.checkView(name)
          assert.equal(report.ok, true, `round ${round} (${mode}): ${name} differs from a clean rebuild at ${JSON.stringify(report.mismatch?.difference)}`)
          assert.equal(report.liveDigest, report.rebuildDigest)
        }
        const after = await book.viewStatuses()
        assert.ok(after.every((status) => status.behind === 0 && status.failures === 0))
      } finally {
        await book.close()
      }
    }
    // Kills land while the child works (not after it finished), and most rebuilds are caught unfinished.
    const rebuilding = Array.from({ length: KILLS }, (_, round) => MODES[round % MODES.length]).filter((mode) => mode !== 'append').length
    assert.ok(kills >= Math.ceil(KILLS * 0.8), `the child was killed mid-work in ${kills} of ${KILLS} rounds`)
    assert.ok(interrupted >= Math.ceil(rebuilding / 2), `the views were caught unfinished in ${interrupted} of ${rebuilding} rebuilding rounds`)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
