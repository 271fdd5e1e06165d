// What to do next, in the command's words. The library's messages say what happened and name no
// commands or flags (a program using the library has neither); the command adds the way out here,
// one hint per error code.
import type { ErrorCode } from '../index.js'

const HINTS: Partial<Record<ErrorCode, string>> = {
  LOGBOOK_NOT_INITIALIZED: 'run `logbook init` first (or pass --dir)',
  IDENTITY_MISSING: 'restore it from a backup with `logbook identity import < BACKUP` (a line `logbook identity export` printed), ' +
    'or give this store a new identity with `logbook identity new`',
  INVALID_IDENTITY: 'the line comes from `logbook identity export`; without a backup, `logbook identity new` gives this store a new identity',
  IDENTITY_FORKED: 'way out: give this store a new identity with `logbook identity new`; `logbook forks` shows the proof',
  BEHIND_OWN_HEAD: 'way out: import the missing entries (see `logbook status`) from the device that wrote them, ' +
    'or give this store a new identity with `logbook identity new`'
}

/** `message` followed by the way out for `code`, if the command knows one. */
export function withHint (code: ErrorCode, message: string): string {
  const hint = HINTS[code]
  // A closing full stop after a word goes; one that ends a path (`.`, `..`) stays.
  return hint === undefined ? message : `${message.replace(/(?<=[\p{L})])\.\s*$|[;:]\s*$/u, '')}; ${hint}`
}
