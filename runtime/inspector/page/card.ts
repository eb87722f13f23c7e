// One card per request: a header (time, method, route, kind, status, duration, counts),
// what went wrong at a glance (the error, the rejections by reason), and a foldable body
// (the items, the input, the requests made to LaunchDarkly, notes).

import type { RecordView, RouteKind } from '../view'
import { el } from './dom'
import { clock, plural, pretty, statusClass } from './format'
import { itemsTable } from './items'

const KIND_LABELS: Partial<Record<RouteKind, string>> = {
  sdk: 'SDK events',
  'client-side': 'client-side SDK events',
  webhook: 'webhook',
  destination: 'destination action',
  'destination-function': 'destination function'
}

/** A long error (one naming every rejected event) is cut, and unfolds on a click. */
const ERROR_CHARS = 240
/** Rejected events listed by index on a reason's line; the rest are counted. */
const INDEXES_SHOWN = 8

function countsOf(v: RecordView): HTMLSpanElement {
  const box = el('span', 'counts')
  const add = (className: string, n: number, one: string, many: string): void => {
    const c = el('span', 'count ' + className)
    c.append(el('b', null, n), ' ' + (n === 1 ? one : many))
    box.append(c)
  }
  if (v.kind === 'destination' || v.kind === 'destination-function') {
    add('requests', (v.requests || []).length, 'LaunchDarkly request', 'LaunchDarkly requests')
    return box
  }
  if (v.kind === 'other') return box
  let skipped = 0
  for (const k in v.skipped) skipped += Number(v.skipped[k]) || 0
  add('calls', v.emitted, 'Segment call', 'Segment calls')
  // A failed request's error says what happened; its zero counts would only add noise.
  if (skipped || v.status < 400) add('skipped', skipped, 'skipped', 'skipped')
  if (v.rejected.length || v.status < 400) add('rejected', v.rejected.length, 'rejected', 'rejected')
  return box
}

function headOf(v: RecordView): HTMLDivElement {
  const head = el('div', 'head')
  head.tabIndex = 0
  const time = el('time', 'time', clock(v.time))
  time.dateTime = v.time
  time.title = v.time
  head.append(
    time,
    el('span', 'method', v.method || '-'),
    el('span', 'route', v.route || '(a request that was not HTTP)')
  )
  const label = KIND_LABELS[v.kind]
  if (label) head.append(el('span', 'tag', label))
  head.append(el('span', 'badge', v.status), el('span', 'ms', v.ms + ' ms'), countsOf(v))
  return head
}

function errorOf(error: NonNullable<RecordView['error']>): HTMLParagraphElement {
  const full = error.error + ': ' + error.message
  const p = el('p', 'error', full.length > ERROR_CHARS ? full.slice(0, ERROR_CHARS) + '\u2026 ' : full)
  if (full.length > ERROR_CHARS) {
    const more = el('button', 'more', 'show all')
    more.type = 'button'
    more.addEventListener('click', () => {
      p.textContent = full
    })
    p.append(more)
  }
  return p
}

/** Shown folded or not: the error, and one line per reason (a misconfiguration rejects every event for the same one). */
function alertOf(v: RecordView): HTMLDivElement {
  const alert = el('div', 'alert')
  if (v.error) alert.append(errorOf(v.error))
  if (v.warning) alert.append(el('p', 'warning', 'Warning: ' + v.warning))
  if (v.rejected.length) {
    const byReason = new Map<string, number[]>()
    for (const r of v.rejected) byReason.set(r.reason, (byReason.get(r.reason) || []).concat(r.index))
    const ul = el('ul', 'rejections')
    for (const [reason, indexes] of byReason) {
      const shown =
        indexes
          .slice(0, INDEXES_SHOWN)
          .map((i) => '#' + i)
          .join(', ') + (indexes.length > INDEXES_SHOWN ? ' and ' + (indexes.length - INDEXES_SHOWN) + ' more' : '')
      ul.append(el('li', null, (indexes.length > 1 ? 'events ' : 'event ') + shown + ' rejected: ' + reason))
    }
    alert.append(ul)
  }
  return alert
}

function inputOf(v: RecordView, input: string): HTMLDetailsElement {
  const details = el('details', 'input')
  const what =
    v.kind === 'destination'
      ? 'Request to the destination action'
      : v.kind === 'destination-function'
      ? 'Segment message sent to the destination function'
      : 'Request body'
  details.append(
    el('summary', null, what + ' (' + plural(input.length, 'character', 'characters') + ')'),
    el('pre', null, pretty(input))
  )
  return details
}

function bodyOf(v: RecordView): HTMLDivElement {
  const body = el('div', 'body')
  if (v.events) body.append(itemsTable(v.events, true))
  if (v.input !== undefined) body.append(inputOf(v, v.input))
  if (v.calls) body.append(itemsTable(v.calls, false))
  if (v.requests) {
    const ul = el('ul', 'requests')
    for (const r of v.requests) {
      const li = el('li', null, 'LaunchDarkly: ')
      li.append(el('code', null, r.method + ' ' + r.url), ' \u2192 ', el('b', null, r.status))
      ul.append(li)
    }
    body.append(ul)
  }
  if (v.omitted) {
    const more = v.events ? ['more event', 'more events'] : ['more call', 'more calls']
    const text = '+ ' + plural(v.omitted, more[0], more[1]) + ' not shown: a record shows at most 64 KiB of JSON'
    body.append(el('p', 'note', text))
  }
  if (v.note) body.append(el('p', 'note', v.note))
  return body
}

export function card(v: RecordView): HTMLElement {
  const article = el('article', 'delivery ' + statusClass(v.status))
  const head = headOf(v)
  article.append(head)
  const alert = alertOf(v)
  if (alert.childElementCount) article.append(alert)
  const body = bodyOf(v)
  if (body.childElementCount) {
    article.append(body)
    article.classList.add('foldable')
    const flip = (): void => {
      article.dataset.touched = 'yes'
      article.classList.toggle('collapsed')
    }
    head.addEventListener('click', flip)
    head.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') flip()
    })
  }
  return article
}
