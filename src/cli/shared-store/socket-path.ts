// Where the process that holds a store listens: DIR/logbook.sock, a Unix domain socket in the store
// directory. Such a path has a length limit (104 bytes with its terminating zero on macOS, 108 on Linux):
// past it, a socket named by a hash of the store's real path, in a directory of this user's only under
// the temporary directory. On Windows, a named pipe named the same way. Holder and command derive the
// same path from the store's real path, so nothing needs recording.
import { createHash } from 'node:crypto'
import { lstat, mkdir, realpath } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const SOCKET_NAME = 'logbook.sock'

/** The longest socket path every Unix takes (macOS's 104 bytes, less the terminating zero). */
const MAX_SOCKET_PATH_BYTES = 103

function hashOf (path: string): string {
  return createHash('sha256').update(path).digest('hex').slice(0, 32)
}

/**
 * A directory under the temporary directory that only this user can use: made 0700, and refused when it
 * is anything else (another user's, or a link), since a socket there could be someone else's.
 */
async function privateTemp (): Promise<string | null> {
  const uid = process.getuid?.() ?? 0
  const dir = join(tmpdir(), `logbook-${uid}`)
  await mkdir(dir, { mode: 0o700 }).catch(() => {})
  try {
    const info = await lstat(dir)
    return info.isDirectory() && info.uid === uid && (info.mode & 0o077) === 0 ? dir : null
  } catch {
    return null
  }
}

/** The socket of the store in `dir`, or null when there is no safe place for it. */
export async function socketPath (dir: string): Promise<string | null> {
  const real = await realpath(dir).catch(() => resolve(dir))
  if (process.platform === 'win32') return `\\\\.\\pipe\\logbook-${hashOf(real)}`
  const inDir = join(real, SOCKET_NAME)
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH_BYTES) return inDir
  const temp = await privateTemp()
  return temp === null ? null : join(temp, `${hashOf(real)}.sock`)
}
