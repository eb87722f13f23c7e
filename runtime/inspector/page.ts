// The inspector page (docs/inspector.md): one HTML document with its style and script
// inline, so it works offline and needs no other route. The Content-Security-Policy
// allows exactly this style and this script (by hash), connections to the relay itself
// and nothing else; the script builds every element with textContent, never markup, so
// event data (untrusted) is shown as text.

import { createHash } from 'crypto'

const STYLE = `
:root { --fg: #1d2330; --dim: #5d6678; --line: #d9dee7; --bg: #f5f7fa; --card: #fff; --ok: #1a7f37; --warn: #9a6700;
  --bad: #cf222e; --okbg: #dafbe1; --warnbg: #fff8c5; --badbg: #ffebe9; --accent: #3451b2; --code: #f0f2f6; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e9ef; --dim: #9aa3b5; --line: #343b49; --bg: #15181e; --card: #1d2129; --ok: #4ac26b; --warn: #d4a72c;
    --bad: #ff7b72; --okbg: #12361f; --warnbg: #3b2e05; --badbg: #471c1c; --accent: #8ca7ff; --code: #242936; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
code, pre, .route, .key, .idx, .time, .ms { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
.top { position: sticky; top: 0; z-index: 1; background: var(--card); border-bottom: 1px solid var(--line);
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; padding: 10px 20px; }
.top h1 { font-size: 17px; margin: 0; }
.top .sub { color: var(--dim); }
.top .controls { margin-left: auto; display: flex; align-items: center; gap: 8px; }
button { font: inherit; padding: 4px 14px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); cursor: pointer; }
button:hover { border-color: var(--accent); }
button[aria-pressed="true"] { background: var(--warnbg); border-color: var(--warn); }
.status { padding: 2px 10px; border-radius: 999px; font-size: 12.5px; border: 1px solid var(--line); }
.status::before { content: "\\25CF  "; }
.status.live { color: var(--ok); border-color: var(--ok); }
.status.connecting { color: var(--warn); border-color: var(--warn); }
.status.down { color: var(--bad); border-color: var(--bad); }
.wrap { max-width: 1280px; margin: 0 auto; padding: 12px 20px 40px; }
.warnings { background: var(--warnbg); border: 1px solid var(--warn); border-radius: 8px; padding: 8px 14px; margin-bottom: 12px; }
.warnings h2 { font-size: 14px; margin: 2px 0 4px; color: var(--warn); }
.warnings ul { margin: 0; padding-left: 20px; }
.notice { background: var(--card); border: 1px dashed var(--dim); border-radius: 8px; padding: 6px 12px; color: var(--dim); }
.totals { color: var(--dim); margin: 4px 2px 10px; }
.totals b { color: var(--fg); }
.legend { color: var(--dim); margin: 0 2px 12px; }
.empty { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 18px 14px; }
.empty h2 { font-size: 16px; }
.empty pre { background: var(--code); padding: 10px; border-radius: 6px; white-space: pre-wrap; word-break: break-all; }
.delivery { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--ok); border-radius: 8px; margin-bottom: 10px; }
.delivery.warn { border-left-color: var(--warn); }
.delivery.bad { border-left-color: var(--bad); }
.head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; padding: 8px 12px; cursor: pointer; }
.head:focus-visible, .row:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
.head .time { color: var(--dim); }
.foldable .head::before { content: "\\25BE"; color: var(--dim); width: 1em; }
.foldable.collapsed .head::before { content: "\\25B8"; }
.head .method { font-weight: 600; }
.head .route { font-weight: 600; word-break: break-all; }
.tag { color: var(--dim); font-size: 12px; border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; }
.badge { font-weight: 700; padding: 0 8px; border-radius: 4px; background: var(--okbg); color: var(--ok); }
.warn .badge { background: var(--warnbg); color: var(--warn); }
.bad .badge { background: var(--badbg); color: var(--bad); }
.head .ms { color: var(--dim); }
.counts { margin-left: auto; display: flex; gap: 10px; }
.count { color: var(--dim); }
.count.calls b { color: var(--ok); }
.count.rejected b { color: var(--bad); }
.body { border-top: 1px solid var(--line); padding: 8px 12px 10px; }
.collapsed .body { display: none; }
.error { margin: 2px 0 8px; padding: 6px 10px; background: var(--badbg); color: var(--bad); border-radius: 6px; white-space: pre-wrap; word-break: break-word; }
.alert { padding: 0 12px 6px; }
.error button.more { padding: 0 8px; font-size: 12px; color: var(--bad); border-color: var(--bad); background: transparent; }
.rejections { margin: 0; padding-left: 20px; color: var(--bad); }
table.items { width: 100%; border-collapse: collapse; }
table.items th { text-align: left; font-weight: 600; color: var(--dim); font-size: 12.5px; padding: 3px 8px; border-bottom: 1px solid var(--line); }
table.items td { padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; word-break: break-word; }
table.items th.idx, table.items td.idx { width: 4.5em; color: var(--dim); white-space: nowrap; }
table.items th.what { width: 45%; }
.row { cursor: pointer; }
.row:hover { background: var(--code); }
.row.open { background: var(--code); }
.row td.idx::before { content: "\\25B8  "; }
.row.open td.idx::before { content: "\\25BE  "; }
.row.skipped, .row.none { color: var(--dim); }
.row.rejected td.became { color: var(--bad); }
.kind { display: inline-block; min-width: 5.5em; color: var(--dim); }
.key { font-weight: 600; }
.who { color: var(--dim); margin-left: 8px; display: inline-block; }
.type { display: inline-block; font-weight: 700; color: var(--accent); min-width: 3.5em; }
.detail td { background: var(--code); padding: 6px 8px 10px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.pair.single { grid-template-columns: 1fr; }
.box h4 { margin: 0 0 4px; font-size: 12.5px; color: var(--dim); font-weight: 600; }
.box pre { margin: 0; padding: 8px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; max-height: 28em; overflow: auto; white-space: pre-wrap; word-break: break-word; }
.box p { margin: 0; color: var(--dim); }
details.input { margin: 6px 0; }
details.input summary { cursor: pointer; color: var(--dim); }
details.input pre { margin: 6px 0 0; padding: 8px; background: var(--code); border-radius: 6px; max-height: 28em; overflow: auto; white-space: pre-wrap; word-break: break-word; }
.requests { margin: 6px 0 0; padding-left: 20px; }
.requests code { word-break: break-all; }
.note { color: var(--dim); font-style: italic; margin: 6px 0 0; }
.warning { margin: 2px 0 8px; padding: 6px 10px; background: var(--warnbg); color: var(--warn); border-radius: 6px; word-break: break-word; }
.preflight { color: var(--dim); font-size: 12px; margin: 2px 0; }
@media (max-width: 800px) { .pair { grid-template-columns: 1fr; } .counts { margin-left: 0; } }
`

// Plain JavaScript for the browser: no template literals (this is one), no markup from data.
const SCRIPT = `
(() => {
  'use strict'
  const MAX_CARDS = 200
  const $ = (id) => document.getElementById(id)
  const list = $('list')
  const statusEl = $('status')
  const pauseButton = $('pause')
  const clearButton = $('clear')
  const warningsEl = $('warnings')
  const totalsEl = $('totals')
  const noticeEl = $('notice')
  const emptyEl = $('empty')
  const token = new URLSearchParams(location.search).get('token')
  const streamUrl = '/inspector/stream' + (token ? '?token=' + encodeURIComponent(token) : '')
  let boot = null
  let lastId = 0
  let paused = false
  let held = []
  let heldDropped = 0
  let retryMs = 2000
  let totals = { deliveries: 0, calls: 0, rejected: 0, failed: 0 }

  const KIND_LABELS = {
    sdk: 'SDK events', 'client-side': 'client-side SDK events', webhook: 'webhook',
    destination: 'destination action', 'destination-function': 'destination function'
  }

  function el(tag, className, text) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined && text !== null) node.textContent = String(text)
    return node
  }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many) }
  function pad(n, width) { return String(n).padStart(width, '0') }
  function clock(iso) {
    const d = new Date(iso)
    if (isNaN(d.getTime())) return String(iso)
    return pad(d.getHours(), 2) + ':' + pad(d.getMinutes(), 2) + ':' + pad(d.getSeconds(), 2) + '.' + pad(d.getMilliseconds(), 3)
  }
  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2) } catch (e) { return text }
  }
  function statusClass(status) { return status >= 200 && status < 400 ? 'ok' : status >= 400 && status < 500 ? 'warn' : 'bad' }
  function setStatus(kind, text) { statusEl.className = 'status ' + kind; statusEl.textContent = text }
  function notice(text) { noticeEl.hidden = false; noticeEl.textContent = text }

  function renderTotals() {
    totalsEl.textContent = ''
    const parts = [
      [totals.deliveries, 'request', 'requests'], [totals.calls, 'Segment call', 'Segment calls'],
      [totals.rejected, 'rejected event', 'rejected events'], [totals.failed, 'failed request', 'failed requests']
    ]
    totalsEl.append('Since the page was opened or cleared: ')
    parts.forEach((p, i) => {
      if (i) totalsEl.append(' \\u00b7 ')
      totalsEl.append(el('b', null, p[0]), ' ' + (p[0] === 1 ? p[1] : p[2]))
    })
    emptyEl.hidden = list.childElementCount > 0
  }

  function renderWarnings(warnings) {
    warningsEl.textContent = ''
    warningsEl.hidden = warnings.length === 0
    if (!warnings.length) return
    warningsEl.append(el('h2', null, 'Startup warnings'))
    const ul = el('ul')
    for (const w of warnings) ul.append(el('li', null, w))
    warningsEl.append(ul)
  }

  function countsOf(v) {
    const box = el('span', 'counts')
    const add = (className, n, one, many) => {
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

  function became(item) {
    const td = el('td', 'became')
    if (item.outcome === 'call') {
      td.append(el('span', 'type', item.type))
      if (item.name !== undefined) td.append(' ', el('span', 'name', '\\u201c' + item.name + '\\u201d'))
      if (item.user !== undefined) td.append(' ', el('span', 'who', item.user))
    } else if (item.outcome === 'rejected') td.textContent = 'rejected: ' + item.reason
    else if (item.outcome === 'skipped') td.textContent = 'skipped: ' + (item.kind || 'this kind of') + ' events are not exported'
    else td.textContent = 'no call: the request failed'
    return td
  }

  function box(title, text) {
    const b = el('div', 'box')
    b.append(el('h4', null, title), el('pre', null, pretty(text)))
    return b
  }

  function toggle(row, item, isEvent) {
    const next = row.nextElementSibling
    if (next && next.classList.contains('detail')) {
      next.remove()
      row.classList.remove('open')
      row.setAttribute('aria-expanded', 'false')
      return
    }
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
    row.after(tr)
    row.classList.add('open')
    row.setAttribute('aria-expanded', 'true')
  }

  function itemsTable(items, isEvent) {
    const table = el('table', 'items')
    const head = el('tr')
    head.append(el('th', 'idx', '#'), el('th', 'what', isEvent ? 'LaunchDarkly event' : 'Segment call'),
      el('th', null, isEvent ? 'What it became in Segment' : ''))
    const thead = el('thead')
    thead.append(head)
    const tbody = el('tbody')
    for (const item of items) {
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
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); toggle(row, item, isEvent) } })
      tbody.append(row)
    }
    table.append(thead, tbody)
    return table
  }

  function card(v) {
    const article = el('article', 'delivery ' + statusClass(v.status))
    const head = el('div', 'head')
    head.tabIndex = 0
    const time = el('time', 'time', clock(v.time))
    time.dateTime = v.time
    time.title = v.time
    head.append(time, el('span', 'method', v.method || '-'), el('span', 'route', v.route || '(a request that was not HTTP)'))
    if (KIND_LABELS[v.kind]) head.append(el('span', 'tag', KIND_LABELS[v.kind]))
    head.append(el('span', 'badge', v.status), el('span', 'ms', v.ms + ' ms'), countsOf(v))
    article.append(head)

    const body = el('div', 'body')
    // Shown folded or not: what went wrong, at a glance.
    const alert = el('div', 'alert')
    if (v.error) alert.append(errorOf(v.error))
    if (v.warning) alert.append(el('p', 'warning', 'Warning: ' + v.warning))
    if (v.rejected.length) {
      // One line per reason: a misconfiguration rejects every event for the same one.
      const byReason = new Map()
      for (const r of v.rejected) byReason.set(r.reason, (byReason.get(r.reason) || []).concat(r.index))
      const ul = el('ul', 'rejections')
      for (const [reason, indexes] of byReason) {
        const shown = indexes.slice(0, 8).map((i) => '#' + i).join(', ') + (indexes.length > 8 ? ' and ' + (indexes.length - 8) + ' more' : '')
        ul.append(el('li', null, (indexes.length > 1 ? 'events ' : 'event ') + shown + ' rejected: ' + reason))
      }
      alert.append(ul)
    }
    if (alert.childElementCount) article.append(alert)
    if (v.events) body.append(itemsTable(v.events, true))
    if (v.input !== undefined) {
      const details = el('details', 'input')
      const what = v.kind === 'destination' ? 'Request to the destination action'
        : v.kind === 'destination-function' ? 'Segment message sent to the destination function' : 'Request body'
      details.append(el('summary', null, what + ' (' + plural(v.input.length, 'character', 'characters') + ')'), el('pre', null, pretty(v.input)))
      body.append(details)
    }
    if (v.calls) body.append(itemsTable(v.calls, false))
    if (v.requests) {
      const ul = el('ul', 'requests')
      for (const r of v.requests) {
        const li = el('li', null, 'LaunchDarkly: ')
        li.append(el('code', null, r.method + ' ' + r.url), ' \\u2192 ', el('b', null, r.status))
        ul.append(li)
      }
      body.append(ul)
    }
    if (v.omitted) body.append(el('p', 'note', '+ ' + plural(v.omitted, v.events ? 'more event' : 'more call', v.events ? 'more events' : 'more calls') + ' not shown: a record shows at most 64 KiB of JSON'))
    if (v.note) body.append(el('p', 'note', v.note))
    if (body.childElementCount) {
      article.append(body)
      article.classList.add('foldable')
      const flip = () => {
        article.dataset.touched = 'yes'
        article.classList.toggle('collapsed')
      }
      head.addEventListener('click', flip)
      head.addEventListener('keydown', (e) => { if (e.key === 'Enter') flip() })
    }
    return article
  }

  // A long error (one naming every rejected event) is cut, and unfolds on a click.
  function errorOf(error) {
    const full = error.error + ': ' + error.message
    const p = el('p', 'error', full.length > 240 ? full.slice(0, 240) + '\u2026 ' : full)
    if (full.length > 240) {
      const more = el('button', 'more', 'show all')
      more.type = 'button'
      more.addEventListener('click', () => { p.textContent = full })
      p.append(more)
    }
    return p
  }

  // A preflight the browser follows is one quiet line, not a card: its POST comes next.
  function quietLine(v) {
    const p = el('p', 'preflight', clock(v.time) + ' ' + v.method + ' ' + v.route + ' ' + v.status + ' (CORS preflight: the browser may post)')
    p.title = v.time
    return p
  }

  function show(v) {
    if (v.method === 'OPTIONS' && !v.warning && v.status < 400) {
      list.prepend(quietLine(v))
      while (list.childElementCount > MAX_CARDS) list.lastElementChild.remove()
      return
    }
    // The newest request is unfolded; the one before it folds, unless the user unfolded or folded it.
    const previous = list.querySelector('article')
    if (previous && !previous.dataset.touched) previous.classList.add('collapsed')
    list.prepend(card(v))
    while (list.childElementCount > MAX_CARDS) list.lastElementChild.remove()
    totals.deliveries++
    totals.calls += v.emitted
    totals.rejected += v.rejected.length
    if (v.status >= 400 || v.status === 0) totals.failed++
    renderTotals()
  }

  function onRecord(v) {
    if (v.id <= lastId) return
    if (lastId && v.id > lastId + 1) notice(plural(v.id - lastId - 1, 'request was', 'requests were') + ' not shown: the page fell behind, or was away longer than the relay\\u2019s history reaches.')
    lastId = v.id
    if (!paused) return show(v)
    held.push(v)
    if (held.length > MAX_CARDS) { held.shift(); heldDropped++ }
    renderPause()
  }

  function onHello(hello) {
    if (boot !== null && hello.boot !== boot) {
      list.textContent = ''
      held = []
      lastId = 0
      totals = { deliveries: 0, calls: 0, rejected: 0, failed: 0 }
      notice('The relay restarted: the list starts again.')
      renderTotals()
    }
    boot = hello.boot
    renderWarnings(hello.warnings)
    setStatus('live', 'live')
  }

  function renderPause() {
    pauseButton.setAttribute('aria-pressed', String(paused))
    pauseButton.textContent = paused ? 'Resume' + (held.length ? ' (' + held.length + ' new)' : '') : 'Pause'
  }

  pauseButton.addEventListener('click', () => {
    paused = !paused
    if (!paused) {
      if (heldDropped) notice(plural(heldDropped, 'request', 'requests') + ' received while paused were not kept (the page holds ' + MAX_CARDS + ').')
      const waiting = held
      held = []
      heldDropped = 0
      waiting.forEach(show)
    }
    renderPause()
  })

  clearButton.addEventListener('click', () => {
    list.textContent = ''
    held = []
    heldDropped = 0
    totals = { deliveries: 0, calls: 0, rejected: 0, failed: 0 }
    noticeEl.hidden = true
    renderTotals()
    renderPause()
  })

  // When the relay refuses the stream, EventSource cannot say why: ask once, read the answer's message.
  function explainRefusal() {
    const abort = new AbortController()
    fetch(streamUrl, { signal: abort.signal, cache: 'no-store' }).then((res) => {
      if (res.ok) return abort.abort()
      return res.json().then((body) => notice('The relay refused the stream (' + res.status + '): ' + body.message))
    }).catch(() => undefined)
  }

  function connect() {
    setStatus('connecting', 'connecting\\u2026')
    const source = new EventSource(streamUrl)
    source.addEventListener('open', () => { retryMs = 2000 })
    source.addEventListener('hello', (e) => onHello(JSON.parse(e.data)))
    source.addEventListener('record', (e) => onRecord(JSON.parse(e.data)))
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return setStatus('connecting', 'reconnecting\\u2026')
      const wait = retryMs
      retryMs = Math.min(retryMs * 2, 30000)
      setStatus('down', 'disconnected: retrying in ' + Math.round(wait / 1000) + ' s')
      explainRefusal()
      setTimeout(connect, wait)
    })
  }

  $('origin').textContent = location.origin
  $('example').textContent = "curl -X POST " + location.origin + "/bulk -H 'Content-Type: application/json' \\\\\\n" +
    "  --data '[{\\"kind\\":\\"custom\\",\\"key\\":\\"signed-up\\",\\"creationDate\\":1767225600000,\\"context\\":{\\"kind\\":\\"user\\",\\"key\\":\\"user-1\\"}}]'"
  renderTotals()
  renderPause()
  connect()
})()
`

const BODY = `
<div class="top">
  <h1>LaunchDarkly \u21c4 Segment relay</h1>
  <span class="sub">Inspector: every request the relay answers, live</span>
  <div class="controls">
    <span id="status" class="status connecting" role="status">connecting\u2026</span>
    <button id="pause" type="button" aria-pressed="false">Pause</button>
    <button id="clear" type="button">Clear</button>
  </div>
</div>
<div class="wrap">
  <section id="warnings" class="warnings" hidden></section>
  <p id="notice" class="notice" hidden></p>
  <p id="totals" class="totals"></p>
  <p class="legend">Newest first. Each row is one LaunchDarkly event and what it became: a Segment call, a rejection
  with its reason, or skipped (index, summary and identify events are not exported). Click a row to see both as JSON;
  click a request's header to unfold or fold it.</p>
  <section id="empty" class="empty">
    <h2>Waiting for deliveries</h2>
    <p>Point a LaunchDarkly SDK's events URI at <code id="origin"></code> (Node server SDK: <code>eventsUri</code>) and
    evaluate a flag with detailed events on, or post a batch (with <code>LD_INGEST_TOKEN</code> set, add
    <code>-H 'Authorization: &lt;token&gt;'</code>):</p>
    <pre id="example"></pre>
  </section>
  <main id="list"></main>
</div>
`

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inspector \u00b7 LaunchDarkly \u21c4 Segment relay</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`

/** The page's own style and script, the relay for its stream, and nothing else. */
export const PAGE_CSP = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  Vary: 'Accept'
}
