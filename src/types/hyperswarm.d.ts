// Typings for the parts of the Holepunch modules logbook uses (they ship JavaScript only).
declare module '@hyperswarm/secret-stream' {
  import { Duplex } from 'streamx'
  export default class NoiseSecretStream extends Duplex {
    constructor (isInitiator: boolean, rawStream?: unknown, options?: { keepAlive?: number, timeout?: number, keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array } })
    readonly isInitiator: boolean
    readonly rawStream: Duplex
    readonly handshakeHash: Uint8Array | null
    readonly publicKey: Uint8Array | null
    readonly remotePublicKey: Uint8Array | null
    readonly opened: Promise<boolean>
    readonly rawBytesWritten: number
    readonly rawBytesRead: number
    setTimeout (ms: number): void
    setKeepAlive (ms: number): void
    static keyPair (seed?: Uint8Array): { publicKey: Uint8Array, secretKey: Uint8Array }
  }
}

declare module 'hyperswarm' {
  import { EventEmitter } from 'node:events'
  import type NoiseSecretStream from '@hyperswarm/secret-stream'
  export interface PeerInfo { publicKey: Uint8Array, topics: Uint8Array[], reconnect (on: boolean): void }
  export interface Discovery { flushed (): Promise<boolean>, refresh (options?: { server?: boolean, client?: boolean }): Promise<boolean>, destroy (): Promise<void> }
  export default class Hyperswarm extends EventEmitter {
    constructor (options?: { dht?: unknown, bootstrap?: unknown[], keyPair?: { publicKey: Uint8Array, secretKey: Uint8Array }, maxPeers?: number })
    readonly connections: Set<NoiseSecretStream>
    readonly keyPair: { publicKey: Uint8Array, secretKey: Uint8Array }
    join (topic: Uint8Array, options?: { server?: boolean, client?: boolean }): Discovery
    leave (topic: Uint8Array): Promise<void>
    flush (): Promise<void>
    listen (): Promise<void>
    destroy (): Promise<void>
    on (event: 'connection', listener: (socket: NoiseSecretStream, info: PeerInfo) => void): this
    on (event: string, listener: (...args: any[]) => void): this
  }
}

declare module '@hyperswarm/testnet' {
  export interface Testnet {
    nodes: unknown[]
    bootstrap: Array<{ host: string, port: number }>
    createNode (): unknown
    destroy (): Promise<void>
  }
  export default function createTestnet (size?: number, options?: { host?: string, port?: number, teardown?: unknown }): Promise<Testnet>
}
