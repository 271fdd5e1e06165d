// The views the logbook command knows: the built-ins it registers on the stores it opens. An
// application registers its own views in its own process; the command lists those it finds on disk but
// cannot rebuild or check them, since it does not have their code.
import type { Logbook } from '../logbook.js'
import { indexView } from './builtin/index-view.js'
import { kvView } from './builtin/kv.js'
import type { ViewDefinition } from './types.js'

export const DEFAULT_VIEWS: ReadonlyMap<string, () => ViewDefinition<any>> = new Map<string, () => ViewDefinition<any>>([
  // `logbook kv ...`: every author's kv entries, both branches of a fork (marked when read).
  ['kv', () => kvView()],
  // Entries by their payload's `type` field and time.
  ['types', () => indexView({ field: 'type' })]
])

/** Registers the default views (those in `names`, or all) that `book` does not have yet. */
export function useDefaultViews (book: Logbook, names: string[] = [...DEFAULT_VIEWS.keys()]): void {
  for (const name of names) {
    const make = DEFAULT_VIEWS.get(name)
    if (make !== undefined && !book.hasView(name)) book.use(name, make())
  }
}
