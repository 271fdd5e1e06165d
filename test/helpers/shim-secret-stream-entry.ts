// Bundled by sodium-shim.test.ts with `sodium-universal` aliased to the sodium-native shim: secret-stream and
// the Noise packages under it then run on libsodium's WebAssembly build, as in a page. The shim comes first,
// so the bundle waits for libsodium before those packages load.
import sodium from '../../src/platform/browser/sodium-native.js'
import NoiseSecretStream from '@hyperswarm/secret-stream'

export { sodium, NoiseSecretStream }
