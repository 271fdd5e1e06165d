// Minimal typing for the parts of hypercore 11 the benchmark uses.
// hypercore ships no TypeScript declarations; it is CommonJS (module.exports = Hypercore).
declare module 'hypercore' {
  interface HypercoreOptions {
    valueEncoding?: 'binary' | 'utf-8' | 'json'
    createIfMissing?: boolean
    overwrite?: boolean
  }
  class Hypercore {
    constructor(storage: string, opts?: HypercoreOptions)
    ready(): Promise<void>
    append(block: Uint8Array | Uint8Array[]): Promise<{ length: number, byteLength: number }>
    close(): Promise<void>
    readonly length: number
    readonly byteLength: number
  }
  export = Hypercore
}
