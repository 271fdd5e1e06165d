// The logbook command: commander setup, one file per command, and the one error format:
// `logbook: CODE: message` on stderr; exit 2 for usage errors, 1 for runtime errors, 130 (143) when Ctrl-C
// (SIGTERM) stopped the command (interrupt.ts), never a stack trace.
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { BrokenPipe, errorLine, printError } from './output.js'
import { endBySignal, Interrupted, interruptedLine } from './interrupt.js'
import { out, printHelp } from './context.js'
import { register as init } from './init.js'
import { register as id } from './id.js'
import { register as space } from './space.js'
import { register as identity } from './identity.js'
import { register as append } from './append.js'
import { register as log } from './log.js'
import { register as get } from './get.js'
import { register as heads } from './heads.js'
import { register as forks } from './forks.js'
import { register as status } from './status.js'
import { register as exportCommand } from './export.js'
import { register as importCommand } from './import.js'
import { register as verify } from './verify.js'
import { register as kv } from './kv.js'
import { register as views } from './views.js'
import { register as types } from './types.js'
import { register as swarm } from './swarm.js'
import { register as serve } from './serve.js'
import { register as sync } from './sync.js'

function version (): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0.0.0'
  } catch {
    return '0.0.0'
  }
}

/** An empty --dir (often an unset shell variable) must not fall back to the store of the current directory. */
function storeDir (value: string): string {
  if (value === '') throw new InvalidArgumentError('the store directory is empty (an unset variable?).')
  return value
}

const EXIT_STATUS = `
Exit status:
  0    success
  1    runtime error (one line on stderr: \`logbook: CODE: message\`)
  2    usage error: an unknown command or option, a missing or malformed argument
  130  interrupted (Ctrl-C); what was done is kept and the store is consistent
  143  stopped by SIGTERM, the same way`

export function buildProgram (): Command {
  const program = new Command('logbook')
  program
    .description('signed, hash-linked append-only logs')
    .version(version(), '-V, --version')
    .addOption(new Option('--dir <dir>', 'the store directory (default: the nearest .logbook in this directory or a parent)').env('LOGBOOK_DIR').argParser(storeDir))
    .addHelpText('after', EXIT_STATUS)
    // Settings below are inherited by every command created after them.
    .exitOverride()
    .configureOutput({
      // Errors are printed by main() as one `logbook: CODE: message` line; help (with an error) is not shown.
      outputError: () => {},
      writeErr: () => {}
    })
    .showSuggestionAfterError(true)
  for (const register of [init, id, space, identity, append, log, get, heads, forks, status, exportCommand, importCommand, verify, kv, types, views, serve, sync, swarm]) {
    register(program)
  }
  return program
}

async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  let acting = false
  program.hook('preAction', () => { acting = true })
  try {
    await program.parseAsync(argv)
    await out.flush()
    return 0
  } catch (err) {
    if (err instanceof BrokenPipe) return 0
    try { await out.flush() } catch { /* the error below matters more */ }
    if (err instanceof Interrupted) {
      process.stderr.write(interruptedLine(err.message) + '\n')
      endBySignal(err.signal)
    }
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0 // --help, --version
      if (err.code === 'commander.help' || err.code === 'commander.missingCommand') {
        // A bare `logbook`: the usage on stdout (as git does), and still a usage error for scripts.
        await printHelp(program)
        process.stderr.write(errorLine('INVALID_ARGUMENT', 'missing command; see `logbook --help`') + '\n')
      } else {
        process.stderr.write(errorLine('INVALID_ARGUMENT', err.message.replace(/^error: /, '')) + '\n')
      }
      return 2
    }
    printError(err)
    // Errors thrown while the arguments were parsed (a bad id or key) are usage errors as well.
    return acting ? 1 : 2
  }
}

process.on('uncaughtException', (err) => {
  if (err instanceof BrokenPipe) process.exit(0)
  printError(err)
  process.exit(1)
})
process.on('unhandledRejection', (err) => {
  if (err instanceof BrokenPipe) process.exit(0)
  printError(err)
  process.exit(1)
})

const code = await main(process.argv)
// Everything is closed and flushed: exit now, even if stdin (or a timer) would keep the process alive.
process.exit(code)
