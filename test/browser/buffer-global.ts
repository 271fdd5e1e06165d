// Injected into the browser test bundle as the global `Buffer`, which src/entry/bytes.ts and others still
// use. Only the test bundle does this: the library's own browser bundle is to drop Buffer from that code.
export { Buffer } from 'buffer'
