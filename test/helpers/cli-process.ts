// Command-line processes that run beside a test: `logbook serve` and `logbook sync --live` in the background,
// their output read line by line as it comes, and always stopped in the end.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { BIN, ROOT, type RunResult } from './cli.js'

function env (): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env }
  delete clean.LOGBOOK_DIR
  delete clean.LOGBOOK_DEBUG
  return clean
}

/** Runs `node bin/logbook.js ...args` without blocking this process (servers it talks to run here too). */
export async function runAsync (args: string[], input = ''): Promise<RunResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env() })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text })
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text })
  child.stdin.end(input)
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { status, stdout, stderr }
}

/** A command running in the background. */
export class Background {
  readonly child: ChildProcess
  stderr = ''
  private readonly lines: string[] = []
  private readonly waiters: Array<() => void> = []
  private readonly exit: Promise<number | null>

  constructor (args: string[]) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => { this.stderr += text })
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.lines.push(line)
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.exit = new Promise((resolve) => this.child.once('close', (code) => { for (const wake of this.waiters.splice(0)) wake(); resolve(code) }))
  }

  /** The first stdout line (from the start) that `match` accepts; fails after `ms` or when the process ended without one. */
  async line (match: (line: string) => boolean, ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms
    for (;;) {
      const found = this.lines.find(match)
      if (found !== undefined) return found
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no such line within ${ms} ms; stdout: ${this.lines.join('\n').slice(-2000)}; stderr: ${this.stderr.slice(-2000)}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  get stdoutLines (): string[] {
    return [...this.lines]
  }

  /** Sends `signal` and waits for the exit status. */
  async stop (signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
    return await this.exit
  }

  /** In `finally`: whatever happened, the process is gone. */
  kill (): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
  }
}

/** `logbook serve --port 0 --json` on `dir`: waits for the line that says where it listens. */
export async function serve (dir: string, extra: string[] = []): Promise<{ server: Background, tcp: string, ws: string, port: number }> {
  const server = new Background(['--dir', dir, 'serve', '--port', '0', '--json', ...extra])
  try {
    const where = JSON.parse(await server.line((line) => line.includes('"tcp"'))) as { tcp: string, ws: string, port: number }
    return { server, ...where }
  } catch (err) {
    server.kill()
    throw err
  }
}
