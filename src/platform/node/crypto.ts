// Node's crypto backend: sodium-native, with SHA-256 from node:crypto.
export { sodiumNodeBackend as cryptoBackend } from './sodium-node.js'
