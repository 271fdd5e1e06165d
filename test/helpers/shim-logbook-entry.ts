// Bundled by sodium-shim.test.ts with `sodium-universal` aliased to the sodium-native shim: a whole Logbook
// whose replication sessions run their Noise handshake and encryption on libsodium's WebAssembly build.
import '../../src/platform/browser/sodium-native.js'

export { connectTcp } from '../../src/transports/tcp.js'
export { identity, memoryBook } from './fixtures.js'
