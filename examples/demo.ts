// `npm start`: the main job in a minute. Two people keep logs of one space on LevelDB, each exports,
// the exports are concatenated (as `cat a.log b.log` would) and imported into a third store, in both
// orders: each gets the union, and both reach the same state.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Logbook } from '../src/index.js'

const root = join(process.cwd(), '.logbook-demo')

async function exportAll (book: Logbook): Promise<Buffer> {
  const chunks: Uint8Array[] = []
  for await (const chunk of book.export()) chunks.push(chunk)
  return Buffer.concat(chunks)
}

async function main (): Promise<void> {
  await rm(root, { recursive: true, force: true })
  const alice = await Logbook.create({ dir: join(root, 'alice') })
  const bob = await Logbook.create({ dir: join(root, 'bob'), spaceKey: alice.spaceKey })
  console.log(`space ${alice.spaceId}`)
  console.log(`alice ${alice.author}\nbob   ${bob.author}\n`)

  const hello = await alice.append({ type: 'chat', text: 'hello from alice' })
  await alice.append([{ type: 'todo', text: 'buy milk' }, { type: 'todo', text: 'fix bike' }])
  await bob.append({ type: 'chat', text: 'hi, bob here' })
  const batch = await bob.append(Array.from({ length: 1000 }, (_, i) => ({ type: 'reading', value: i })))
  console.log(`alice appended 3 entries (the last two in one signed segment), first ${hello.slice(0, 12)}…`)
  console.log(`bob appended 1001 entries (1000 of them under one signature), last ${batch[batch.length - 1].slice(0, 12)}…\n`)

  const a = await exportAll(alice)
  const b = await exportAll(bob)
  const carol = await Logbook.create({ dir: join(root, 'carol'), spaceKey: alice.spaceKey })
  const dave = await Logbook.create({ dir: join(root, 'dave'), spaceKey: alice.spaceKey })
  const first = await carol.import(Buffer.concat([a, b]))
  await dave.import(Buffer.concat([b, a]))
  const again = await carol.import(Buffer.concat([a, b, a]))
  console.log(`carol imported cat a.log b.log: ${first.imported} new entries`)
  console.log(`carol imported cat a.log b.log a.log again: ${again.imported} new, ${again.duplicates} duplicates`)
  const same = JSON.stringify(carol.heads()) === JSON.stringify(dave.heads()) &&
    JSON.stringify(carol.feedHeads()) === JSON.stringify(dave.feedHeads())
  console.log(`carol (a then b) and dave (b then a) reach the same heads: ${same ? 'yes' : 'NO'}`)

  let shown = 0
  for await (const entry of carol.log({ limit: 4 })) {
    console.log(`  #${entry.localSeq} ${entry.author.slice(0, 8)}… seq ${entry.seq}: ${JSON.stringify(entry.payload)}`)
    shown++
  }
  const check = await carol.verify()
  console.log(`\ncarol verifies ${check.entries} entries: ${check.ok ? 'ok' : check.problems.join('; ')}`)
  console.log(`stores are in ${root} (try: npx logbook --dir ${join('.logbook-demo', 'carol')} status)`)
  await Promise.all([alice.close(), bob.close(), carol.close(), dave.close()])
  if (!same || !check.ok || shown === 0) process.exitCode = 1
}

await main()
