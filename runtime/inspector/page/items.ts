// A record's table of items: for an SDK batch, one row per LaunchDarkly event beside what
// it became in Segment; for other inputs, one row per Segment call. A row unfolds into the
// JSON of both.

import type { ItemView } from '../view'
import { el } from './dom'
import { pretty } from './format'

/** The cell saying what the item became: a call (type, name, user), a rejection, skipped, or no call. */
function became(item: ItemView): HTMLTableCellElement {
  const td = el('td', 'became')
  if (item.outcome === 'call') {
    td.append(el('span', 'type', item.type))
    if (item.name !== undefined) td.append(' ', el('span', 'name', '\u201c' + item.name + '\u201d'))
    if (item.user !== undefined) td.append(' ', el('span', 'who', item.user))
  } else if (item.outcome === 'rejected') td.textContent = 'rejected: ' + String(item.reason)
  else if (item.outcome === 'skipped')
    td.textContent = 'skipped: ' + (item.kind || 'this kind of') + ' events are not exported'
  else td.textContent = 'no call: the request failed'
  return td
}

function box(title: string, text: string | undefined): HTMLDivElement {
  const b = el('div', 'box')
  b.append(el('h4', null, title), el('pre', null, pretty(text)))
  return b
}

/** The unfolded row: the LaunchDarkly event beside the Segment call, or the call alone. */
function detailOf(item: ItemView, isEvent: boolean): HTMLTableRowElement {
  const tr = el('tr', 'detail')
  const td = el('td')
  td.colSpan = 3
  const pair = el('div', 'pair')
  if (isEvent) {
    pair.append(box('LaunchDarkly event (input)', item.input))
    if (item.call !== undefined) pair.append(box('Segment call (what it became)', item.call))
    else {
      const b = el('div', 'box')
      b.append(el('h4', null, 'Segment call'), el('p', null, became(item).textContent))
      pair.append(b)
    }
  } else {
    pair.classList.add('single')
    pair.append(box('Segment call', item.call))
  }
  td.append(pair)
  tr.append(td)
  return tr
}

function toggle(row: HTMLTableRowElement, item: ItemView, isEvent: boolean): void {
  const next = row.nextElementSibling
  if (next && next.classList.contains('detail')) {
    next.remove()
    row.classList.remove('open')
    row.setAttribute('aria-expanded', 'false')
    return
  }
  row.after(detailOf(item, isEvent))
  row.classList.add('open')
  row.setAttribute('aria-expanded', 'true')
}

function rowOf(item: ItemView, isEvent: boolean): HTMLTableRowElement {
  const row = el('tr', 'row ' + item.outcome)
  row.tabIndex = 0
  row.setAttribute('aria-expanded', 'false')
  const what = el('td', 'what')
  if (isEvent) {
    what.append(el('span', 'kind', item.kind || '(no kind)'))
    if (item.key !== undefined) what.append(' ', el('span', 'key', item.key))
    if (item.context !== undefined) what.append(' ', el('span', 'who', item.context))
    row.append(el('td', 'idx', item.index), what, became(item))
  } else {
    what.append(became(item))
    row.append(el('td', 'idx', item.index), what, el('td'))
  }
  row.addEventListener('click', () => toggle(row, item, isEvent))
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      toggle(row, item, isEvent)
    }
  })
  return row
}

/** `isEvent`: the items are a batch's LaunchDarkly events; otherwise they are Segment calls. */
export function itemsTable(items: readonly ItemView[], isEvent: boolean): HTMLTableElement {
  const table = el('table', 'items')
  const head = el('tr')
  head.append(
    el('th', 'idx', '#'),
    el('th', 'what', isEvent ? 'LaunchDarkly event' : 'Segment call'),
    el('th', null, isEvent ? 'What it became in Segment' : '')
  )
  const thead = el('thead')
  thead.append(head)
  const tbody = el('tbody')
  for (const item of items) tbody.append(rowOf(item, isEvent))
  table.append(thead, tbody)
  return table
}
