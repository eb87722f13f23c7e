// Segment → LaunchDarkly for 10,000 ordinary track calls: our destination (performBatch,
// in batches as Segment's platform forms them at default settings) against Segment's own
// LaunchDarkly destination (trackEvent, which has no performBatch: one request per event).
// Both post to the same nock interceptor, which counts requests and answers 202, each
// side runs 16 deliveries at a time, and both are timed in CPU (process.cpuUsage) in the
// same run, one after the other, after a warm-up of each.

import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import destination from '../../destinations/launchdarkly-events'
import type { Peer } from './peer'
import { cpuMs } from './stats'

export const EVENTS = 10_000
const WARMUP_EVENTS = 500
const CLIENT_SIDE_ID = 'bench-client-side-id'
const EVENTS_HOST = 'https://events.launchdarkly.com'
// The preset that turns every ordinary track call into a LaunchDarkly custom event:
// what a user wanting what the peer does would enable.
const PRESET = 'Track calls as custom events'

/** The same calls for both: named track events with revenue, from known users. */
export function trackCalls(count: number, offset = 0): SegmentEvent[] {
  const names = ['Order Completed', 'Product Viewed', 'Signed Up', 'Checkout Started']
  return Array.from({ length: count }, (_, n): SegmentEvent => {
    const i = n + offset
    return {
      type: 'track',
      event: names[i % names.length],
      userId: `user-${i % 2000}`,
      anonymousId: `anon-${i % 3000}`,
      messageId: `bench-message-${i}`,
      timestamp: new Date(1795654789876 + i).toISOString(),
      properties: { revenue: (i % 100) + 0.99, currency: 'USD', plan: i % 2 ? 'pro' : 'free' },
      context: { library: { name: 'analytics.js', version: '2.11.1' } }
    }
  })
}

/** Answers every bulk POST with 202 and counts them. */
function countingTarget(): { requests: () => number; reset: () => void; done: () => void } {
  let requests = 0
  nock.disableNetConnect()
  const scope = nock(EVENTS_HOST)
    .persist()
    .post(/^\/events\/bulk\//)
    .reply(() => {
      requests++
      return [202, '']
    })
  return {
    requests: () => requests,
    reset: () => {
      requests = 0
    },
    done: () => {
      scope.persist(false)
      nock.cleanAll()
      nock.enableNetConnect()
    }
  }
}

export interface SideResult {
  requests: number
  cpuMs: number
}

/**
 * Runs `jobs` on LANES concurrent lanes, each with its own test integration (a test
 * integration keeps per-call state). Segment's platform delivers concurrently too; run
 * one by one, both sides spend most of their wall time idle between interceptions.
 */
const LANES = 16

async function inLanes<T, L>(
  jobs: readonly T[],
  makeLane: () => L,
  run: (lane: L, job: T) => Promise<void>
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    const state = makeLane()
    while (next < jobs.length) await run(state, jobs[next++])
  }
  await Promise.all(Array.from({ length: Math.min(LANES, jobs.length) }, lane))
}

async function runOurs(events: readonly SegmentEvent[]): Promise<void> {
  const preset = destination.presets?.find((p) => p.name === PRESET)
  if (!preset || !('mapping' in preset) || !preset.mapping) throw new Error(`our destination has no "${PRESET}" preset`)
  const mapping = preset.mapping
  const batchSize = typeof mapping.batch_size === 'number' ? mapping.batch_size : 100
  const batches: SegmentEvent[][] = []
  for (let start = 0; start < events.length; start += batchSize) batches.push(events.slice(start, start + batchSize))
  await inLanes(
    batches,
    () => createTestIntegration(destination),
    async (test, batch) => {
      await test.testBatchAction(preset.partnerAction, {
        events: batch,
        mapping,
        settings: { clientSideId: CLIENT_SIDE_ID },
        useDefaultMappings: true
      })
      const statuses =
        (test.results[0] as { multistatus?: Array<{ status: number; errormessage?: string }> }).multistatus ?? []
      const failed = statuses.find((s) => s.status < 200 || s.status >= 300)
      if (statuses.length !== batch.length || failed)
        throw new Error(`our destination did not deliver the bench events: ${JSON.stringify(failed ?? statuses)}`)
    }
  )
}

async function runPeer(peer: Peer, events: readonly SegmentEvent[]): Promise<void> {
  await inLanes(
    events,
    () => peer.createTestIntegration(peer.destination),
    async (test, event) => {
      // testAction throws when the action fails: the bench stops rather than count a miss.
      await test.testAction('trackEvent', { event, settings: { client_id: CLIENT_SIDE_ID }, useDefaultMappings: true })
    }
  )
}

export interface DestinationResult {
  ours: SideResult
  peer: SideResult | null
}

export async function benchDestinations(peer: Peer | null): Promise<DestinationResult> {
  const target = countingTarget()
  try {
    const warmup = trackCalls(WARMUP_EVENTS, EVENTS)
    const events = trackCalls(EVENTS)
    // Warm-up: loads and JIT-compiles both code paths before anything is counted.
    await runOurs(warmup)
    if (peer) await runPeer(peer, warmup)

    target.reset()
    const oursCpu = await cpuMs(() => runOurs(events))
    const ours = { requests: target.requests(), cpuMs: oursCpu }

    let peerResult: SideResult | null = null
    if (peer) {
      target.reset()
      const peerCpu = await cpuMs(() => runPeer(peer, events))
      peerResult = { requests: target.requests(), cpuMs: peerCpu }
    }
    return { ours, peer: peerResult }
  } finally {
    target.done()
  }
}
