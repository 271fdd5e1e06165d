// The sodium-native API over libsodium-wrappers-sumo (src/platform/browser/sodium-native.ts), which a browser
// bundle puts in place of sodium-native so that @hyperswarm/secret-stream runs in a page. Checked three ways:
// every name the Noise packages call is there and each function writes what sodium-native writes; a bundle
// of secret-stream on the shim completes a Noise handshake and exchanges messages with secret-stream on the
// real sodium-native; a bundled Logbook on the shim replicates with an unbundled one.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { dirname, join } from 'node:path'
import NoiseSecretStream from '@hyperswarm/secret-stream'
import * as shim from '../src/platform/browser/sodium-native.js'
import shimDefault from '../src/platform/browser/sodium-native.js'
import { listen, type Logbook, type ReplicationStream } from '../src/index.js'
import { identity, memoryBook, snapshot } from './helpers/fixtures.js'
import { importWithShim, type ShimBundle } from './helpers/shim-bundle.js'

const require = createRequire(import.meta.url)
const native = require('sodium-native') as Record<string, any>
const shimAny = shim as unknown as Record<string, any>

const TIMEOUT = 30_000
const NOISE_PACKAGES = ['@hyperswarm/secret-stream', 'noise-handshake', 'noise-curve-ed', 'sodium-secretstream']

function bytes (length: number, from = 0): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (from + i * 7) & 0xff))
}

/** The sodium names a package's sources use: `sodium.NAME`, and names destructured from require('sodium-universal'). */
function sodiumNamesIn (pkg: string): Set<string> {
  const root = dirname(require.resolve(`${pkg}/package.json`))
  const names = new Set<string>()
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'test' || entry.name.startsWith('test.') || entry.name.startsWith('example')) continue
      const path = join(dir, entry.name)
      if (entry.isDirectory()) { visit(path); continue }
      if (!entry.name.endsWith('.js')) continue
      const source = readFileSync(path, 'utf8')
      for (const match of source.matchAll(/sodium\.([A-Za-z_0-9]+)/g)) names.add(match[1])
      for (const match of source.matchAll(/const\s*\{([^}]*)\}\s*=\s*require\('sodium-universal'\)/g)) {
        for (const name of match[1].split(',')) if (name.trim() !== '') names.add(name.trim())
      }
    }
  }
  visit(root)
  return names
}

describe('the sodium-native shim', () => {
  test('has every function and constant the Noise packages use, with sodium-native\'s values', () => {
    const used = new Set(NOISE_PACKAGES.flatMap((pkg) => [...sodiumNamesIn(pkg)]))
    // The scan must find what they are known to call, or it proves nothing.
    for (const name of ['crypto_generichash_batch', 'crypto_kx_seed_keypair', 'crypto_secretstream_xchacha20poly1305_pull', 'crypto_aead_chacha20poly1305_ietf_decrypt']) {
      assert.ok(used.has(name), `the scan missed ${name}`)
    }
    for (const name of used) {
      assert.notEqual(shimAny[name], undefined, `the shim lacks ${name}`)
      assert.equal((shimDefault as Record<string, unknown>)[name], shimAny[name], `the default export's ${name} differs from the named one`)
      assert.equal(typeof shimAny[name], typeof native[name], `${name} is a ${typeof native[name]} in sodium-native`)
      if (typeof native[name] === 'number') assert.equal(shimAny[name], native[name], `${name}`)
    }
    assert.deepEqual(Object.keys(shimDefault).sort(), Object.keys(shim).filter((name) => name !== 'default').sort())
  })

  test('hashes write what sodium-native writes', () => {
    for (const outLength of [16, 32, 64]) {
      for (const key of [undefined, bytes(32, 9), bytes(64, 3)]) {
        const input = bytes(300, outLength)
        const mine = Buffer.alloc(outLength)
        const theirs = Buffer.alloc(outLength)
        shim.crypto_generichash(mine, input, key)
        native.crypto_generichash(theirs, input, key)
        assert.deepEqual(mine, theirs)
        // Batches below and above sodium-native's 4-part threshold, with the output among the inputs (as hmac does).
        for (const parts of [2, 5]) {
          const batchMine = Buffer.from(mine)
          const batchTheirs = Buffer.from(theirs)
          shim.crypto_generichash_batch(batchMine, [bytes(10), batchMine, ...Array.from({ length: parts - 2 }, (_, i) => bytes(i * 13, i))], key)
          native.crypto_generichash_batch(batchTheirs, [bytes(10), batchTheirs, ...Array.from({ length: parts - 2 }, (_, i) => bytes(i * 13, i))], key)
          assert.deepEqual(batchMine, batchTheirs)
        }
      }
    }
    const mine = Buffer.alloc(64)
    const theirs = Buffer.alloc(64)
    shim.crypto_hash_sha512(mine, bytes(1000))
    native.crypto_hash_sha512(theirs, bytes(1000))
    assert.deepEqual(mine, theirs)
    // Out of crypto_generichash's bounds: refused, as sodium-native refuses.
    for (const [output, key] of [[Buffer.alloc(8), undefined], [Buffer.alloc(65), undefined], [Buffer.alloc(32), Buffer.alloc(8)]]) {
      assert.throws(() => shim.crypto_generichash(output as Buffer, bytes(3), key), RangeError)
      assert.throws(() => shim.crypto_generichash_batch(output as Buffer, [bytes(3)], key), RangeError)
      assert.throws(() => native.crypto_generichash(output, bytes(3), key))
    }
  })

  test('key pairs and Diffie-Hellman write what sodium-native writes', () => {
    const pair = (generate: (pk: Buffer, sk: Buffer, seed: Buffer) => void, pkBytes: number, skBytes: number): [Buffer, Buffer] => {
      const pk = Buffer.alloc(pkBytes)
      const sk = Buffer.alloc(skBytes)
      generate(pk, sk, bytes(32, 77))
      return [pk, sk]
    }
    assert.deepEqual(pair(shim.crypto_sign_seed_keypair, 32, 64), pair(native.crypto_sign_seed_keypair, 32, 64))
    assert.deepEqual(pair(shim.crypto_kx_seed_keypair, 32, 32), pair(native.crypto_kx_seed_keypair, 32, 32))

    // Random pairs are pairs: sodium-native derives the same public key from the secret one.
    const [signPk, signSk] = [Buffer.alloc(32), Buffer.alloc(64)]
    shim.crypto_sign_keypair(signPk, signSk)
    const derived = Buffer.alloc(32)
    native.crypto_sign_ed25519_sk_to_pk(derived, signSk)
    assert.deepEqual(derived, signPk)
    const [kxPk, kxSk] = [Buffer.alloc(32), Buffer.alloc(32)]
    shim.crypto_kx_keypair(kxPk, kxSk)
    native.crypto_scalarmult_base(derived, kxSk)
    assert.deepEqual(derived, kxPk)

    const [otherPk, otherSk] = pair(native.crypto_kx_seed_keypair, 32, 32)
    const mine = Buffer.alloc(32)
    const theirs = Buffer.alloc(32)
    shim.crypto_scalarmult(mine, kxSk, otherPk)
    native.crypto_scalarmult(theirs, otherSk, kxPk)
    assert.deepEqual(mine, theirs)
    shim.crypto_scalarmult_base(mine, otherSk)
    assert.deepEqual(mine, otherPk)
    assert.throws(() => shim.crypto_scalarmult(mine, kxSk, Buffer.alloc(32)), 'a small-order point')
    assert.throws(() => native.crypto_scalarmult(theirs, kxSk, Buffer.alloc(32)))

    const scalar = bytes(32, 5)
    scalar[31] &= 0x0f
    shim.crypto_scalarmult_ed25519_noclamp(mine, scalar, signPk)
    native.crypto_scalarmult_ed25519_noclamp(theirs, scalar, signPk)
    assert.deepEqual(mine, theirs)
  })

  test('secretbox and AEAD: same ciphertexts, and each opens the other\'s', () => {
    const key = bytes(32, 1)
    const message = bytes(500, 2)
    const nonce = bytes(24, 3)
    const mine = Buffer.alloc(message.byteLength + 16)
    const theirs = Buffer.alloc(message.byteLength + 16)
    shim.crypto_secretbox_easy(mine, message, nonce, key)
    native.crypto_secretbox_easy(theirs, message, nonce, key)
    assert.deepEqual(mine, theirs)
    const opened = Buffer.alloc(message.byteLength)
    assert.equal(shim.crypto_secretbox_open_easy(opened, theirs, nonce, key), true)
    assert.deepEqual(opened, message)
    theirs[40] ^= 1
    assert.equal(shim.crypto_secretbox_open_easy(opened, theirs, nonce, key), false)
    assert.equal(native.crypto_secretbox_open_easy(opened, theirs, nonce, key), false)

    const npub = bytes(12, 4)
    const ad = bytes(32, 5)
    for (const data of [ad, null]) {
      assert.equal(shim.crypto_aead_chacha20poly1305_ietf_encrypt(mine, message, data, null, npub, key), mine.byteLength)
      assert.equal(native.crypto_aead_chacha20poly1305_ietf_encrypt(theirs, message, data, null, npub, key), theirs.byteLength)
      assert.deepEqual(mine, theirs)
      opened.fill(0)
      assert.equal(shim.crypto_aead_chacha20poly1305_ietf_decrypt(opened, null, theirs, data, npub, key), message.byteLength)
      assert.deepEqual(opened, message)
    }
    theirs[3] ^= 1
    assert.throws(() => shim.crypto_aead_chacha20poly1305_ietf_decrypt(opened, null, theirs, null, npub, key), /could not verify data/)
    assert.throws(() => native.crypto_aead_chacha20poly1305_ietf_decrypt(opened, null, theirs, null, npub, key), /could not verify data/)
  })

  test('secretstream: each side pulls what the other pushed, tags included', () => {
    const STATE = shim.crypto_secretstream_xchacha20poly1305_STATEBYTES
    const key = Buffer.alloc(32)
    shim.crypto_secretstream_xchacha20poly1305_keygen(key)
    assert.notDeepEqual(key, Buffer.alloc(32))
    const messages = [bytes(0), bytes(100, 1), bytes(70_000, 2)]
    const TAG_FINAL = shim.crypto_secretstream_xchacha20poly1305_TAG_FINAL
    const TAG_MESSAGE = shim.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE

    const run = (pusher: Record<string, any>, puller: Record<string, any>): void => {
      const pushState = Buffer.alloc(STATE)
      const header = Buffer.alloc(24)
      pusher.crypto_secretstream_xchacha20poly1305_init_push(pushState, header, key)
      const pullState = Buffer.alloc(STATE)
      puller.crypto_secretstream_xchacha20poly1305_init_pull(pullState, header, key)
      messages.forEach((message, i) => {
        const tag = i === messages.length - 1 ? TAG_FINAL : TAG_MESSAGE
        const cipher = Buffer.alloc(message.byteLength + 17)
        assert.equal(pusher.crypto_secretstream_xchacha20poly1305_push(pushState, cipher, message, null, tag), cipher.byteLength)
        const plain = Buffer.alloc(message.byteLength)
        const gotTag = Buffer.alloc(1)
        assert.equal(puller.crypto_secretstream_xchacha20poly1305_pull(pullState, plain, gotTag, cipher, null), plain.byteLength)
        assert.deepEqual(plain, message)
        assert.equal(gotTag[0], tag)
      })
      // A tampered message does not pull.
      const state = Buffer.alloc(STATE)
      pusher.crypto_secretstream_xchacha20poly1305_init_push(state, header, key)
      const cipher = Buffer.alloc(10 + 17)
      pusher.crypto_secretstream_xchacha20poly1305_push(state, cipher, bytes(10), null, TAG_MESSAGE)
      cipher[5] ^= 1
      puller.crypto_secretstream_xchacha20poly1305_init_pull(pullState, header, key)
      assert.throws(() => puller.crypto_secretstream_xchacha20poly1305_pull(pullState, Buffer.alloc(10), Buffer.alloc(1), cipher, null), /pull failed/)
    }
    run(shimAny, native)
    run(native, shimAny)
    assert.throws(() => shim.crypto_secretstream_xchacha20poly1305_push(Buffer.alloc(STATE), Buffer.alloc(17), bytes(0), null, TAG_MESSAGE), /not initialised/)
  })

  test('memory helpers and randomness', () => {
    for (const start of [[0, 0, 0], [255, 0, 1], [255, 255, 255]]) {
      const mine = Buffer.from(start)
      const theirs = Buffer.from(start)
      shim.sodium_increment(mine)
      native.sodium_increment(theirs)
      assert.deepEqual(mine, theirs)
    }
    const secret = bytes(64, 1)
    shim.sodium_memzero(secret)
    assert.deepEqual(secret, Buffer.alloc(64))
    const random = Buffer.alloc(64)
    shim.randombytes_buf(random)
    assert.notDeepEqual(random, Buffer.alloc(64))
  })
})

/** Two connected sockets on loopback. */
async function socketPair (): Promise<[Socket, Socket]> {
  const server = createServer({ allowHalfOpen: true })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve))
  const client = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', allowHalfOpen: true })
  const socket = await accepted
  server.close()
  return [client, socket]
}

/** Resolves with the first `count` bytes a stream yields. */
async function firstBytes (stream: NoiseSecretStream, count: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  return await new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${length} of ${count} bytes arrived`)), TIMEOUT)
    stream.on('error', reject)
    stream.on('data', (data) => {
      const chunk = data as Buffer
      chunks.push(chunk)
      length += chunk.byteLength
      if (length >= count) { clearTimeout(timer); resolve(Buffer.concat(chunks)) }
    })
  })
}

describe('secret-stream on the shim, bundled as a page would be', { timeout: 120_000 }, () => {
  let bundle: ShimBundle<{ NoiseSecretStream: typeof NoiseSecretStream, sodium: Record<string, unknown> }>
  before(async () => { bundle = await importWithShim('./shim-secret-stream-entry.js') })
  after(async () => { await bundle?.remove() })

  test('the bundle holds no sodium-native, and its secret-stream calls the shim', () => {
    assert.doesNotMatch(bundle.text, /require-addon|node-gyp-build|sodium-native\/binding/)
    assert.equal(bundle.module.sodium.crypto_secretstream_xchacha20poly1305_STATEBYTES, native.crypto_secretstream_xchacha20poly1305_STATEBYTES)
    assert.notEqual(bundle.module.NoiseSecretStream, NoiseSecretStream)
  })

  for (const shimInitiates of [true, false]) {
    test(`a Noise handshake and messages both ways with sodium-native's secret-stream (${shimInitiates ? 'shim' : 'sodium-native'} initiates)`, async () => {
      const [a, b] = await socketPair()
      const onShim = new bundle.module.NoiseSecretStream(shimInitiates, a)
      const onNative = new NoiseSecretStream(!shimInitiates, b)
      try {
        const [shimOpened, nativeOpened] = await Promise.all([onShim.opened, onNative.opened])
        assert.equal(shimOpened, true)
        assert.equal(nativeOpened, true)
        assert.deepEqual(Buffer.from(onShim.handshakeHash as Uint8Array), Buffer.from(onNative.handshakeHash as Uint8Array))
        assert.deepEqual(Buffer.from(onShim.remotePublicKey as Uint8Array), Buffer.from(onNative.publicKey as Uint8Array))
        assert.deepEqual(Buffer.from(onNative.remotePublicKey as Uint8Array), Buffer.from(onShim.publicKey as Uint8Array))
        // Large enough to span several secretstream messages each way.
        const toNative = bytes(300_000, 1)
        const toShim = bytes(200_000, 2)
        const arrivedAtNative = firstBytes(onNative, toNative.byteLength)
        const arrivedAtShim = firstBytes(onShim, toShim.byteLength)
        for (let at = 0; at < toNative.byteLength; at += 60_000) onShim.write(toNative.subarray(at, at + 60_000))
        for (let at = 0; at < toShim.byteLength; at += 50_000) onNative.write(toShim.subarray(at, at + 50_000))
        assert.deepEqual(await arrivedAtNative, toNative)
        assert.deepEqual(await arrivedAtShim, toShim)
      } finally {
        onShim.destroy()
        onNative.destroy()
      }
    })
  }
})

describe('a Logbook bundled on the shim replicates with one on sodium-native', { timeout: 120_000 }, () => {
  interface LogbookBundle {
    connectTcp: (book: Logbook, host: string, port: number, options?: { live?: boolean }) => Promise<ReplicationStream>
    memoryBook: typeof memoryBook
    identity: typeof identity
  }
  let bundle: ShimBundle<LogbookBundle>
  before(async () => { bundle = await importWithShim('./shim-logbook-entry.js') })
  after(async () => { await bundle?.remove() })

  test('entries go both ways and both stores end in the same state', async () => {
    const served = await memoryBook({ identity: identity(1) })
    const onShim = await bundle.module.memoryBook({ identity: bundle.module.identity(2) })
    await served.append(Array.from({ length: 500 }, (_, i) => ({ served: i })))
    await onShim.append(Array.from({ length: 300 }, (_, i) => ({ page: i })))
    const theirs: Array<Promise<{ stored: number }>> = []
    const server = await listen(served, { onSession: (session) => theirs.push(session.done) })
    try {
      const stream = await bundle.module.connectTcp(onShim, server.host, server.port)
      const mine = await stream.session.done
      assert.equal(theirs.length, 1)
      assert.equal((await theirs[0]).stored, 300)
      assert.equal(mine.stored, 500)
      assert.equal(onShim.status().entries, 800)
      assert.equal(served.status().entries, 800)
      assert.deepEqual(await snapshot(onShim), await snapshot(served))
    } finally {
      await server.close()
      await onShim.close()
      await served.close()
    }
  })
})
