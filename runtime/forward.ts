// Relaying (docs/relay.md "Forwarding to LaunchDarkly"): an SDK whose events URI points at
// the relay no longer reaches LaunchDarkly, so with LD_FORWARD_EVENTS_TO set every SDK
// request the relay accepts (answers 2xx) is also kept, before that answer, in an outbox
// of its own (`<data dir>/forward/`, files readable by the relay's user alone: they hold
// the SDKs' keys) until LaunchDarkly answers 2xx: the SDK will not send it again.
// Only to the configured URL; without the `token` query parameter and without a Bearer
// Authorization (the relay's own token); the SDK's own key goes unchanged, and each
// forward carries the SDK's X-LaunchDarkly-Payload-ID, or one made from its body, so that
// LaunchDarkly drops the repeats of a retry.

import type { IncomingHttpHeaders } from 'http'
import { join } from 'path'
import { payloadIdFor } from '../shared'
import type { OpenAppendFile } from './append-log'
import { DEFAULT_FORWARD_OUTBOX_MAX_BYTES, RuntimeConfig } from './config/variables'
import { isBearer } from './http/auth'
import { FORWARD_WORDS, ForwardApi, ForwardRecord, MAX_FORWARD_RECORD_BYTES } from './outbox/forward-api'
import { Outbox, OutboxOptions, OutboxStats, Problem } from './outbox/outbox'
import { keepIn } from './sinks'
import type { OutboxTiming } from './sinks'

/** What SDKs send that the events service reads; hop-by-hop and length headers are not copied. */
const FORWARDED_HEADERS = ['content-type', 'user-agent']

/** The forward record of an SDK request, as its line: what LaunchDarkly gets, and nothing of the relay's own. */
export function forwardLine(path: string, query: string, headers: IncomingHttpHeaders, body: string): string {
  return JSON.stringify(forwardRecord(path, query, headers, body))
}

function forwardRecord(path: string, query: string, headers: IncomingHttpHeaders, body: string): ForwardRecord {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const text = Array.isArray(value) ? value.join(', ') : value
    if (
      name === 'authorization'
        ? !isBearer(text)
        : FORWARDED_HEADERS.includes(name) || name.startsWith('x-launchdarkly-')
    )
      out[name] = text
  }
  // SDKs send one; without it, one made from what is sent, so that every retry carries the same.
  out['x-launchdarkly-payload-id'] ??= payloadIdFor([path, body])
  return { path, query, headers: out, body }
}

/** The outbox of forwards. */
export class Forwarding {
  private constructor(private readonly box: Outbox, readonly url: string) {}

  static async open(
    config: RuntimeConfig & { forwardEventsTo: string },
    secrets: readonly string[],
    log: OutboxOptions['log'],
    seams: { openFile?: OpenAppendFile; timing?: OutboxTiming; onBatch?: OutboxOptions['onBatch'] } = {}
  ): Promise<Forwarding> {
    const { timeoutMs, retryMaxMs, retryBaseMs } = seams.timing ?? {}
    const sender = new ForwardApi({ base: config.forwardEventsTo, secrets, timeoutMs, retryMaxMs })
    const box = await Outbox.open({
      dir: join(config.dataDir, FORWARD_WORDS.folder),
      sender,
      maxBytes: config.forwardOutboxMaxBytes ?? DEFAULT_FORWARD_OUTBOX_MAX_BYTES,
      maxRecordBytes: MAX_FORWARD_RECORD_BYTES,
      // The records hold the SDKs' keys.
      mode: 0o600,
      stalledAfterMs: config.outboxStalledSeconds && config.outboxStalledSeconds * 1000,
      log,
      openFile: seams.openFile,
      retryBaseMs,
      retryMaxMs,
      onBatch: seams.onBatch
    })
    return new Forwarding(box, sender.url)
  }

  /** Keeps the request (its line) on disk; resolves once it is there. Throws a SinkError having kept nothing. */
  keep(line: string): Promise<void> {
    return keepIn(this.box, [line], (bytes) => `The request is too large to forward (${bytes} bytes as a record)`)
  }

  /** Why any SDK delivery would be refused now (the outbox at its limit), checked before running one. */
  refusal(): string | undefined {
    return this.box.refusal()
  }

  /** Why this request (its line) would be refused, checked before anything of the delivery is written. */
  refusalFor(line: string): string | undefined {
    return this.box.refusalFor([line])
  }

  problem(): Problem | undefined {
    return this.box.problem()
  }

  stats(): OutboxStats {
    return this.box.stats()
  }

  /** Sends for up to `flushMs` while LaunchDarkly accepts; the rest stays on disk. */
  close(flushMs?: number): Promise<void> {
    return this.box.close(flushMs)
  }
}
