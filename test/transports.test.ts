// The transport conformance suite: one body of tests, run over TCP, WebSocket and stdio (pipes to a spawned
// child). Every transport must carry a sync both ways, a live session's pushes, a peer of another space
// refused on both sides, and a serving side that outlives a client cut off in the middle of a sync.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { Logbook, LogbookError } from '../src/index.js'
import { identity, memoryBook, OTHER_SPACE_KEY, slowLevel, snapshot, SPACE_KEY } from './helpers/fixtures.js'
import { TRANSPORTS } from './helpers/transport-cases.js'

const TIMEOUT = 20_000

function codeOf (err: unknown): string {
  return err instanceof LogbookError ? err.code : String(err)
}

/** Resolves once `book` holds `entries` ready entries; fails after a while rather than hang. */
async function holds (book: Logbook, entries: number): Promise<void> {
  if (book.status().entries >= entries) return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { book.off('ready', check); reject(new Error(`only ${book.status().entries} of ${entries} entries arrived`)) }, TIMEOUT)
    function check (): void {
      if (book.status().entries < entries) return
      clearTimeout(timer)
      book.off('ready', check)
      resolve()
    }
    book.on('ready', check)
  })
}

for (const transport of TRANSPORTS) {
  describe(`transport ${transport.name}`, { timeout: 60_000 }, () => {
    test('two stores sync both ways and both sessions end cleanly', async () => {
      const server = await memoryBook({ identity: identity(1) })
      const client = await memoryBook({ identity: identity(2) })
      await server.append(Array.from({ length: 3000 }, (_, i) => ({ s: i })))
      await client.append(Array.from({ length: 200 }, (_, i) => ({ c: i })))
      const served = await transport.serve(server, {})
      try {
        const stream = await served.connect(client)
        const accepted = await served.nextSession()
        const [mine, theirs] = await Promise.all([stream.session.done, accepted.done])
        assert.equal(mine.stored, 3000)
        assert.equal(theirs.stored, 200)
        assert.deepEqual(await snapshot(client), await snapshot(server))
        assert.equal(client.status().entries, 3200)
      } finally {
        await served.close()
        await client.close(); await server.close()
      }
    })

    test('a one-off sync into a store that writes slowly ends with everything stored, after the server is done', async () => {
      const server = await memoryBook({ identity: identity(1) })
      // Every batch of the client's store waits a little: the server has sent all and heard the client's
      // `done` long before the client has stored what it received.
      const client = await Logbook.create({ db: slowLevel(), spaceKey: SPACE_KEY, identity: identity(2) })
      for (let i = 0; i < 60; i++) await server.append(Array.from({ length: 20 }, (_, j) => ({ s: i * 20 + j })))
      const served = await transport.serve(server, {})
      try {
        const stream = await served.connect(client)
        const accepted = await served.nextSession()
        const [mine, theirs] = await Promise.all([stream.session.done, accepted.done])
        assert.equal(theirs.sent.entries, 1200)
        assert.equal(mine.stored, 1200)
        assert.equal(client.status().entries, 1200)
        assert.deepEqual(await snapshot(client), await snapshot(server))
      } finally {
        await served.close()
        await client.close(); await server.close()
      }
    })

    test('a live session pushes appends both ways until the client ends it', async () => {
      const server = await memoryBook({ identity: identity(1) })
      const client = await memoryBook({ identity: identity(2) })
      await server.append({ before: true })
      const served = await transport.serve(server, { live: true })
      try {
        const stream = await served.connect(client, { live: true })
        const accepted = await served.nextSession()
        await stream.session.synced
        assert.equal(client.status().entries, 1)
        const fromServer = await server.append({ pushed: 'from the server' })
        await holds(client, 2)
        assert.deepEqual((await client.get(fromServer))?.payload, { pushed: 'from the server' })
        const fromClient = await client.append({ pushed: 'from the client' })
        await holds(server, 3)
        assert.deepEqual((await server.get(fromClient))?.payload, { pushed: 'from the client' })
        await stream.session.end()
        await Promise.all([stream.session.done, accepted.done])
        assert.deepEqual(await snapshot(client), await snapshot(server))
      } finally {
        await served.close()
        await client.close(); await server.close()
      }
    })

    test('a peer of another space is refused with SPACE_MISMATCH on both sides', async () => {
      const server = await memoryBook({ identity: identity(1) })
      const stranger = await memoryBook({ identity: identity(3), spaceKey: OTHER_SPACE_KEY })
      await server.append({ secret: true })
      const served = await transport.serve(server, {})
      try {
        const stream = await served.connect(stranger)
        const accepted = await served.nextSession()
        const [mine, theirs] = await Promise.allSettled([stream.session.done, accepted.done])
        assert.equal(mine.status === 'rejected' && codeOf(mine.reason), 'SPACE_MISMATCH')
        assert.equal(theirs.status === 'rejected' && codeOf(theirs.reason), 'SPACE_MISMATCH')
        assert.equal(stranger.status().entries, 0)
      } finally {
        await served.close()
        await stranger.close(); await server.close()
      }
    })

    test('the serving side survives a client cut off in the middle of a sync', async () => {
      const server = await memoryBook({ identity: identity(1) })
      await server.append(Array.from({ length: 20_000 }, (_, i) => ({ i })))
      const served = await transport.serve(server, {})
      try {
        const quitter = await memoryBook({ identity: identity(2) })
        let cut = false
        const stream = await served.connect(quitter, {
          onProgress: (stats) => {
            if (!cut && stats.received.segments > 0) { cut = true; stream.destroy() }
          }
        })
        const accepted = await served.nextSession()
        const [mine, theirs] = await Promise.allSettled([stream.session.done, accepted.done])
        assert.equal(cut, true)
        assert.equal(mine.status === 'rejected' && codeOf(mine.reason), 'CONNECTION_CLOSED')
        // The serving side may have written everything (into buffers) before the cut: then its session ended well.
        if (theirs.status === 'rejected') assert.equal(codeOf(theirs.reason), 'CONNECTION_CLOSED')
        await quitter.close()

        const next = await memoryBook({ identity: identity(3) })
        const again = await served.connect(next)
        await Promise.all([again.session.done, (await served.nextSession()).done])
        assert.deepEqual(await snapshot(next), await snapshot(server))
        await next.close()
      } finally {
        await served.close()
        await server.close()
      }
    })
  })
}
