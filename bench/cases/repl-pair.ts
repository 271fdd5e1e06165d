// Two stores of one process replicating over a loopback TCP connection: what each side's session says.
import { createServer, type AddressInfo, type Socket } from 'node:net'
import type { Logbook, ReplicationStats, ReplicationStream } from '../../src/index.js'
import { connectLoopback } from '../measure.js'

export interface PairStats {
  initiator: ReplicationStats
  responder: ReplicationStats
}

/** One non-live sync between `initiator` and `responder`; resolves once both sessions have ended. */
export async function syncOverTcp (initiator: Logbook, responder: Logbook): Promise<PairStats> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const client = await connectLoopback((server.address() as AddressInfo).port)
  const a = initiator.replicate(true, { stream: client })
  const b = responder.replicate(false, { stream: await accepted })
  server.close()
  const [ia, rb] = await Promise.allSettled([a.session.done, b.session.done])
  if (ia.status === 'rejected' || rb.status === 'rejected') {
    const why = (side: string, r: PromiseSettledResult<ReplicationStats>): string => `${side} ${r.status === 'rejected' ? String(r.reason) : 'ended well'}`
    throw new Error(`the sync failed: ${why('initiator', ia)}; ${why('responder', rb)}`)
  }
  return { initiator: ia.value, responder: rb.value }
}

/** A live session from `peer` (which connects) to a hub's server; resolves with the peer's stream once both sides are synced. */
export async function joinLive (peer: Logbook, port: number): Promise<ReplicationStream> {
  const stream = peer.replicate(true, { stream: await connectLoopback(port), live: true })
  await stream.session.synced
  return stream
}
