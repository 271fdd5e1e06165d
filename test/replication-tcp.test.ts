// Replication over a loopback TCP connection (a net.Socket, closed both ways by default once the peer ends
// its side): the side in sync first ends while the other may still be reading.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { MemoryLevel } from 'memory-level'
import { Logbook, type ReplicationStats } from '../src/index.js'
import { identity, memoryBook, numberedIdentity, SPACE_KEY, snapshot } from './helpers/fixtures.js'

async function socketPair (): Promise<[Socket, Socket]> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { client.once('connect', resolve); client.once('error', reject) })
  const pair: [Socket, Socket] = [client, await accepted]
  server.close()
  return pair
}

/** A database whose every write takes a while: a store on it reads its peer's messages slowly. */
function slowLevel (): MemoryLevel<Uint8Array, Uint8Array> {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' } as any)
  // abstract-level's internal write, under both db.batch(ops) and chained batches (not in its typings)
  const inner = (db as any)._batch.bind(db) as (...args: unknown[]) => Promise<void>
  ;(db as any)._batch = async (...args: unknown[]) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    await inner(...args)
  }
  return db
}

async function syncOverTcp (a: Logbook, b: Logbook): Promise<[ReplicationStats, ReplicationStats]> {
  const [client, accepted] = await socketPair()
  const sa = a.replicate(true, { stream: client, timeout: 10_000 })
  const sb = b.replicate(false, { stream: accepted, timeout: 10_000 })
  return await Promise.all([sa.session.done, sb.session.done])
}

test('over TCP, the segments a side still has to read when the other side ends all arrive', async () => {
  const a = await Logbook.create({ db: slowLevel(), spaceKey: SPACE_KEY, identity: identity(1) })
  const b = await memoryBook({ identity: identity(2) })
  await a.append({ base: true })
  await syncOverTcp(a, b)
  // 60 feeds with one new entry each: 60 one-entry segments for the slow side, which has nothing to send
  // and is done long before it has stored them; the other side then ends.
  for (let i = 0; i < 60; i++) {
    await b.setIdentity(numberedIdentity(i))
    await b.append({ feed: i })
  }
  // Back to the identity b met a with: a keeps its cursor in b's log under b's instance and identity.
  await b.setIdentity(identity(2))
  const [initiator] = await syncOverTcp(a, b)
  assert.equal(initiator.mode, 'changes')
  assert.equal(initiator.stored, 60)
  assert.equal(a.status().entries, 61)
  assert.deepEqual(await snapshot(a), await snapshot(b))
  await a.close(); await b.close()
})
