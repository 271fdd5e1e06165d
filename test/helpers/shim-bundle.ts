// Bundles a test entry with esbuild as a browser build would alias it: `sodium-universal` (what
// @hyperswarm/secret-stream and the Noise packages require) becomes the sodium-native shim over
// libsodium-wrappers-sumo. The bundle runs in this Node process, next to unbundled code on the real
// sodium-native, so each side of a session can use a different one.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))
export const SHIM_PATH = here('../../src/platform/browser/sodium-native.js')

// Native addons stay outside the bundle, loaded from this checkout by absolute path (the bundle is written to
// a temporary directory, where no node_modules would be found): logbook's own Node crypto backend keeps the
// real sodium-native, and the store's classic-level is never bundled.
const NATIVE = /^(classic-level|sodium-native)$/
const nativeOutside: Plugin = {
  name: 'native-outside',
  setup (bundle) {
    bundle.onResolve({ filter: NATIVE }, (args) => ({ path: createRequire(join(args.resolveDir, 'x.js')).resolve(args.path), external: true }))
  }
}

export interface ShimBundle<T> {
  module: T
  /** The bundle's source, to check what went into it. */
  text: string
  remove: () => Promise<void>
}

/** Bundles dist/test/helpers/`entry` with the shim in place of sodium-universal, and imports it. */
export async function importWithShim<T> (entry: string): Promise<ShimBundle<T>> {
  const result = await build({
    entryPoints: [here(entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    alias: { 'sodium-universal': SHIM_PATH },
    plugins: [nativeOutside],
    // Modules that resolve packages at run time (createRequire(import.meta.url)) resolve them from here.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(here(entry)).href) },
    // CommonJS packages in the bundle require() the native addons left outside it.
    banner: { js: "import { createRequire as bundleRequire } from 'node:module'; const require = bundleRequire(import.meta.url);" }
  })
  const text = result.outputFiles[0].text
  const dir = await mkdtemp(join(tmpdir(), 'logbook-shim-'))
  const file = join(dir, 'bundle.mjs')
  await writeFile(file, text)
  const module = await import(pathToFileURL(file).href) as T
  return { module, text, remove: async () => await rm(dir, { recursive: true, force: true }) }
}
