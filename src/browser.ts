// logbook in a browser: the same API as in Node (src/api.ts), stores in IndexedDB, replication over the
// page's WebSocket. Bundlers pick this entry through the package's "browser" export condition.
//
// First, libsodium for @hyperswarm/secret-stream: the packages under it read sodium-universal's constants
// and hash at load time, and a module they require() cannot make them wait for libsodium's WASM to compile.
// Imported before anything that loads them, it is ready when they load (a bundle aliases sodium-universal
// to it: docs/BROWSER.md).
import './platform/browser/sodium-native.js'

export * from './api.js'
export { connectWebSocket } from './transports/browser-websocket.js'
export type { PageConnectOptions as ConnectOptions } from './transports/browser-websocket.js'
