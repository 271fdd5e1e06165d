// Reading input: all of stdin, stdin line by line (streamed), and files/stdin as one byte stream.
import { createReadStream } from 'node:fs'
import { access, constants } from 'node:fs/promises'
import { JsonText, LogbookError } from '../index.js'

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

/** Fails early (before anything is imported) when a named file cannot be read. */
export async function checkReadable (files: string[]): Promise<void> {
  for (const file of files) {
    if (isStdin(file)) continue
    try {
      await access(file, constants.R_OK)
    } catch (err) {
      throw new LogbookError('INVALID_ARGUMENT', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`)
    }
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

/** The files (and/or stdin) in order, as one concatenated byte stream; `starts` records where each begins. */
export async function * concatSources (files: string[], starts: SourceStarts = []): AsyncGenerator<Uint8Array> {
  let at = 0
  for (const file of files) {
    starts.push({ name: isStdin(file) ? 'stdin' : file, at })
    const stream = isStdin(file) ? process.stdin : createReadStream(file)
    try {
      for await (const chunk of stream) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk as Buffer
        at += bytes.byteLength
        yield bytes
      }
    } catch (err) {
      if (err instanceof LogbookError) throw err
      throw new LogbookError('INVALID_ARGUMENT', `cannot read ${isStdin(file) ? 'stdin' : file}: ${(err as Error).message}`, { cause: err })
    } finally {
      if (!isStdin(file)) stream.destroy()
    }
  }
}
