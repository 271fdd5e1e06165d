// Minimal typing for the parts of hypercore 11 the benchmark uses.
// hypercore ships no TypeScript declarations; it is CommonJS (module.exports = Hypercore).
declare module 'hypercore' {
  import type { Duplex } from 'node:stream'
  interface HypercoreOptions {
    valueEncoding?: 'binary' | 'utf-8' | 'json'
    createIfMissing?: boolean
    overwrite?: boolean
  }
  interface DownloadRange {
    done(): Promise<void>
    destroy(): void
  }
  class Hypercore {
    constructor(storage: string, opts?: HypercoreOptions)
    constructor(storage: string, key: Uint8Array, opts?: HypercoreOptions)
    ready(): Promise<void>
    append(block: Uint8Array | Uint8Array[]): Promise<{ length: number, byteLength: number }>
    /** A replication stream (a streamx Duplex; pipes like a node stream). */
    replicate(isInitiator: boolean, opts?: Record<string, unknown>): Duplex
    download(range?: { start?: number, end?: number, linear?: boolean }): DownloadRange
    on(event: 'download' | 'append', listener: (...args: unknown[]) => void): this
    off(event: 'download' | 'append', listener: (...args: unknown[]) => void): this
    close(): Promise<void>
    readonly key: Uint8Array
    readonly length: number
    readonly contiguousLength: number
    readonly byteLength: number
  }
  export = Hypercore
}
