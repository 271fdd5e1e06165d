// Limits of the data model. They are part of the format: a store rejects anything beyond them.

export const FORMAT_VERSION = 1
export const MAX_SEQ = Number.MAX_SAFE_INTEGER // 2^53 − 1
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER
/** An entry id: a SHA-256 digest. */
export const ID_BYTES = 32
export const MAX_LINKS = 256
export const MAX_PAYLOAD_BYTES = 1024 * 1024
export const MAX_SEGMENT_ENTRIES = 1024
export const MAX_SEGMENT_BYTES = 4 * 1024 * 1024
/** Containers a JSON payload may have open at once: few enough for any reader that recurses per level. */
export const MAX_JSON_DEPTH = 256
