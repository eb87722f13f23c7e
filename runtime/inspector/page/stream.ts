// The page's connection to the relay: the server-sent events of /inspector/stream, read
// with EventSource (which reconnects by itself, sending Last-Event-ID); when the relay
// closes or refuses the stream, a retry that backs off, and the reason in the notice.

import type { Hello } from '../hub'
import type { RecordView } from '../view'
import { notice, setStatus } from './elements'

const FIRST_RETRY_MS = 2000
const MAX_RETRY_MS = 30000

export interface StreamListeners {
  hello(hello: Hello): void
  record(view: RecordView): void
}

/** Reads the stream at `url` for as long as the page is open. */
export function watch(url: string, listeners: StreamListeners): void {
  let retryMs = FIRST_RETRY_MS
  const connect = (): void => {
    setStatus('connecting', 'connecting\u2026')
    const source = new EventSource(url)
    source.addEventListener('open', () => {
      retryMs = FIRST_RETRY_MS
    })
    source.addEventListener('hello', (e: MessageEvent<string>) => listeners.hello(JSON.parse(e.data) as Hello))
    source.addEventListener('record', (e: MessageEvent<string>) => listeners.record(JSON.parse(e.data) as RecordView))
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return setStatus('connecting', 'reconnecting\u2026')
      const wait = retryMs
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS)
      setStatus('down', 'disconnected: retrying in ' + Math.round(wait / 1000) + ' s')
      explainRefusal(url)
      setTimeout(connect, wait)
    })
  }
  connect()
}

/** When the relay refuses the stream, EventSource cannot say why: ask once, read the answer's message. */
function explainRefusal(url: string): void {
  const abort = new AbortController()
  fetch(url, { signal: abort.signal, cache: 'no-store' })
    .then((res) => {
      if (res.ok) return abort.abort()
      return res
        .json()
        .then((body: { message?: unknown }) =>
          notice('The relay refused the stream (' + res.status + '): ' + String(body.message))
        )
    })
    .catch(() => undefined)
}
