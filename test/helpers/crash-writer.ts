// Child process for the crash drill: appends forever (single entries, batches, and imports of what it
// wrote itself), printing each acknowledged id on stdout only after append resolved. The parent kills
// it with SIGKILL at a random moment and checks that every printed id survived.
import { Logbook } from '../../src/index.js'

const dir = process.argv[2]
const book = await Logbook.open({ dir })
let round = 0
for (;;) {
  round++
  if (round % 3 === 0) {
    const ids = await book.append(Array.from({ length: 200 }, (_, i) => ({ round, i })))
    process.stdout.write(ids.join('\n') + '\n')
  } else {
    const id = await book.append({ round })
    process.stdout.write(id + '\n')
  }
}
