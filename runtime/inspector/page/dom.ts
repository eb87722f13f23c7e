// How the page makes elements: always with textContent, never markup, since every string
// it shows may come from event data (untrusted).

/** A new `tag` element with a class and a text; a null or undefined text leaves it empty. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string | null,
  text?: string | number | null
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined && text !== null) node.textContent = String(text)
  return node
}

/** One of the page's own elements (page.html), by its id. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id)
  if (!node) throw new Error(`The inspector page has no #${id}`)
  return node as T
}
