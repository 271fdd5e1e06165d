// The README's shell example under "## The command", taken from README.md itself and run as written with bash
// (set -euo pipefail), with `logbook` on the PATH: if the example changes so that it fails, this test fails.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { BIN, ROOT, ndjson, ok, tempDir } from './helpers/cli.js'

/** The first ```sh block of the section headed `heading` (up to the next `## ` heading). */
function shellBlockUnder (markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`)
  assert.notEqual(start, -1, `README.md has no "${heading}" section`)
  const nextSection = markdown.indexOf('\n## ', start + heading.length + 2)
  const section = markdown.slice(start, nextSection === -1 ? undefined : nextSection)
  const block = /\n```sh\n([\s\S]*?)\n```/.exec(section)
  assert.ok(block !== null, `the "${heading}" section of README.md has no \`\`\`sh block`)
  return block[1]
}

let tmp: { path: string, cleanup: () => void }
before(() => { tmp = tempDir('logbook-readme-') })
after(() => { tmp.cleanup() })

test('the shell example of "## The command" runs as written and carol ends with the union of both stores', () => {
  const example = shellBlockUnder(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## The command')
  assert.match(example, /logbook init/)

  // `logbook` on the PATH: a shim that runs this checkout's command with this node.
  const bin = join(tmp.path, 'bin')
  mkdirSync(bin)
  const shim = join(bin, 'logbook')
  writeFileSync(shim, `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`)
  chmodSync(shim, 0o755)

  // The example names ../bob and ../carol: run it one level down so they land in the temporary directory too.
  const alice = join(tmp.path, 'alice')
  mkdirSync(alice)
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [bin, dirname(process.execPath), process.env.PATH].join(':') }
  delete env.LOGBOOK_DIR
  delete env.LOGBOOK_DEBUG
  const result = spawnSync('bash', ['-c', `set -euo pipefail\n${example}\n`], {
    cwd: alice, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000
  })
  if (result.error !== undefined) throw result.error
  assert.equal(result.status, 0, `the README example failed (${String(result.status)}):\n${result.stderr}`)
  assert.equal(result.stderr, '', 'the README example wrote to stderr')

  const aliceDir = join(alice, '.logbook')
  const bob = join(tmp.path, 'bob')
  const carol = join(tmp.path, 'carol')
  const ids = (dir: string): string[] => ndjson(ok(['--dir', dir, 'log', '--json'])).map((entry) => entry.id as string)
  const aliceIds = ids(aliceDir)
  const bobIds = ids(bob)
  assert.ok(aliceIds.length > 0 && bobIds.length > 0, 'alice and bob both hold entries')
  assert.deepEqual(ids(carol).sort(), [...new Set([...aliceIds, ...bobIds])].sort())
  const space = ok(['--dir', aliceDir, 'space']).trim()
  for (const dir of [bob, carol]) assert.equal(ok(['--dir', dir, 'space']).trim(), space)
  assert.equal(JSON.parse(ok(['--dir', carol, 'status', '--json'])).feeds, 2)
  assert.equal(JSON.parse(ok(['--dir', carol, 'verify', '--json'])).ok, true)
})
