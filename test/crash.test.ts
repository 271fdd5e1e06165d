// Crash drill, small version (scripts/crash-drill.sh runs it longer): a writer is killed with SIGKILL at
// random moments; after each kill the store opens (replaying its journal), holds every entry whose id
// the writer had printed after its append resolved, and passes verify.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Logbook } from '../src/index.js'

const writer = fileURLToPath(new URL('./helpers/crash-writer.js', import.meta.url))
const rounds = Number(process.env.LOGBOOK_CRASH_ROUNDS ?? 6)

async function runAndKill (dir: string, killAfterMs: number): Promise<string[]> {
  const child = spawn(process.execPath, [writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  await new Promise((resolve) => setTimeout(resolve, killAfterMs))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  // Only whole lines were acknowledged: a line cut by the kill may be a torn write of the pipe.
  return output.split('\n').slice(0, -1).filter((line) => line.length === 64)
}

test(`SIGKILL at random moments loses no acknowledged entry (${rounds} rounds)`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logbook-crash-'))
  try {
    await (await Logbook.create({ dir: join(dir, 'store') })).close()
    const acknowledged: string[] = []
    let checked = 0
    let seed = 12345
    const random = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
    for (let round = 0; round < rounds; round++) {
      // A loop, not push(...ids): a round can acknowledge more ids than a spread can pass.
      for (const id of await runAndKill(join(dir, 'store'), 300 + Math.floor(random() * 700))) acknowledged.push(id)
      const book = await Logbook.open({ dir: join(dir, 'store') })
      try {
        // Every id acknowledged in this round, and a sample of earlier ones (all were checked when new).
        const latest = acknowledged.slice(checked)
        const sample = acknowledged.slice(0, checked).filter(() => random() < 0.05)
        for (const id of [...latest, ...sample]) assert.ok(await book.get(id), `acknowledged entry ${id} is missing after round ${round}`)
        checked = acknowledged.length
        const check = await book.verify()
        assert.deepEqual(check.problems, [])
        assert.ok(check.entries >= acknowledged.length)
      } finally {
        await book.close()
      }
    }
    assert.ok(acknowledged.length > rounds, 'the writer acknowledged entries before being killed')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
