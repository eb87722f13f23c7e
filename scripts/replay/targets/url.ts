// `--to url <webhook>`: each LaunchDarkly delivery POSTed, as the JSON body the source
// function takes (at most 512 KiB), to a deployed source function's webhook or to the
// local runtime. The function converts it again, to the same messageIds. The URL's query
// (Segment's webhook key, an ingest token) never reaches a report.

import { explanationOf, parseJsonOrUndefined, redact } from '../../../shared'
import { Attempt, RetryContext, retryAfterMs, withRetries } from '../retry'
import { Batch, every, Outcome, Target, TargetError } from './target'

/** Segment's function invocations end after 5 s; this leaves room for its queueing. */
export const REQUEST_TIMEOUT_MS = 30_000

/** Of an error answer, this much is read for its message. */
const ANSWER_BYTES = 2048

export interface UrlTargetOptions {
  readonly url: string
  /** Sent as `Authorization: Bearer` when the URL carries no `token` parameter (LD_INGEST_TOKEN). */
  readonly ingestToken?: string
  readonly concurrency: number
  readonly retry: RetryContext
  /** Kept out of every reason: the settings' secrets; the URL's are added here. */
  readonly secrets: readonly string[]
}

/** The URL's query values and credentials: whatever in it may be a key. */
export function urlSecrets(url: URL): string[] {
  const secrets = [...url.searchParams.values(), decodeURIComponent(url.username), decodeURIComponent(url.password)]
  return secrets.filter((secret) => secret !== '')
}

/** The URL with its query values and credentials replaced. */
function describeUrl(url: URL): string {
  const query = [...url.searchParams.keys()].map((name) => `${name}=[redacted]`).join('&')
  return `${url.protocol}//${url.host}${url.pathname}${query ? '?' + query : ''}`
}

export function parseWebhookUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new TargetError("--to url needs an http(s) URL, such as the source function's webhook URL")
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TargetError(`--to url needs an http(s) URL, found a ${url.protocol} URL`)
  return url
}

export function urlTarget(options: UrlTargetOptions): Target {
  const url = parseWebhookUrl(options.url)
  const secrets = [...options.secrets, ...urlSecrets(url)]
  const shown = describeUrl(url)
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (options.ingestToken !== undefined && !url.searchParams.has('token'))
    headers.Authorization = `Bearer ${options.ingestToken}`

  let warned = false
  /** The local runtime answers with the function's summary: a different count means different settings. */
  const compare = (answer: string, converted: number): void => {
    const emitted = (parseJsonOrUndefined(answer) as { emitted?: unknown } | undefined)?.emitted
    if (warned || typeof emitted !== 'number' || emitted === converted) return
    warned = true
    options.retry.log(
      `the webhook's function emitted ${emitted} calls for a delivery converted here to ${converted}: are its settings the ones given here (LD_* variables, options)?`
    )
  }

  const attempt = async (body: string, converted: number): Promise<Attempt<Outcome>> => {
    let response: Response
    try {
      response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    } catch (error) {
      return { retry: redact(transportReason(error), secrets) }
    }
    const status = response.status
    const text = await answerText(response)
    if (status >= 200 && status < 300) {
      compare(text, converted)
      return { done: { settlement: 'delivered' } }
    }
    const answer = redact(explanationOf(text), secrets)
    const said = answer ? `: ${answer}` : ''
    if (status === 408 || status === 429 || status >= 500)
      return { retry: `HTTP ${status}${said}`, afterMs: retryAfterMs(response.headers.get('retry-after')) }
    if (status === 400)
      return { done: { settlement: 'refused', reason: `the webhook refused the delivery (HTTP 400)${said}` } }
    if (status === 401 || status === 403) {
      return {
        done: {
          settlement: 'retryable',
          reason: `the webhook refused the request (HTTP ${status})${said}; check the token in the URL or LD_INGEST_TOKEN`
        }
      }
    }
    return { done: { settlement: 'retryable', reason: `the webhook answered HTTP ${status}${said}` } }
  }

  return {
    description: `url ${shown}`,
    concurrency: options.concurrency,
    async send(batch: Batch): Promise<Outcome[]> {
      if (batch.calls.length === 0) return []
      const body = batch.body
      if (body === undefined) {
        return every(batch, {
          settlement: 'refused',
          reason:
            'already a Segment call (a relay file): a source function cannot take it; use --to ndjson or --to segment'
        })
      }
      const result = await withRetries(`POST ${shown}`, () => attempt(body, batch.calls.length), options.retry)
      return every(batch, 'done' in result ? result.done : { settlement: 'retryable', reason: result.gaveUp })
    },
    async close(): Promise<void> {
      return undefined
    }
  }
}

function transportReason(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  const why = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : ''
  return `no connection${why ? ` (${why})` : ''}`
}

/** The start of an answer's body: enough for a message or a summary, never a whole page. */
async function answerText(response: Response): Promise<string> {
  let text = ''
  const reader = response.body?.getReader()
  if (!reader) return text
  const decoder = new TextDecoder()
  try {
    while (text.length < ANSWER_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
  } catch {
    // What was read is enough.
  }
  await reader.cancel().catch(() => undefined)
  return text
}
