// LogbookError: every failure a user can cause carries a stable uppercase code.
// Messages may change between versions; codes may not. The table is also in the README.

export const ERROR_CODES = {
  LOGBOOK_NOT_INITIALIZED: 'no store here',
  LOGBOOK_ALREADY_INITIALIZED: 'a store already exists here',
  LOGBOOK_NOT_OPEN: 'the logbook is closed',
  INVALID_ARGUMENT: 'an argument is not valid',
  INVALID_KEY: 'a key or id is not valid hex of the right length',
  INVALID_IDENTITY: 'an identity file is not valid',
  IDENTITY_MISSING: 'the store\'s identity file is missing',
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
  INVALID_CURSOR: 'an export cursor is malformed, from another store, or ahead of this one',
  ABORTED: 'an append was stopped by its AbortSignal between two segments',
  IO_ERROR: 'the disk refused a read or write (full, read-only, or failing)',
  SPACE_MISMATCH: 'a peer could not prove it holds this space\'s key',
  VERSION_MISMATCH: 'a peer speaks no version of the replication protocol that this one does',
  PROTOCOL_ERROR: 'a peer sent a message the replication protocol does not allow here',
  MESSAGE_TOO_LARGE: 'a peer sent a message larger than the protocol allows',
  PEER_TIMEOUT: 'a peer sent nothing for longer than the timeout',
  CONNECTION_CLOSED: 'the connection closed before replication finished',
  CONNECTION_FAILED: 'a peer could not be reached, or refused the connection'
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

/** errno codes of a disk that refused a read or write, as opposed to a bug or a bad argument. */
const IO_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'EFBIG', 'ENXIO'])
/** LevelDB's words for the same reasons (its errors carry text, not errno codes). */
const LEVELDB_IO_REASON = /No space left|Disk quota|Input\/output error|Read-only file system|Permission denied|Operation not permitted|File too large/

/**
 * Whether `err` (or an error it wraps) is the disk refusing a read or write: an errno error such as
 * ENOSPC or EROFS, or a LevelDB "IO error" for one of those reasons (not a missing file, which is
 * damage, nor a lock held by another process).
 */
export function isIoFailure (err: unknown): boolean {
  for (let at = err, depth = 0; at !== null && typeof at === 'object' && depth < 8; at = (at as { cause?: unknown }).cause, depth++) {
    if (at instanceof LogbookError && at.code === 'IO_ERROR') return true
    const { code, message } = at as { code?: unknown, message?: unknown }
    if (typeof code === 'string' && IO_ERRNO.has(code)) return true
    if (typeof message === 'string' && message.startsWith('IO error: ') && LEVELDB_IO_REASON.test(message)) return true
  }
  return false
}

/** The innermost message of `err`'s causes (LevelDB's own words under abstract-level's generic ones). */
export function innermostMessage (err: unknown): string {
  let message = err instanceof Error ? err.message : String(err)
  for (let at = (err as { cause?: unknown })?.cause, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) message = at.message
  return message
}

/** `err` as IO_ERROR when the disk refused (see isIoFailure), else as `code`; LogbookErrors pass through. */
export function storeFailure (err: unknown, code: ErrorCode, what: string): LogbookError {
  if (err instanceof LogbookError) return err
  return new LogbookError(isIoFailure(err) ? 'IO_ERROR' : code, `${what}: ${innermostMessage(err)}`, { cause: err })
}

export function isLogbookError (err: unknown): err is LogbookError {
  return err instanceof LogbookError
}
