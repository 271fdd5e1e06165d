// The space key in the page's address: `#space=<64 hex digits>`. A browser never sends the fragment to a
// server, so the key stays with the page. Anything else is no key at all, and the page shows nothing of a space.
const SPACE_KEY_HEX = /^[0-9a-f]{64}$/

/** The space key (lowercase hex) the fragment `hash` (as in `location.hash`) holds, or null. */
export function spaceKeyFromFragment (hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash)
  const keys = params.getAll('space')
  if (keys.length !== 1) return null
  const key = keys[0].toLowerCase()
  return SPACE_KEY_HEX.test(key) ? key : null
}
