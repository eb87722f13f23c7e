// Where the local runtime sends the Segment calls the source function emits: the
// embedded NDJSON file, or Segment itself through @segment/analytics-node.

import { Analytics } from '@segment/analytics-node'
import { appendFileSync, mkdirSync } from 'fs'
import { join } from 'path'
import type { RecordedCall } from './functions-sandbox'

export interface Sink {
  /** For the startup banner. */
  readonly description: string
  deliver(calls: readonly RecordedCall[]): Promise<void>
  /** Flushes anything queued; called on shutdown. */
  close(): Promise<void>
}

export const NDJSON_FILE = 'segment-events.ndjson'

/** Appends each call as one JSON line (`{type, ...message}`) and prints the same line. */
export class NdjsonSink implements Sink {
  readonly path: string
  readonly description: string

  constructor(dataDir: string, private readonly print: (line: string) => void) {
    mkdirSync(dataDir, { recursive: true })
    this.path = join(dataDir, NDJSON_FILE)
    this.description = `embedded sink: appending to ${this.path}`
  }

  async deliver(calls: readonly RecordedCall[]): Promise<void> {
    if (calls.length === 0) return
    const lines = calls.map((call) => JSON.stringify({ type: call.type, ...call.message }))
    // One append per delivery keeps a delivery's lines together when several arrive at once.
    appendFileSync(this.path, lines.join('\n') + '\n')
    for (const line of lines) this.print(line)
  }

  /** Every delivery is written before it is answered: nothing to flush. */
  async close(): Promise<void> {
    return undefined
  }
}

type Params = Parameters<Analytics['track']>[0]

/** Sends to Segment's Tracking API (or SEGMENT_HOST) with the source's write key. */
export class SegmentSink implements Sink {
  readonly description: string
  private readonly analytics: Analytics
  private readonly errors: string[] = []

  constructor(writeKey: string, host: string | undefined, private readonly print: (line: string) => void) {
    this.analytics = new Analytics({ writeKey, ...(host ? { host } : {}), flushInterval: 1000 })
    // Never print the write key: the banner names the host only.
    this.description = `Segment: @segment/analytics-node to ${host ?? 'https://api.segment.io'}`
    this.analytics.on('error', (error) => {
      const message = `segment sink: ${String((error as { reason?: unknown }).reason ?? error.code)}`
      this.errors.push(message)
      this.print(message)
    })
  }

  async deliver(calls: readonly RecordedCall[]): Promise<void> {
    for (const { type, message } of calls) {
      const params = message as Params
      if (type === 'track') this.analytics.track(params)
      else if (type === 'page') this.analytics.page(params)
      else if (type === 'alias') this.analytics.alias(message as Parameters<Analytics['alias']>[0])
      else if (type === 'identify') this.analytics.identify(params)
      else if (type === 'group') this.analytics.group(message as Parameters<Analytics['group']>[0])
      else if (type === 'screen') this.analytics.screen(params)
      this.print(JSON.stringify({ type, ...message }))
    }
  }

  /** Forces out what is queued (tests and shutdown). */
  async close(): Promise<void> {
    await this.analytics.closeAndFlush({ timeout: 10_000 })
  }
}
