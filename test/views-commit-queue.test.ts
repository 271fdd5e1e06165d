// The commit queue of a view: batches applied while a commit is with the database go together, in
// order, with the newest checkpoint; their writes are readable until they land; a failed commit stops
// everything after it.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { CommitQueue, type CommitGroup } from '../src/views/commit-queue.js'
import { emptyCheckpoint, type Checkpoint, type ViewOp } from '../src/views/keyspace.js'

const at = (applied: number): Checkpoint => ({ ...emptyCheckpoint(1, 'include', []), applied })
const failure = (key: string): ViewOp => ({ type: 'put', sublevel: null as any, key, value: '{}' })

function deferred (): { promise: Promise<void>, resolve: () => void, reject: (err: unknown) => void } {
  let resolve!: () => void
  let reject!: (err: unknown) => void
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej })
  return { promise, resolve, reject }
}

describe('commit queue', () => {
  test('batches queued behind a commit go as one group with the newest checkpoint, in order', async () => {
    const groups: CommitGroup[] = []
    const gates: Array<ReturnType<typeof deferred>> = []
    const queue = new CommitQueue(async (group) => {
      groups.push(group)
      const gate = deferred()
      gates.push(gate)
      await gate.promise
    }, 1000)
    await queue.add(new Map([['a', '1']]), [], at(1), 1)
    assert.equal(groups.length, 1, 'the first batch commits at once')
    await queue.add(new Map([['b', '2'], ['c', null]]), [failure('x2')], at(2), 1)
    await queue.add(new Map([['a', '3']]), [], at(3), 1)
    assert.equal(queue.lookup('a'), '3', 'the newest pending write wins')
    assert.equal(queue.lookup('b'), '2')
    assert.equal(queue.lookup('c'), null, 'a pending deletion')
    assert.equal(queue.lookup('d'), undefined)
    gates[0].resolve()
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(groups.length, 2)
    assert.deepEqual([...groups[1].rows], [['b', '2'], ['c', null], ['a', '3']])
    assert.deepEqual(groups[1].ops.map((op) => op.key), ['x2'])
    assert.equal(groups[1].checkpoint.applied, 3)
    assert.equal(groups[1].entries, 2)
    gates[1].resolve()
    await queue.drain()
    assert.equal(queue.lookup('a'), undefined, 'landed writes are read from the database')
  })

  test('adding waits while too many entries wait; a failed commit stops everything after it', async () => {
    const gate = deferred()
    let commits = 0
    const queue = new CommitQueue(async () => {
      commits++
      await gate.promise
    }, 2)
    await queue.add(new Map(), [], at(1), 1)
    let added = false
    const adding = queue.add(new Map(), [], at(3), 2).then(() => { added = true })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(added, false, 'two entries waiting: add waits for the commit in flight')
    gate.reject(new Error('disk full'))
    await adding.then(() => assert.fail('expected the failure'), (err: Error) => assert.match(err.message, /disk full/))
    await assert.rejects(queue.add(new Map(), [], at(4), 1), /disk full/)
    await assert.rejects(queue.drain(), /disk full/)
    assert.equal(commits, 1, 'nothing was written after the failure')
  })
})
