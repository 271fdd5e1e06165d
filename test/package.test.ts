// The package as a user gets it: `npm pack`, then the tarball installed into an empty project with no network,
// then the installed command, the library imported from an ES module, and a TypeScript file checked against the
// shipped typings.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { ROOT, ndjson, tempDir } from './helpers/cli.js'

interface Ran { status: number | null, stdout: string, stderr: string }

/** The environment for npm and the installed command: npm's own `npm_*` variables from the enclosing `npm test`
 *  (the project's prefix, its lifecycle event...) are dropped so the inner npm sees only the directory it runs in;
 *  where the cache and the configuration live is kept. `node` on the PATH is this node. */
function childEnv (): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_registry'])
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(name) && !keep.has(name.toLowerCase())) continue
    env[name] = value
  }
  delete env.LOGBOOK_DIR
  delete env.LOGBOOK_DEBUG
  env.PATH = [dirname(process.execPath), process.env.PATH].join(':')
  return env
}

function exec (file: string, args: string[], cwd: string, input = ''): Ran {
  const result = spawnSync(file, args, { cwd, env: childEnv(), input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 })
  if (result.error !== undefined) throw result.error
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function succeeds (ran: Ran, what: string): string {
  assert.equal(ran.status, 0, `${what} failed (${String(ran.status)}):\n${ran.stderr}${ran.stdout}`)
  return ran.stdout
}

/** npm itself: the one running `npm test` when there is one, else the one on the PATH. */
function npm (args: string[], cwd: string): string {
  const cli = process.env.npm_execpath
  const ran = cli !== undefined && basename(cli) === 'npm-cli.js'
    ? exec(process.execPath, [cli, ...args], cwd)
    : exec('npm', args, cwd)
  return succeeds(ran, `npm ${args.join(' ')}`)
}

function manifest (): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>
}

/** A lockfile for a project that depends on the tarball alone: the tarball's entry, then this repository's locked
 *  runtime dependencies (their dev and dev-or-optional entries left out, as npm leaves them out of a consumer's
 *  tree). With it `npm ci --offline` needs only what this repository's own `npm ci` put in the cache. */
function consumerLock (tarball: string, spec: string): unknown {
  const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> }
  const { version, license, dependencies, bin, engines } = manifest()
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { logbook: spec } },
    'node_modules/logbook': {
      version,
      resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license,
      dependencies,
      bin,
      engines
    }
  }
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '' || entry.dev === true || entry.devOptional === true) continue
    packages[path] = entry
  }
  return { name: 'consumer', lockfileVersion: 3, requires: true, packages }
}

const CONSUMER_TS = `import { Logbook, LogbookError, type LogEntry, type LogReader } from 'logbook'

const book: Logbook = await Logbook.create({ dir: process.argv[2] })
const id: string = await book.append({ typed: true })
const entry: LogEntry | undefined = await book.get(id)
const seq: number | undefined = entry?.seq
// @ts-expect-error: append of one payload resolves to its id, a string
const wrong: number = await book.append({ typed: false })
const isCoded = (err: unknown): boolean => err instanceof LogbookError
const log: LogReader = book.reader
const ready: number = log.readyCount
// @ts-expect-error: the store is not part of the API
const store = book.store
// @ts-expect-error: nor is the accessor the library's own tests use
const internal = book.internalStore
console.log(seq, wrong, isCoded, ready, store, internal)
await book.close()
`

const CONSUMER_MJS = `import { Logbook } from 'logbook'

const book = await Logbook.create({ dir: process.argv[2] })
const id = await book.append({ from: 'library' })
const entry = await book.get(id)
console.log(JSON.stringify({ resolved: import.meta.resolve('logbook'), id, payload: entry.payload }))
await book.close()
`

let tmp: { path: string, cleanup: () => void }
const at = (...parts: string[]): string => join(tmp.path, ...parts)
let tarball = ''
let files: string[] = []

before(() => {
  tmp = tempDir('logbook-package-')
  // Packed from a copy: npm pack clears and rebuilds dist/src (prepack, prepare), which must not happen under the
  // other test files running from this checkout's dist/ at the same time. The copy shares node_modules.
  const source = at('source')
  const skip = new Set(['node_modules', 'dist', '.git'])
  for (const name of readdirSync(ROOT)) {
    if (skip.has(name) || (name.startsWith('.') && !['.ci', '.gitignore', '.npmignore'].includes(name))) continue
    cpSync(join(ROOT, name), join(source, name), { recursive: true })
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(source, 'node_modules'), 'dir')
  mkdirSync(at('pack'))
  npm(['pack', '--pack-destination', at('pack'), '--silent'], source)
  const packed = readdirSync(at('pack'))
  assert.equal(packed.length, 1, `npm pack made ${packed.join(', ')}`)
  tarball = at('pack', packed[0])
  files = succeeds(exec('tar', ['-tzf', tarball], tmp.path), 'tar -tzf').split('\n').filter((line) => line !== '')
    .map((line) => line.replace(/^package\//, ''))
})
after(() => { tmp.cleanup() })

describe('the package', () => {
  test('the tarball holds the compiled library, its typings, the command, README, docs and LICENSE, and nothing else', () => {
    for (const file of ['package.json', 'README.md', 'LICENSE', 'bin/logbook.js', 'dist/src/index.js', 'dist/src/index.d.ts',
      'dist/src/cli/main.js', 'dist/src/browser.js', 'dist/browser/logbook.js', 'dist/app/index.html', 'dist/app/app.js', 'docs/FORMAT.md']) {
      assert.ok(files.includes(file), `the tarball lacks ${file}`)
    }
    for (const file of files) {
      assert.ok(/^(package\.json|README\.md|LICENSE|bin\/|docs\/|dist\/(src|browser|app)\/)/.test(file), `the tarball should not hold ${file}`)
      assert.ok(!file.endsWith('.map'), `${file}: no source maps, their sources are not shipped`)
      assert.ok(!file.endsWith('.ts') || file.endsWith('.d.ts'), `${file}: TypeScript sources are not shipped`)
    }
    assert.equal(basename(tarball), `logbook-${manifest().version as string}.tgz`)
  })

  test('installed offline into an empty project: the command, the library from an ES module, and the typings', () => {
    const app = at('app')
    mkdirSync(app)
    const spec = `file:../pack/${basename(tarball)}`
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { logbook: spec } }, null, 2))
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(consumerLock(tarball, spec), null, 2))
    npm(['ci', '--offline', '--no-audit', '--no-fund'], app)

    // The command, as npm linked it.
    const logbook = join(app, 'node_modules', '.bin', 'logbook')
    assert.equal(succeeds(exec(logbook, ['--version'], app), 'logbook --version').trim(), manifest().version)
    const store = join(app, 'store')
    const author = JSON.parse(succeeds(exec(logbook, ['--dir', store, 'init', '--json'], app), 'logbook init')).author
    assert.match(author, /^[0-9a-f]{64}$/)
    const id = succeeds(exec(logbook, ['--dir', store, 'append', '{"from":"command"}'], app), 'logbook append').trim()
    assert.match(id, /^[0-9a-f]{64}$/)
    const logged = ndjson(succeeds(exec(logbook, ['--dir', store, 'log', '--json'], app), 'logbook log --json'))
    assert.deepEqual(logged.map((entry) => [entry.id, entry.author, entry.payload]), [[id, author, { from: 'command' }]])

    // The library, imported by name from an ES module of the project.
    writeFileSync(join(app, 'use.mjs'), CONSUMER_MJS)
    const used = JSON.parse(succeeds(exec(process.execPath, ['use.mjs', join(app, 'library-store')], app), 'node use.mjs'))
    assert.equal(used.resolved, `file://${realpathSync(app)}/node_modules/logbook/dist/src/index.js`)
    assert.match(used.id, /^[0-9a-f]{64}$/)
    assert.deepEqual(used.payload, { from: 'library' })

    // The typings: a strict check of a small file against what was installed (this repository's TypeScript and
    // Node typings, so no network), library typings included. Its @ts-expect-error line fails the check if the
    // types were missing or \`any\`.
    writeFileSync(join(app, 'check.ts'), CONSUMER_TS)
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(ROOT, 'node_modules', '@types')],
        types: ['node']
      },
      files: ['check.ts']
    }, null, 2))
    succeeds(exec(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app), 'tsc')

    // A page's bundle of the installed package, as docs/BROWSER.md tells: the browser entry, libsodium's WASM
    // build for secret-stream through logbook/sodium-native, and no Node built-in anywhere.
    writeFileSync(join(app, 'page.mjs'), "import { Logbook, connectWebSocket } from 'logbook'\nconsole.log(Logbook, connectWebSocket)\n")
    const esbuild = join(ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild')
    succeeds(exec(esbuild, ['page.mjs', '--bundle', '--platform=browser', '--format=esm', '--outfile=page.bundle.js', '--log-level=error',
      '--alias:sodium-universal=logbook/sodium-native', '--alias:sodium-native=logbook/sodium-native', '--metafile=page.meta.json'], app), 'esbuild')
    const inputs = Object.keys((JSON.parse(readFileSync(join(app, 'page.meta.json'), 'utf8')) as { inputs: Record<string, unknown> }).inputs)
    assert.ok(inputs.includes('node_modules/logbook/dist/src/browser.js'), 'the bundle holds the browser entry')
    assert.ok(inputs.includes('node_modules/logbook/dist/src/platform/browser/storage.js'), 'the bundle stores in IndexedDB')
    assert.ok(!inputs.some((input) => /platform\/node\/|classic-level|sodium-native\/|ws\/lib/.test(input)), `no Node-only module in the bundle: ${inputs.join(', ')}`)
  })
})
