// A browser's crypto backend: libsodium's WebAssembly build, compiled before anything can sign or verify.
import { loadSodiumWasmBackend } from '../../crypto/sodium-wasm.js'

export const cryptoBackend = await loadSodiumWasmBackend()
