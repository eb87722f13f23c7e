// The list of cards, newest first, and what the page keeps beside it: the totals, the
// records held while paused, the last record seen (to tell what was missed) and the run
// of the relay (to start again when it restarts).

import type { Hello } from '../hub'
import type { RecordView } from '../view'
import { card } from './card'
import { el } from './dom'
import { emptyEl, hideNotice, list, notice, pauseButton, setStatus, totalsEl, warningsEl } from './elements'
import { clock, plural } from './format'

/** Cards on the page, and records held while paused. */
const MAX_CARDS = 200

interface Totals {
  deliveries: number
  calls: number
  rejected: number
  failed: number
}

const noTotals = (): Totals => ({ deliveries: 0, calls: 0, rejected: 0, failed: 0 })

let boot: string | null = null
let lastId = 0
let paused = false
let held: RecordView[] = []
let heldDropped = 0
let totals = noTotals()

export function renderTotals(): void {
  totalsEl.textContent = ''
  const parts: Array<[number, string, string]> = [
    [totals.deliveries, 'request', 'requests'],
    [totals.calls, 'Segment call', 'Segment calls'],
    [totals.rejected, 'rejected event', 'rejected events'],
    [totals.failed, 'failed request', 'failed requests']
  ]
  totalsEl.append('Since the page was opened or cleared: ')
  parts.forEach((p, i) => {
    if (i) totalsEl.append(' \u00b7 ')
    totalsEl.append(el('b', null, p[0]), ' ' + (p[0] === 1 ? p[1] : p[2]))
  })
  emptyEl.hidden = list.childElementCount > 0
}

export function renderPause(): void {
  pauseButton.setAttribute('aria-pressed', String(paused))
  pauseButton.textContent = paused ? 'Resume' + (held.length ? ' (' + held.length + ' new)' : '') : 'Pause'
}

function renderWarnings(warnings: readonly string[]): void {
  warningsEl.textContent = ''
  warningsEl.hidden = warnings.length === 0
  if (!warnings.length) return
  warningsEl.append(el('h2', null, 'Startup warnings'))
  const ul = el('ul')
  for (const w of warnings) ul.append(el('li', null, w))
  warningsEl.append(ul)
}

/** A preflight the browser follows is one quiet line, not a card: its POST comes next. */
function isQuietPreflight(v: RecordView): boolean {
  return v.method === 'OPTIONS' && !v.warning && v.status > 0 && v.status < 400
}

function quietLine(v: RecordView): HTMLElement {
  const line = el(
    'p',
    'preflight',
    `${clock(v.time)} OPTIONS ${v.route} ${v.status}: CORS preflight, the browser may post`
  )
  line.title = v.time
  return line
}

function show(v: RecordView): void {
  if (isQuietPreflight(v)) {
    list.prepend(quietLine(v))
    while (list.childElementCount > MAX_CARDS) list.lastElementChild?.remove()
    return renderTotals()
  }
  // The newest request is unfolded; the one before it folds, unless the user unfolded or folded it.
  const previous = list.querySelector('article')
  if (previous && !previous.dataset.touched) previous.classList.add('collapsed')
  list.prepend(card(v))
  while (list.childElementCount > MAX_CARDS) list.lastElementChild?.remove()
  totals.deliveries++
  totals.calls += v.emitted
  totals.rejected += v.rejected.length
  if (v.status >= 400 || v.status === 0) totals.failed++
  renderTotals()
}

export function onRecord(v: RecordView): void {
  if (v.id <= lastId) return
  if (lastId && v.id > lastId + 1)
    notice(
      plural(v.id - lastId - 1, 'request was', 'requests were') +
        ' not shown: the page fell behind, or was away longer than the relay\u2019s history reaches.'
    )
  lastId = v.id
  if (!paused) return show(v)
  held.push(v)
  if (held.length > MAX_CARDS) {
    held.shift()
    heldDropped++
  }
  renderPause()
}

export function onHello(hello: Hello): void {
  if (boot !== null && hello.boot !== boot) {
    list.textContent = ''
    held = []
    lastId = 0
    totals = noTotals()
    notice('The relay restarted: the list starts again.')
    renderTotals()
  }
  boot = hello.boot
  renderWarnings(hello.warnings)
  setStatus('live', 'live')
}

/** Pause holds new records; Resume shows them, saying how many were not kept. */
export function togglePause(): void {
  paused = !paused
  if (!paused) {
    if (heldDropped)
      notice(
        plural(heldDropped, 'request', 'requests') +
          ' received while paused were not kept (the page holds ' +
          MAX_CARDS +
          ').'
      )
    const waiting = held
    held = []
    heldDropped = 0
    waiting.forEach((v) => show(v))
  }
  renderPause()
}

export function clear(): void {
  list.textContent = ''
  held = []
  heldDropped = 0
  totals = noTotals()
  hideNotice()
  renderTotals()
  renderPause()
}
