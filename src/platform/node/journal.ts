// The journal: an append-only file that makes an acknowledged write durable with one write() call,
// so LevelDB can apply the same write behind it, overlapped with the next one. Each record is one
// authenticated segment (u32 length, u32 CRC-32, segment body). After a crash, open() replays the
// records through the ingest path; entries LevelDB already holds are duplicates and change nothing.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import type { Journal } from '../../store/journal.js'

const HEADER_BYTES = 8

export class FileJournal implements Journal {
  private fd: number
  private bytes: number

  constructor (readonly path: string) {
    this.fd = openSync(path, 'a+', 0o600)
    this.bytes = fstatSync(this.fd).size
  }

  get size (): number {
    return this.bytes
  }

  /** Appends one record; with `sync`, also flushes it to the device (power-loss safety). */
  append (record: Uint8Array, sync: boolean): void {
    const header = Buffer.alloc(HEADER_BYTES)
    header.writeUInt32BE(record.byteLength, 0)
    header.writeUInt32BE(crc32(record), 4)
    const frame = Buffer.concat([header, record])
    try {
      let written = 0
      while (written < frame.byteLength) written += writeSync(this.fd, frame, written)
      if (sync) fdatasyncSync(this.fd)
    } catch (err) {
      // Cut a torn record off, so the records before it stay replayable.
      try { ftruncateSync(this.fd, this.bytes) } catch {}
      throw err
    }
    this.bytes += frame.byteLength
  }

  /** The records in order; a torn or damaged tail (a crash mid-write) ends the list. */
  records (): Uint8Array[] {
    const data = readFileSync(this.path)
    const out: Uint8Array[] = []
    let at = 0
    while (at + HEADER_BYTES <= data.byteLength) {
      const length = data.readUInt32BE(at)
      const end = at + HEADER_BYTES + length
      if (end > data.byteLength) break
      const record = data.subarray(at + HEADER_BYTES, end)
      if (crc32(record) !== data.readUInt32BE(at + 4)) break
      out.push(record)
      at = end
    }
    return out
  }

  /** Empties the journal; call only once LevelDB holds, durably, everything it recorded. */
  truncate (): void {
    ftruncateSync(this.fd, 0)
    this.bytes = 0
  }

  /** Closes the file once: a descriptor number closed twice may by then belong to another file. */
  close (): void {
    if (this.fd < 0) return
    const fd = this.fd
    this.fd = -1
    closeSync(fd)
  }
}
