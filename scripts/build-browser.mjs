// Builds what browsers load, from the compiled library (dist/src): the library as one ES module
// (dist/browser/logbook.js) and the app `logbook serve` serves (dist/app/, from web/). Node built-ins are
// not polyfilled: a core module that imports one fails this build.
// Usage: node scripts/build-browser.mjs [--quiet]
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
const quiet = process.argv.includes('--quiet')

const common = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
  // @hyperswarm/secret-stream calls libsodium through sodium-universal's (sodium-native's) API; in a
  // page that API is served by libsodium's WASM build, the same library the crypto backend uses.
  alias: {
    'sodium-universal': `${root}dist/src/platform/browser/sodium-native.js`,
    'sodium-native': `${root}dist/src/platform/browser/sodium-native.js`
  },
  metafile: true
}

async function exists (path) {
  return await stat(path).then(() => true, () => false)
}

async function sizes (file) {
  const bytes = await readFile(file)
  return `${(bytes.byteLength / 1024).toFixed(0)} KiB minified, ${(gzipSync(bytes).byteLength / 1024).toFixed(0)} KiB gzipped`
}

await build({ ...common, entryPoints: [`${root}dist/src/browser.js`], outfile: `${root}dist/browser/logbook.js` })
if (!quiet) console.log(`dist/browser/logbook.js: ${await sizes(`${root}dist/browser/logbook.js`)}`)

if (await exists(`${root}web/main.ts`)) {
  await mkdir(`${root}dist/app`, { recursive: true })
  await build({ ...common, entryPoints: [`${root}web/main.ts`], outfile: `${root}dist/app/app.js`, tsconfig: `${root}tsconfig.web.json` })
  for (const file of ['index.html', 'app.css']) await copyFile(`${root}web/${file}`, `${root}dist/app/${file}`)
  if (!quiet) console.log(`dist/app/app.js: ${await sizes(`${root}dist/app/app.js`)}`)
}
