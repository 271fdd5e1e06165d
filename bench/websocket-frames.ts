// WebSocket frames: one frame per Noise message against the writes of one tick merged into one frame
// (src/transports/websocket-stream.ts). A store of N entries syncs to an empty one over a loopback
// WebSocket, several times each way; prints the time, the frames sent and the entries per second. BATCH
// is how many entries each append made, so each segment (one message) holds: 1 gives many small messages.
// Run: npm run build --silent && node dist/bench/websocket-frames.js [N] [ROUNDS] [BATCH]
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import type { Logbook } from '../src/index.js'
import { WebSocketStream } from '../src/transports/websocket-stream.js'
import { identity, memoryBook } from '../test/helpers/fixtures.js'

const N = Number(process.argv[2] ?? 100_000)
const ROUNDS = Number(process.argv[3] ?? 3)
const BATCH = Number(process.argv[4] ?? 1000)

async function syncOnce (source: Logbook, framePerWrite: boolean): Promise<{ ms: number, frames: number }> {
  const target = await memoryBook({ identity: identity(2) })
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 })
  await once(server, 'listening')
  const accepted = once(server, 'connection') as Promise<[WebSocket]>
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 })
  await once(client, 'open')
  const [serverSocket] = await accepted
  const sending = new WebSocketStream(serverSocket, { framePerWrite })
  const receiving = new WebSocketStream(client, { framePerWrite })
  const started = performance.now()
  const a = source.replicate(false, { stream: sending })
  const b = target.replicate(true, { stream: receiving })
  await Promise.all([a.session.done, b.session.done])
  const ms = performance.now() - started
  if (target.status().entries !== N) throw new Error(`only ${target.status().entries} of ${N} entries arrived`)
  server.close()
  await target.close()
  return { ms, frames: sending.frames }
}

const source = await memoryBook({ identity: identity(1) })
for (let done = 0; done < N; done += BATCH) await source.append(Array.from({ length: Math.min(BATCH, N - done) }, (_, i) => ({ n: done + i, text: 'an entry of a few dozen bytes' })))
const results: Record<string, number[]> = { 'one frame per message': [], 'merged per tick': [] }
const frames: Record<string, number> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, framePerWrite] of [['one frame per message', true], ['merged per tick', false]] as const) {
    const { ms, frames: count } = await syncOnce(source, framePerWrite)
    results[name].push(ms)
    frames[name] = count
  }
}
console.log(`${N} entries in segments of ${BATCH} over a loopback WebSocket, ${ROUNDS} rounds each (median):`)
for (const [name, times] of Object.entries(results)) {
  const median = [...times].sort((x, y) => x - y)[Math.floor(times.length / 2)]
  console.log(`  ${name.padEnd(24)} ${median.toFixed(0).padStart(6)} ms  ${String(frames[name]).padStart(7)} frames from the sender  ${Math.round(N / (median / 1000)).toLocaleString('en-US').padStart(9)} entries/s`)
}
await source.close()
