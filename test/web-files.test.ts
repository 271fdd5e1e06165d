// The web app on the replication port (src/transports/web-files.ts through listen()'s webRoot, and `logbook
// serve`): the app's files with their types and a strict policy, and nothing else. No listings, no dot files,
// no way out of the directory; 405 for other methods; a hint when the app is not built; replication and the
// Origin gate unchanged on the same port, with the page's own origin let in; the link `serve` prints.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { listen, type LogbookServer } from '../src/index.js'
import { connectWebSocket, type PageWebSocketConstructor } from '../src/transports/browser-websocket.js'
import { connectTcp } from '../src/transports/tcp.js'
import { WEB_APP_MISSING } from '../src/transports/web-files.js'
import { ok, tempDir } from './helpers/cli.js'
import { Background } from './helpers/cli-process.js'
import { identity, memoryBook, snapshot } from './helpers/fixtures.js'

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** One HTTP request with the path sent exactly as given (no client-side normalising). */
async function get (port: number, path: string, method = 'GET'): Promise<Answer> {
  return await new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, timeout: 10_000 }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (text: string) => { body += text })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path}`)))
    req.on('error', reject)
    req.end()
  })
}

const SECRET = 'the contents of a file outside the web root'
const INDEX = '<!doctype html><title>logbook</title><script type="module" src="app.js"></script>'

let tmp: { path: string, cleanup: () => void }
let webRoot: string
before(() => {
  tmp = tempDir('logbook-web-')
  webRoot = join(tmp.path, 'web')
  mkdirSync(join(webRoot, 'assets'), { recursive: true })
  writeFileSync(join(webRoot, 'index.html'), INDEX)
  writeFileSync(join(webRoot, 'app.js'), 'console.log("app")\n')
  writeFileSync(join(webRoot, 'app.css'), 'body { margin: 0 }\n')
  writeFileSync(join(webRoot, 'assets', 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(webRoot, '.env'), SECRET)
  writeFileSync(join(tmp.path, 'secret.txt'), SECRET)
  writeFileSync(join(tmp.path, 'package.json'), SECRET)
  symlinkSync(join(tmp.path, 'secret.txt'), join(webRoot, 'link.txt'))
})
after(() => { tmp.cleanup() })

function checkCommonHeaders (answer: Answer, what: string): void {
  assert.equal(answer.headers['cache-control'], 'no-cache', what)
  assert.equal(answer.headers['x-content-type-options'], 'nosniff', what)
  const policy = String(answer.headers['content-security-policy'])
  assert.match(policy, /(^|; )default-src 'self'(;|$)/, what)
  assert.match(policy, /(^|; )connect-src 'self'(;|$)/, what)
  assert.match(policy, /(^|; )script-src 'self' 'wasm-unsafe-eval'(;|$)/, what)
  assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|\*/, what)
}

describe('listen() with a web root', { timeout: 60_000 }, () => {
  let server: LogbookServer
  let book: Awaited<ReturnType<typeof memoryBook>>
  let servedId: string
  before(async () => {
    book = await memoryBook({ identity: identity(1) })
    servedId = await book.append({ served: 'over replication only' })
    server = await listen(book, { webRoot })
  })
  after(async () => {
    await server.close()
    await book.close()
  })

  test('the app\'s files, with their content types and the policy headers', async () => {
    const cases: Array<[string, string, string]> = [
      ['/', 'text/html; charset=utf-8', INDEX],
      ['/index.html', 'text/html; charset=utf-8', INDEX],
      ['/app.js', 'text/javascript; charset=utf-8', 'console.log("app")\n'],
      ['/app.css', 'text/css; charset=utf-8', 'body { margin: 0 }\n'],
      ['/assets/icon.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
      ['/app.js?v=2', 'text/javascript; charset=utf-8', 'console.log("app")\n']
    ]
    for (const [path, type, body] of cases) {
      const answer = await get(server.port, path)
      assert.equal(answer.status, 200, path)
      assert.equal(answer.headers['content-type'], type, path)
      assert.equal(answer.body, body, path)
      checkCommonHeaders(answer, path)
    }
  })

  test('nothing else: no listings, no dot files, nothing outside the directory', async () => {
    const paths = [
      '/nothing.js', '/assets', '/assets/', '//', '/.env', '/%2eenv',
      '/../package.json', '/%2e%2e/package.json', '/%2E%2E/package.json', '/..%2fpackage.json', '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e%5csecret.txt', '/..\\secret.txt', '/../secret.txt', '/assets/../../secret.txt', '/link.txt', '/index.html%00.js', '/%ff'
    ]
    for (const path of paths) {
      const answer = await get(server.port, path)
      assert.equal(answer.status, 404, path)
      assert.equal(answer.body, 'not found\n', path)
      assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8', path)
      checkCommonHeaders(answer, path)
    }
  })

  test('other methods get 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH']) {
      const answer = await get(server.port, '/', method)
      assert.equal(answer.status, 405, method)
      assert.equal(answer.headers.allow, 'GET', method)
      checkCommonHeaders(answer, method)
    }
  })

  test('replication runs on the same port, and a page of the server\'s own origin connects back', async () => {
    const overTcp = await memoryBook({ identity: identity(2) })
    const stream = await connectTcp(overTcp, server.host, server.port)
    await stream.session.done
    assert.deepEqual(await snapshot(overTcp), await snapshot(book))
    await overTcp.close()

    const fromOrigin = (origin: string): PageWebSocketConstructor => class extends WebSocket {
      constructor (url: string) { super(url, { origin }) }
    } as unknown as PageWebSocketConstructor
    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      const page = await memoryBook({ identity: identity(3) })
      await page.append({ from: origin })
      const session = (await connectWebSocket(page, server.urls.ws, { WebSocket: fromOrigin(origin) })).session
      await session.done
      assert.deepEqual((await page.get(servedId))?.payload, { served: 'over replication only' }, origin)
      await page.close()
    }
    await assert.rejects(connectWebSocket(await memoryBook(), server.urls.ws, { WebSocket: fromOrigin('http://evil.example') }), (err: Error & { code?: string }) => err.code === 'CONNECTION_FAILED' && /403/.test(err.message))
  })
})

describe('listen() without a usable web root', () => {
  test('a missing directory: / answers 404 with the command that builds the app', async () => {
    const book = await memoryBook()
    const server = await listen(book, { webRoot: join(tmp.path, 'not-built') })
    try {
      const root = await get(server.port, '/')
      assert.equal(root.status, 404)
      assert.equal(root.body, WEB_APP_MISSING)
      assert.match(root.body, /^the web app is not built here: build it with `npm run build:browser`\n$/)
      checkCommonHeaders(root, '/')
      assert.equal((await get(server.port, '/app.js')).body, 'not found\n')
    } finally {
      await server.close()
      await book.close()
    }
  })

  test('no web root at all: plain HTTP gets 426, as before', async () => {
    const book = await memoryBook()
    const server = await listen(book)
    try {
      for (const method of ['GET', 'POST']) {
        const answer = await get(server.port, '/', method)
        assert.equal(answer.status, 426, method)
        assert.equal(answer.headers.upgrade, 'websocket', method)
      }
    } finally {
      await server.close()
      await book.close()
    }
  })
})

describe('logbook serve', { timeout: 60_000 }, () => {
  test('prints the web app\'s link with the space key in the fragment, and serves the built app (or the hint)', async () => {
    const dir = join(tmp.path, 'store')
    ok(['--dir', dir, 'init'])
    const spaceKey = ok(['--dir', dir, 'space']).trim()
    assert.match(spaceKey, /^[0-9a-f]{64}$/)

    const jsonServer = new Background(['--dir', dir, 'serve', '--port', '0', '--json'])
    try {
      const where = JSON.parse(await jsonServer.line((line) => line.includes('"tcp"'))) as Record<string, unknown>
      assert.deepEqual(Object.keys(where), ['tcp', 'ws', 'host', 'port', 'web'])
      assert.equal(where.web, `http://127.0.0.1:${where.port as number}/#space=${spaceKey}`)
      const root = await get(where.port as number, '/')
      // npm run build builds the app into dist/app, which the command serves.
      assert.equal(root.status, 200)
      assert.equal(root.headers['content-type'], 'text/html; charset=utf-8')
      assert.match(root.body, /<script type="module" src="app.js"><\/script>/)
      checkCommonHeaders(root, 'serve /')
      assert.equal((await get(where.port as number, '/../package.json')).status, 404)
    } finally {
      await jsonServer.stop()
    }

    const textServer = new Background(['--dir', dir, 'serve', '--port', '0'])
    try {
      const line = await textServer.line((text) => text.startsWith('serving '))
      assert.match(line, new RegExp(`^serving tcp://127\\.0\\.0\\.1:(\\d+) and ws://127\\.0\\.0\\.1:\\1 until Ctrl-C; the web app: http://127\\.0\\.0\\.1:\\1/#space=${spaceKey}$`))
    } finally {
      await textServer.stop()
    }
  })
})
