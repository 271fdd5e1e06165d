// Child process of the view crash drill: opens the store, registers the kv view and a counting view
// (not idempotent), then does the round's work while printing each committed batch. The parent kills it
// with SIGKILL at a random one of those moments.
//   node views-crash-child.js DIR MODE COUNT_VERSION
//   MODE: rebuild (wipe and replay both views), append (append entries while the views follow),
//         version (the counting view under COUNT_VERSION, which the parent has just changed)
import { Logbook, kvView } from '../../src/index.js'
import { countingView } from './views-books.js'

const [dir, mode, countVersion] = process.argv.slice(2)
const book = await Logbook.open({ dir })
const views = [book.use('kv', kvView()), book.use('count', countingView(countVersion))]
for (const view of views) {
  view.on('progress', ({ name, applied }) => process.stdout.write(`progress ${name} ${applied}\n`))
  view.on('rebuild', ({ name, reason }) => process.stdout.write(`rebuild ${name} ${reason}\n`))
}
if (mode === 'rebuild') {
  await Promise.all(views.map(async (view) => await view.ready()))
  process.stdout.write('start\n')
  await Promise.all([book.rebuild('kv'), book.rebuild('count')])
} else if (mode === 'append') {
  process.stdout.write('start\n')
  for (let round = 0; round < 10; round++) {
    await book.append(Array.from({ length: 500 }, (_, i) => ({ type: 'kv', key: `appended/${i % 50}`, value: round })))
    process.stdout.write(`appended ${round}\n`)
  }
  await Promise.all(views.map(async (view) => await view.ready()))
} else {
  process.stdout.write('start\n')
  await Promise.all(views.map(async (view) => await view.ready()))
}
process.stdout.write('done\n')
await book.close()
