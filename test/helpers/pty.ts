// The command in a pseudo-terminal: util-linux `script` runs it with a terminal on stdin, stdout and
// stderr, so progress bars are drawn and a ^C written to the terminal is a real Ctrl-C (the terminal
// sends SIGINT to the command). The test sees everything the command drew and can act on it.
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { BIN, ROOT } from './cli.js'

/** Why pseudo-terminal tests cannot run here, or null when they can. */
export function ptyUnavailable (): string | null {
  if (process.platform !== 'linux') return 'needs Linux (util-linux script, /proc)'
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' })
  if (probe.error !== undefined || !/util-linux/.test(probe.stdout)) return 'needs util-linux script'
  return null
}

export interface PtyRun {
  /** Everything drawn so far (stdout and stderr share the terminal). */
  readonly output: () => string
  /** The command's process id (script's child; `exec` keeps it). */
  readonly pid: number
  /** script's process id. */
  readonly scriptPid: number
  /** Types into the terminal: '\x03' is Ctrl-C. */
  readonly type: (text: string) => void
  /** Resolves once `test` holds for the output; rejects at the command's exit or after `ms`. */
  readonly waitFor: (what: string, test: (output: string) => boolean, ms?: number) => Promise<void>
  /** The exit code (128 + N for a death by signal N, as script -e reports it) and all output. */
  readonly exited: Promise<{ status: number | null, output: string }>
}

/**
 * Starts `logbook ARGS...` in a pseudo-terminal. It is killed after `timeoutMs`, so a hung command
 * fails the test instead of hanging it.
 */
export async function ptyLogbook (args: string[], timeoutMs = 60_000): Promise<PtyRun> {
  const quoted = [process.execPath, BIN, ...args].map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(' ')
  // The shell prints its pid and becomes the command: that is the pid to signal.
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' }
  delete env.LOGBOOK_DIR
  delete env.LOGBOOK_DEBUG
  const child = spawn('script', ['-qfec', `echo PID=$$; exec ${quoted}`, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  const listeners = new Set<() => void>()
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
    for (const listener of listeners) listener()
  })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  let ended = false
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exited = new Promise<{ status: number | null, output: string }>((resolve) => {
    child.on('close', (status) => {
      ended = true
      clearTimeout(killer)
      for (const listener of listeners) listener()
      resolve({ status, output })
    })
  })
  const waitFor = async (what: string, test: (output: string) => boolean, ms = timeoutMs): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { listeners.delete(check); reject(new Error(`gave up waiting for ${what}; output: ${JSON.stringify(output)}`)) }, ms)
      const check = (): void => {
        if (test(output)) { clearTimeout(timer); listeners.delete(check); resolve() } else if (ended) {
          clearTimeout(timer); listeners.delete(check); reject(new Error(`the command ended before ${what}; output: ${JSON.stringify(output)}`))
        }
      }
      listeners.add(check)
      check()
    })
  }
  await waitFor('its pid', (text) => /PID=\d+\r?\n/.test(text))
  const pid = Number(/PID=(\d+)/.exec(output)?.[1])
  return { output: () => output, pid, scriptPid: child.pid as number, type: (text) => child.stdin.write(text), waitFor, exited }
}

/** Signals waiting for delivery to `pid` (the process-wide set), as a bit mask: bit N-1 is signal N. */
export function pendingSignals (pid: number): bigint {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return BigInt('0x' + (/^ShdPnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'))
}

/** Looks at most `tries` times, 10 ms apart, until `done()`; throws `what` if it never is. */
async function until (what: string, done: () => boolean, tries = 1000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (done()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting: ${what}`)
}

/** Waits until every signal of `mask` is pending for the stopped `pid`. */
export async function untilPending (pid: number, mask: bigint): Promise<void> {
  await until(`signals ${mask.toString(16)} pending for ${pid}`, () => (pendingSignals(pid) & mask) === mask)
}

/**
 * Stops the command with SIGSTOP. script follows its child into the stopped state (and continues it
 * when it is continued itself), so this waits for both; `resume` continues them.
 */
export async function stopCommand (run: PtyRun): Promise<{ resume: () => void }> {
  process.kill(run.pid, 'SIGSTOP')
  const stopped = (pid: number): boolean => /^State:\s*T/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  await until('the command and script stopped', () => stopped(run.pid) && stopped(run.scriptPid))
  return { resume: () => process.kill(run.scriptPid, 'SIGCONT') }
}

export const SIGINT_BIT = 1n << 1n
export const SIGTERM_BIT = 1n << 14n
