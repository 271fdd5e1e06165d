// Child process: what a small difference among many feeds costs on the wire, for peers that met before
// (`changes`) and for strangers (`reconciled`). Stores on disk in --dir, connected over loopback TCP.
// Setup: a store writes --feeds feeds (one identity each) of --per-feed entries; its export is the base.
// Then --changed more entries, one on each of the first --changed feeds, exported after the base's cursor:
// the delta. Each pair of stores imports the base.
//   known: the pair syncs once (not reported), syncs again with no difference (the handshake and `done`
//          messages only), then one side imports the delta and they sync again.
//   unknown: a fresh pair that never met syncs with no difference; another fresh pair syncs with the delta
//          on one side.
// The delta sits once on the connecting side (initiator) and once on the accepting side (responder).
// Usage: node logbook-repl-diff.js --dir D --feeds F --per-feed K --changed C
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { Identity, Logbook } from '../../src/index.js'
import { caseArgs, need, needInt, peakRssMB, report, runCase } from '../measure.js'
import { syncOverTcp } from './repl-pair.js'
import type { DiffResult, DiffSync } from '../replication/types.js'

async function bytesOf (chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return Buffer.concat(parts)
}

runCase(async () => {
  const args = caseArgs()
  const dir = need(args, 'dir')
  const feeds = needInt(args, 'feeds')
  const perFeed = needInt(args, 'per-feed')
  const changed = needInt(args, 'changed')
  let stores = 0
  const fresh = async (spaceKey: Uint8Array): Promise<Logbook> => {
    const at = join(dir, `store-${stores++}`)
    mkdirSync(at)
    return await Logbook.create({ dir: at, spaceKey })
  }

  const writer = await Logbook.create({ dir: join(dir, 'writer') })
  const identities = Array.from({ length: feeds }, () => Identity.generate())
  for (const [f, who] of identities.entries()) {
    await writer.setIdentity(who)
    await writer.append(Array.from({ length: perFeed }, (_, i) => ({ feed: f, n: i, text: 'x'.repeat(60) })))
  }
  const base = await bytesOf(writer.export())
  const cursor = writer.cursor
  for (const [f, who] of identities.slice(0, changed).entries()) {
    await writer.setIdentity(who)
    await writer.append({ feed: f, n: perFeed, text: 'new' })
  }
  const delta = await bytesOf(writer.export({ since: cursor }))
  const spaceKey = writer.spaceKey
  await writer.close()

  const pair = async (): Promise<[Logbook, Logbook]> => {
    const a = await fresh(spaceKey)
    const b = await fresh(spaceKey)
    await a.import(base)
    await b.import(base)
    return [a, b]
  }
  const measured = async (peers: DiffSync['peers'], difference: DiffSync['difference'], a: Logbook, b: Logbook): Promise<DiffSync> => {
    const stats = await syncOverTcp(a, b)
    const entriesAfter: [number, number] = [a.status().entries, b.status().entries]
    if (entriesAfter[0] !== entriesAfter[1]) throw new Error(`${peers} peers, difference ${difference}: ${entriesAfter[0]} entries against ${entriesAfter[1]} after the sync`)
    return { peers, difference, entriesAfter, ...stats }
  }

  const syncs: DiffSync[] = []
  for (const holder of ['initiator', 'responder'] as const) {
    const [a, b] = await pair()
    await syncOverTcp(a, b)
    if (holder === 'initiator') syncs.push(await measured('known', 'none', a, b))
    await (holder === 'initiator' ? a : b).import(delta)
    syncs.push(await measured('known', `on ${holder}`, a, b))
    await a.close(); await b.close()
  }
  {
    const [a, b] = await pair()
    syncs.push(await measured('unknown', 'none', a, b))
    await a.close(); await b.close()
  }
  for (const holder of ['initiator', 'responder'] as const) {
    const [a, b] = await pair()
    await (holder === 'initiator' ? a : b).import(delta)
    syncs.push(await measured('unknown', `on ${holder}`, a, b))
    await a.close(); await b.close()
  }
  report<DiffResult>({ feeds, perFeed, changed, baseBytes: base.byteLength, deltaBytes: delta.byteLength, peakRssMB: peakRssMB(), syncs })
})
