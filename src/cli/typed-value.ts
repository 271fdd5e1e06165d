// What the user typed, as it is stored: JSON read exactly, or with --string the text itself; and the
// check of command-line arguments, which Node decodes lossily.
import { JsonText, LogbookError } from '../index.js'

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
