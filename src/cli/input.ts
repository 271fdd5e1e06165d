// Reading input: all of stdin, stdin line by line (streamed), and files/stdin as one byte stream.
import { createReadStream, open as openFd } from 'node:fs'
import { access, constants, open, stat } from 'node:fs/promises'
import { Socket } from 'node:net'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { JsonText, LogbookError } from '../index.js'
import { isIoFailure, storeFailure } from '../errors.js'
import { describeBytes, SNIFF_BYTES } from '../io/frames.js'
import { storePaths } from '../store-dir.js'

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

/** Text that a person may have meant as text, not JSON: it does not start like any JSON value. */
function looksLikeText (text: string): boolean {
  return /\S/.test(text) && !/^\s*([[{"\-0-9]|true|false|null)/.test(text)
}

/**
 * What the user typed, as it is stored: JSON read exactly (JsonText.parse), or with `asString` the text
 * itself. A refusal of text that does not look like JSON at all names the flag that stores it as text.
 */
export function typedValue (text: string, options: { asString?: boolean, what?: string, firstLine?: number } = {}): string | JsonText {
  if (options.asString === true) return text
  try {
    return JsonText.parse(text, options)
  } catch (err) {
    if (err instanceof LogbookError && looksLikeText(text)) {
      throw new LogbookError(err.code, `${err.message} (to store the text itself as a string, add --string)`, { cause: err })
    }
    throw err
  }
}

/**
 * A command-line argument, refused if it holds U+FFFD: Node puts that character in place of bytes that
 * are not UTF-8, and storing it would silently change what was typed. Stdin is read strictly instead.
 */
export function argumentText (text: string, what: string): string {
  if (text.includes('\ufffd')) {
    throw new LogbookError('INVALID_PAYLOAD', `${what} holds U+FFFD, the mark of bytes that are not UTF-8 (or the character itself); give it on stdin, which is read exactly`)
  }
  return text
}

/** One trailing line end (what `echo` adds) is not part of a value given on stdin. */
export function withoutLineEnd (text: string): string {
  return text.replace(/\r?\n$/, '')
}

/** `-` (or no files at all) means stdin. */
export function isStdin (file: string): boolean {
  return file === '-'
}

/** A file that cannot be read: the disk's refusal (IO_ERROR), or a name that is wrong. */
function unreadable (file: string, err: unknown): LogbookError {
  const reason = (err as NodeJS.ErrnoException).code ?? String(err)
  return new LogbookError(isIoFailure(err) ? 'IO_ERROR' : 'INVALID_ARGUMENT', `cannot read ${file}: ${reason}`, { cause: err })
}

/** The first SNIFF_BYTES and the last 8 bytes of a file. */
async function headAndTail (file: string, size: number): Promise<{ head: Uint8Array, tail: Uint8Array }> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES))
    const tail = Buffer.alloc(Math.min(size, 8))
    await handle.read(head, 0, head.byteLength, 0)
    await handle.read(tail, 0, tail.byteLength, size - tail.byteLength)
    return { head, tail }
  } catch (err) {
    throw unreadable(file, err)
  } finally {
    await handle.close()
  }
}

/**
 * Fails early (before anything is imported) when a named file cannot be read, or plainly is not an
 * export: a directory (a store?), or bytes that look like something else (gzip, a tar, text...).
 */
export async function checkExports (files: string[]): Promise<void> {
  for (const file of files) {
    if (isStdin(file)) continue
    let size: number
    try {
      await access(file, constants.R_OK)
      const info = await stat(file)
      if (info.isDirectory()) {
        const has = async (path: string): Promise<boolean> => await access(path).then(() => true, () => false)
        if (await has(storePaths(file).space)) {
          throw new LogbookError('INVALID_ARGUMENT', `${file} is a logbook store, not an export; \`logbook --dir ${file} export > FILE\` makes an export of it`)
        }
        const what = await has(join(file, 'CURRENT')) ? 'a LevelDB database' : 'a directory'
        throw new LogbookError('INVALID_ARGUMENT', `${file} is ${what}, not a logbook export`)
      }
      if (!info.isFile()) continue // a pipe or a device: read as it comes
      size = info.size
    } catch (err) {
      if (err instanceof LogbookError) throw err
      throw unreadable(file, err)
    }
    const { head, tail } = await headAndTail(file, size)
    const what = describeBytes(head, tail)
    if (what !== null) throw new LogbookError('CORRUPT_FRAME', `${file} is not a logbook export: it looks like ${what}`)
  }
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
      throw storeFailure(err, 'INVALID_ARGUMENT', `cannot read ${isStdin(file) ? 'stdin' : file}`)
    } finally {
      if (!isStdin(file)) stream?.destroy()
    }
  }
}
