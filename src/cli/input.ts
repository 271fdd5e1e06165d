// Reading input: all of stdin, strict UTF-8, and files/stdin as one byte stream.
import { createReadStream, open as openFd } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Socket } from 'node:net'
import { promisify } from 'node:util'
import { innermostMessage, isIoFailure, LogbookError } from '../index.js'

/** All of stdin as bytes. */
export async function readStdin (): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

/** All of stdin as UTF-8 text. */
export async function readStdinText (): Promise<string> {
  return (await readStdin()).toString('utf8')
}

// A leading byte-order mark is kept, not dropped: text is stored as given, or refused naming the mark.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Bytes as UTF-8 text, or undefined when they are not valid UTF-8. */
export function utf8Text (bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** One trailing line end (what `echo` adds) is not part of a value given on stdin. */
export function withoutLineEnd (text: string): string {
  return text.replace(/\r?\n$/, '')
}

/** `-` (or no files at all) means stdin. */
export function isStdin (file: string): boolean {
  return file === '-'
}

/** Where each source starts in the concatenated stream (filled in as the stream is read). */
export type SourceStarts = Array<{ name: string, at: number }>

/** `offset` of the concatenated stream as a source and an offset in it. */
export function locate (starts: SourceStarts, offset: number): { name: string, offset: number } {
  let found = starts[0] ?? { name: 'stdin', at: 0 }
  for (const start of starts) if (start.at <= offset) found = start
  return { name: found.name, offset: offset - found.at }
}

/**
 * A source as a stream. A named pipe (a FIFO, or `<(command)`) is read through the event loop like
 * stdin, not by file reads on the thread pool: a read that waits for more input must not keep the
 * process from exiting when Ctrl-C stops the import.
 */
async function openSource (file: string): Promise<NodeJS.ReadableStream & { destroy: () => void }> {
  if (isStdin(file)) return process.stdin
  const info = await stat(file)
  if (!info.isFIFO() && !info.isSocket()) return createReadStream(file)
  // (The open itself waits for a writer, as any reader of a FIFO does.)
  const fd = await promisify(openFd)(file, 'r')
  return new Socket({ fd, readable: true, writable: false })
}

/** The files (and/or stdin) in order, as one concatenated byte stream; `starts` records where each begins. */
export async function * concatSources (files: string[], starts: SourceStarts = []): AsyncGenerator<Uint8Array> {
  let at = 0
  for (const file of files) {
    starts.push({ name: isStdin(file) ? 'stdin' : file, at })
    let stream: (NodeJS.ReadableStream & { destroy: () => void }) | null = null
    try {
      stream = await openSource(file)
      for await (const chunk of stream) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer
        at += bytes.byteLength
        yield bytes
      }
    } catch (err) {
      if (err instanceof LogbookError) throw err
      // The disk refusing is IO_ERROR, as the library says it; anything else is the argument's fault.
      throw new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'INVALID_ARGUMENT', `cannot read ${isStdin(file) ? 'stdin' : file}: ${innermostMessage(err)}`, { cause: err })
    } finally {
      if (!isStdin(file)) stream?.destroy()
    }
  }
}
