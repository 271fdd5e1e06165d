// LogbookError: every failure a user can cause carries a stable uppercase code.
// Messages may change between versions; codes may not. The table is also in the README.

export const ERROR_CODES = {
  LOGBOOK_NOT_INITIALIZED: 'no store here: run `logbook init` first (or pass --dir)',
  LOGBOOK_ALREADY_INITIALIZED: 'a store already exists here',
  LOGBOOK_NOT_OPEN: 'the logbook is closed',
  INVALID_ARGUMENT: 'an argument is not valid',
  INVALID_KEY: 'a key or id is not valid hex of the right length',
  INVALID_IDENTITY: 'an identity file is not valid',
  INVALID_PAYLOAD: 'a payload is not valid',
  PAYLOAD_TOO_LARGE: 'a payload is larger than 1 MiB',
  TOO_MANY_LINKS: 'an entry has more than 256 links',
  LINK_NOT_FOUND: 'a link names an entry this store does not have ready',
  NON_CANONICAL: 'an encoding is not canonical',
  CORRUPT_FRAME: 'an export frame is corrupt or truncated',
  SEGMENT_TOO_LARGE: 'a segment exceeds 1024 entries or 4 MiB',
  WRONG_SPACE: 'a segment belongs to another space',
  BAD_SIGNATURE: 'a signature does not verify',
  MISSING_SIGNATURE: 'a segment does not end in a signed entry',
  BAD_CHAIN: 'entries of a segment are not consecutive and prev-linked',
  ID_MISMATCH: 'a stated id does not match the entry',
  IDENTITY_FORKED: 'this identity has a fork in this space',
  BEHIND_OWN_HEAD: 'this store knows a later entry of its own identity that it did not write',
  SEQ_OVERFLOW: 'a feed reached the largest sequence number',
  VERIFY_FAILED: 'stored data failed verification',
  NOT_FOUND: 'no such entry',
  AMBIGUOUS_ID: 'an id prefix matches more than one entry or author',
  IO_ERROR: 'the disk refused a read or write (full, read-only, or failing)'
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class LogbookError extends Error {
  readonly code: ErrorCode
  /** For input errors: the byte offset in the stream where the problem starts. */
  readonly offset?: number
  /** For errors about one item of a batch (an append of many payloads): its position in the batch. */
  readonly index?: number
  constructor (code: ErrorCode, message?: string, options?: { cause?: unknown, offset?: number, index?: number }) {
    super(message ?? ERROR_CODES[code], options?.cause !== undefined ? { cause: options.cause } : undefined)
    this.name = 'LogbookError'
    this.code = code
    if (options?.offset !== undefined) this.offset = options.offset
    if (options?.index !== undefined) this.index = options.index
  }
}

export function isLogbookError (err: unknown): err is LogbookError {
  return err instanceof LogbookError
}
