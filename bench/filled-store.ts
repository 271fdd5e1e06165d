// The sending side's store of the replication cases, before anything is timed.
import { Logbook } from '../src/index.js'
import { chunk, makePayloads } from './measure.js'

/**
 * A fresh store in `dir` with `n` payloads of 100 random bytes appended in batches of `batch`, closed (so its
 * LevelDB work is over before a peer comes) and reopened.
 */
export async function filledStore (dir: string, n: number, batch: number): Promise<Logbook> {
  const writer = await Logbook.create({ dir })
  for (const b of chunk(makePayloads(n), batch)) await writer.append(b)
  await writer.close()
  return await Logbook.open({ dir })
}
