// Run one case script in a fresh child process and collect its JSON result.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { LISTENING_PREFIX, RESULT_PREFIX, type CaseResult } from './measure.js'

export type RunOutcome<T = CaseResult> = { ok: true, result: T } | { ok: false, error: string, timedOut?: boolean }

/** Path of a compiled case script next to this file (dist/bench/cases/NAME.js). */
export function caseScript (name: string): string {
  return fileURLToPath(new URL(`./cases/${name}.js`, import.meta.url))
}

/**
 * Runs `script` with `args`; its result is the JSON of its RESULT_PREFIX line (a CaseResult unless told
 * otherwise). `onLine` sees each line of its stdout as it comes (a server child saying where it listens).
 */
export function runChild<T = CaseResult> (script: string, args: string[], timeoutMs: number, onLine?: (line: string) => void, signal?: AbortSignal): Promise<RunOutcome<T>> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    let seen = 0
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
      if (onLine === undefined) return
      for (let nl = stdout.indexOf('\n', seen); nl >= 0; nl = stdout.indexOf('\n', seen)) {
        onLine(stdout.slice(seen, nl))
        seen = nl + 1
      }
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => {
      timedOut = true
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    }, timeoutMs)
    // stopped by its caller: asked to finish (SIGTERM), as a server child is once its client is through
    signal?.addEventListener('abort', () => { if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM') }, { once: true })
    child.on('error', err => {
      clearTimeout(timer)
      resolve({ ok: false, error: String(err) })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split('\n').find(l => l.startsWith(RESULT_PREFIX))
      if (code === 0 && line !== undefined) {
        try {
          resolve({ ok: true, result: JSON.parse(line.slice(RESULT_PREFIX.length)) as T })
          return
        } catch (err) {
          resolve({ ok: false, error: 'bad result JSON: ' + String(err) })
          return
        }
      }
      const why = timedOut ? `timed out after ${timeoutMs / 1000}s` : `exit code ${code}${signal ? ' signal ' + signal : ''}`
      const tail = stderr.trim().split('\n').slice(-8).join('\n')
      resolve({ ok: false, error: `${why}${tail ? ': ' + tail : ''}`, timedOut })
    })
  })
}

/**
 * A child that listens on loopback: what it printed once listening, and its outcome when it has ended;
 * `stop` asks it to finish (SIGTERM), for a child that serves until told.
 */
export function startServer (script: string, args: string[], timeoutMs: number): { listening: Promise<Record<string, unknown>>, outcome: Promise<RunOutcome>, stop: () => void } {
  const stopper = new AbortController()
  let resolveListening: (info: Record<string, unknown>) => void = () => {}
  let rejectListening: (err: Error) => void = () => {}
  const listening = new Promise<Record<string, unknown>>((resolve, reject) => { resolveListening = resolve; rejectListening = reject })
  const outcome = runChild(caseScript(script), args, timeoutMs, (line) => {
    if (line.startsWith(LISTENING_PREFIX)) resolveListening(JSON.parse(line.slice(LISTENING_PREFIX.length)) as Record<string, unknown>)
  }, stopper.signal)
  void outcome.then((o) => rejectListening(new Error('the sending side ended before it listened: ' + (o.ok ? 'no listening line' : o.error))))
  return { listening, outcome, stop: () => stopper.abort() }
}
