// Building the page's elements in code, briefly: h('button', { type: 'button', 'data-test': 'x' }, 'text').
// Attributes are set as attributes (so data-test and aria-* work as written); `on*` functions as listeners.

type Child = Node | string | null | undefined | false
type Props = Record<string, string | number | boolean | EventListener | null | undefined>

export function h<K extends keyof HTMLElementTagNameMap> (tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, ...children)
  return element
}

export function append (parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child)
  }
}

/** Replaces every child of `parent`. */
export function replaceChildren (parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, ...children)
}

/** An id cut short for the eye (the full id stays in the title, for hovering and copying). */
export function shortId (id: string, length = 10): HTMLElement {
  return h('code', { title: id, class: 'id' }, id.slice(0, length))
}

/** What a user is shown of an error: a LogbookError's message (its code first), or the error's message. */
export function errorText (error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? `${code}: ${message}` : message
}

/** Runs `run` once, `ms` after the first of a burst of calls: live updates arrive in bursts. */
export function throttle (run: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  return () => {
    if (timer !== null) return
    timer = setTimeout(() => { timer = null; run() }, ms)
  }
}
