// The page's identity: its author id, and its text form to take elsewhere (export) or bring in (import).
// The text holds the secret key: it is shown only when asked for, and never leaves the page by itself.
import { errorText, h, replaceChildren } from './dom.js'
import { Identity, type Logbook } from './logbook-api.js'

export class IdentityPanel {
  readonly element: HTMLElement
  private readonly author = h('code', { 'data-test': 'author-id', class: 'id' })
  private readonly exported = h('div', { class: 'identity-export', hidden: true })
  private readonly importText = h('textarea', { id: 'identity-import-text', rows: 3, spellcheck: 'false', 'data-test': 'identity-import-text' })
  private readonly message = h('p', { role: 'alert', class: 'error', 'data-test': 'identity-error' })
  private objectUrl: string | null = null

  constructor (private readonly book: Logbook, private readonly changed: () => void) {
    this.element = h('details', { class: 'identity', 'data-test': 'identity' },
      h('summary', {}, 'Identity'),
      h('p', {}, 'Author id: ', this.author),
      h('button', { type: 'button', 'data-test': 'identity-export', onclick: () => this.showExport() }, 'Export identity'),
      this.exported,
      h('label', { for: 'identity-import-text' }, 'Import an identity (its text):'),
      h('p', { class: 'hint' }, 'Import only an identity that no other browser or device still writes with: two writers as one author fork its feed, and every peer sees the fork.'),
      this.importText,
      h('button', { type: 'button', 'data-test': 'identity-import', onclick: () => { void this.importIdentity() } }, 'Import identity'),
      this.message)
    this.showAuthor()
  }

  dispose (): void {
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl)
  }

  private showAuthor (): void {
    this.author.textContent = this.book.author
  }

  private showExport (): void {
    const text = this.book.identity.toText()
    if (this.objectUrl !== null) URL.revokeObjectURL(this.objectUrl)
    this.objectUrl = URL.createObjectURL(new Blob([text + '\n'], { type: 'application/json' }))
    const copied = h('span', { role: 'status' })
    replaceChildren(this.exported,
      h('p', {}, 'This text is your secret key: whoever has it can write as you. Keep it safe.'),
      h('textarea', { readonly: true, rows: 3, spellcheck: 'false', 'aria-label': 'Identity text', 'data-test': 'identity-text' }, text),
      h('button', {
        type: 'button',
        'data-test': 'identity-copy',
        onclick: () => {
          navigator.clipboard.writeText(text).then(() => { copied.textContent = 'Copied.' }, (error) => { copied.textContent = errorText(error) })
        }
      }, 'Copy'),
      h('a', { href: this.objectUrl, download: `logbook-identity-${this.book.author.slice(0, 8)}.json`, 'data-test': 'identity-download' }, 'Download'),
      copied)
    this.exported.hidden = false
  }

  private async importIdentity (): Promise<void> {
    this.message.textContent = ''
    try {
      await this.book.setIdentity(Identity.fromText(this.importText.value.trim()))
      this.importText.value = ''
      this.exported.hidden = true
      this.showAuthor()
      this.changed()
    } catch (error) {
      this.message.textContent = errorText(error)
    }
  }
}
