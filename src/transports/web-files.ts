// The web app's files, as `logbook serve` answers plain HTTP requests: the built app (index.html, app.js,
// app.css...) from one directory, and nothing else. The page is a peer: it gets the space key from its URL's
// fragment, which a browser never sends, and every entry through a replication session. So no route here
// gives anything of the space, and a request names a file of the app or gets 404: no directory listings, no
// dot files, nothing outside the directory (`..`, encoded or not, and symbolic links leading out).
import { realpath, readFile, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'

/** What a page of the app may do: its own scripts (and WebAssembly: libsodium), and WebSockets to peers. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  // 'self' covers the page's own ws:// (and wss://) origin: the page connects to the server it came from only.
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

/** Sent with every answer, files and errors alike. */
const COMMON_HEADERS = {
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer'
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2'
}

export const WEB_APP_MISSING = 'the web app is not built here: build it with `npm run build:browser`\n'

function answer (response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers })
  response.end(text)
}

/** The path's parts, decoded; null if any part could lead elsewhere than a file of the directory. */
function safeParts (pathname: string): string[] | null {
  const parts = pathname.split('/').slice(1)
  if (parts.length === 1 && parts[0] === '') return ['index.html']
  const decoded: string[] = []
  for (const part of parts) {
    let name: string
    try {
      name = decodeURIComponent(part)
    } catch {
      return null
    }
    // Empty parts (`//`, a trailing `/`: a directory), dot files and `..`, separators smuggled in encoded.
    if (name === '' || name.startsWith('.') || /[/\\\0]/.test(name)) return null
    decoded.push(name)
  }
  return decoded
}

/**
 * The path of a request target, as sent (`..` and its encodings are refused part by part, not resolved); an
 * absolute URL (a request through a proxy) gives its path. Null if it is neither.
 */
function requestPath (target: string): string | null {
  if (target.startsWith('/')) return target.split(/[?#]/)[0]
  try {
    return new URL(target).pathname
  } catch {
    return null
  }
}

/** The file under `root` a request names, or null (not there, not a plain file, or outside `root`). */
async function fileFor (root: string, pathname: string): Promise<string | null> {
  const parts = safeParts(pathname)
  if (parts === null) return null
  try {
    const realRoot = await realpath(root)
    const file = await realpath(join(realRoot, ...parts))
    if (!file.startsWith(realRoot + sep)) return null
    return (await stat(file)).isFile() ? file : null
  } catch {
    return null
  }
}

/** Answers one HTTP request from the app's files in `root`. */
export async function serveWebFile (root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET') {
    answer(response, 405, 'only GET is served here\n', { Allow: 'GET' })
    return
  }
  const pathname = requestPath(request.url ?? '/')
  const file = pathname === null ? null : await fileFor(root, pathname)
  if (file === null) {
    // No index.html: the app was never built (a source checkout, before `npm run build:browser`).
    answer(response, 404, pathname === '/' ? WEB_APP_MISSING : 'not found\n')
    return
  }
  let body: Buffer
  try {
    body = await readFile(file)
  } catch {
    answer(response, 404, 'not found\n')
    return
  }
  response.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(body.byteLength)
  })
  response.end(body)
}
