// Helpers for the command-line tests: run `node bin/logbook.js ...` (directly or in a shell pipe)
// with a clean environment, and read a store's state through the command itself.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

/** The project root: this file is dist/test/helpers/cli.js. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const BIN = join(ROOT, 'bin', 'logbook.js')

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
}

function cleanEnv (extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE: process.execPath }
  delete env.LOGBOOK_DIR
  delete env.LOGBOOK_DEBUG
  return { ...env, ...extra }
}

/** Runs `node bin/logbook.js ...args`. */
export function run (args: string[], options: { input?: string | Buffer, cwd?: string, env?: Record<string, string> } = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input ?? '',
    env: cleanEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024
  })
  if (result.error !== undefined) throw result.error
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs a shell script in the project root; `$NODE` is this node binary (`"$NODE" bin/logbook.js ...`). */
export function sh (script: string): RunResult {
  const result = spawnSync('sh', ['-c', script], { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (result.error !== undefined) throw result.error
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs and insists on success; returns stdout. */
export function ok (args: string[], options: { input?: string | Buffer, cwd?: string } = {}): string {
  const result = run(args, options)
  assert.equal(result.status, 0, `logbook ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`)
  assert.equal(result.stderr, '', `logbook ${args.join(' ')} wrote to stderr`)
  return result.stdout
}

export function okSh (script: string): string {
  const result = sh(script)
  assert.equal(result.status, 0, `${script} failed (${String(result.status)}): ${result.stderr}`)
  return result.stdout
}

/** Asserts the error contract: non-zero exit, exactly one stderr line `logbook: CODE: ...`, no stack. */
/** Checks the one-line error of a failed run; returns the run. */
export function fails (result: RunResult, code: string, exitCode?: number): RunResult {
  assert.notEqual(result.status, 0, 'expected a non-zero exit')
  if (exitCode !== undefined) assert.equal(result.status, exitCode, `exit code; stderr: ${result.stderr}`)
  const lines = result.stderr.split('\n').filter((line) => line !== '')
  assert.equal(lines.length, 1, `expected one stderr line, got: ${JSON.stringify(result.stderr)}`)
  assert.match(lines[0], /^logbook: [A-Z_]+: /)
  assert.ok(lines[0].startsWith(`logbook: ${code}: `), `expected ${code}, got: ${lines[0]}`)
  assert.ok(!result.stderr.includes('    at '), 'no stack trace')
  return result
}

export function ndjson (text: string): any[] {
  return text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
}

/** A temporary directory, removed by the returned cleanup. */
export function tempDir (prefix = 'logbook-cli-'): { path: string, cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) }
}

/** What must agree between stores holding the same data (local order and own identity may differ). */
export function state (dir: string): Record<string, unknown> {
  const status = JSON.parse(ok(['--dir', dir, 'status', '--json']))
  const feedHeads = [...status.feedHeads].sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id))
  return {
    heads: JSON.parse(ok(['--dir', dir, 'heads', '--json'])),
    ids: ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.id).sort(),
    feedHeads,
    forks: JSON.parse(ok(['--dir', dir, 'forks', '--json'])),
    space: status.space,
    entries: status.entries,
    feeds: status.feeds,
    pending: status.pending,
    statusForks: status.forks
  }
}
