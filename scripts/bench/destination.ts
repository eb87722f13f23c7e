// Segment → LaunchDarkly for 10,000 ordinary track calls: our destination against Segment's
// own LaunchDarkly destination (trackEvent, which has no performBatch: one request per
// event). Ours runs twice: batched (performBatch, in batches as Segment's platform forms
// them at default settings), and one event per request (perform), as the peer sends
// them. The peer's advantage-free comparison is the latter; the gain of batching is the
// difference between our two. All post to the same nock interceptor, which counts
// requests and answers 202; each side runs 16 deliveries at a time. The 10,000 events are
// sent in rounds of 2,000 in which the three alternate (rotating order), timed in CPU
// (process.cpuUsage), after a warm-up round of each.

import nock from 'nock'
import { createTestIntegration } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import destination from '../../destinations/launchdarkly-events'
import { loadPeer, Peer, PEER_PACKAGE, PEER_VERSION } from './peer'
import type { Section } from './section'
import { alternate, n, ratios, round, showSpread, spread, Spread } from './stats'

export const EVENTS = 10_000
const ROUNDS = 5
const ROUND_EVENTS = EVENTS / ROUNDS
const CLIENT_SIDE_ID = 'bench-client-side-id'
const EVENTS_HOST = 'https://events.launchdarkly.com'
// The preset that turns every ordinary track call into a LaunchDarkly custom event:
// what a user wanting what the peer does would enable.
const PRESET = 'Track calls as custom events'

/** The same calls for both: named track events with revenue, from known users. */
export function trackCalls(count: number): SegmentEvent[] {
  const names = ['Order Completed', 'Product Viewed', 'Signed Up', 'Checkout Started']
  return Array.from({ length: count }, (_, i): SegmentEvent => {
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
function countingTarget(): { requests: () => number; done: () => void } {
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
    done: () => {
      scope.persist(false)
      nock.cleanAll()
      nock.enableNetConnect()
    }
  }
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

function ourPreset() {
  const preset = destination.presets?.find((p) => p.name === PRESET)
  if (!preset || !('mapping' in preset) || !preset.mapping) throw new Error(`our destination has no "${PRESET}" preset`)
  return { preset, mapping: preset.mapping }
}

async function runOurs(events: readonly SegmentEvent[]): Promise<void> {
  const { preset, mapping } = ourPreset()
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

async function runOursOneByOne(events: readonly SegmentEvent[]): Promise<void> {
  const { preset, mapping } = ourPreset()
  await inLanes(
    events,
    () => createTestIntegration(destination),
    async (test, event) => {
      // testAction throws when the action fails: the bench stops rather than count a miss.
      await test.testAction(preset.partnerAction, {
        event,
        mapping,
        settings: { clientSideId: CLIENT_SIDE_ID },
        useDefaultMappings: true
      })
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

export interface SideResult {
  /** Requests for all EVENTS events. */
  requests: number
  /** Median CPU microseconds per event over the rounds. */
  cpuPerEventUs: number
}

export interface DestinationResult {
  batched: SideResult
  oneByOne: SideResult
  peer: SideResult | null
  /** The peer's CPU ÷ ours batched, round by round. */
  peerVsBatched: Spread | null
}

export async function benchDestinations(peer: Peer | null): Promise<DestinationResult> {
  const target = countingTarget()
  try {
    const events = trackCalls(ROUND_EVENTS)
    // Requests per round; the first is the warm-up's.
    const counted = (run: (events: readonly SegmentEvent[]) => Promise<void>) => {
      const perRound: number[] = []
      return {
        subject: async () => {
          const before = target.requests()
          await run(events)
          perRound.push(target.requests() - before)
        },
        requests: () => perRound.slice(1).reduce((a, b) => a + b, 0)
      }
    }
    const batched = counted(runOurs)
    const oneByOne = counted(runOursOneByOne)
    const theirs = peer ? counted((e) => runPeer(peer, e)) : undefined
    const subjects: Record<string, () => Promise<void>> = { batched: batched.subject, oneByOne: oneByOne.subject }
    if (theirs) subjects.peer = theirs.subject
    const samples = await alternate(subjects, ROUNDS, 1)
    const side = (ms: number[], requests: number): SideResult => ({
      requests,
      cpuPerEventUs: (spread(ms).median * 1000) / ROUND_EVENTS
    })
    const peerSamples = samples.peer as number[] | undefined
    return {
      batched: side(samples.batched, batched.requests()),
      oneByOne: side(samples.oneByOne, oneByOne.requests()),
      peer: theirs && peerSamples ? side(peerSamples, theirs.requests()) : null,
      peerVsBatched: peerSamples ? ratios(peerSamples, samples.batched) : null
    }
  } finally {
    target.done()
  }
}

type DestinationKey =
  | 'requestsPer10k'
  | 'peerRequestsPer10k'
  | 'peerCpuPerEventUs'
  | 'oursOneByOneCpuPerEventUs'
  | 'oursBatchedCpuPerEventUs'
  | 'peerVsOursCpuRatio'

export const destinationSection: Section<DestinationKey> = {
  keys: [
    'requestsPer10k',
    'peerRequestsPer10k',
    'peerCpuPerEventUs',
    'oursOneByOneCpuPerEventUs',
    'oursBatchedCpuPerEventUs',
    'peerVsOursCpuRatio'
  ],
  async run(progress) {
    progress(`loading the peer (${PEER_PACKAGE}@${PEER_VERSION}; installed into .data/bench-peer on first use)`)
    const load = loadPeer(progress)
    const peerNote = load.ok ? undefined : `peer unavailable, its keys are null: ${load.reason}`
    if (peerNote) progress(peerNote)
    else if (load.ok && load.installed)
      progress(`peer installed in ${round(load.installMs / 1000, 1)} s (not counted in the bench time)`)
    progress(
      `destinations: ${n(EVENTS)} track calls, ours batched and one by one${
        load.ok ? ', and the peer (one request per event)' : ''
      }, in alternated rounds`
    )
    const { batched, oneByOne, peer, peerVsBatched } = await benchDestinations(load.ok ? load.peer : null)
    const us = (side: SideResult | null): string => (side ? `${round(side.cpuPerEventUs, 1)} µs` : 'n/a')
    const perEvent = (side: SideResult | null): number | null => (side ? round(side.cpuPerEventUs, 1) : null)
    const batchRequests = Math.ceil(EVENTS / 100)
    return {
      json: {
        requestsPer10k: Math.round((batched.requests * 10_000) / EVENTS),
        peerRequestsPer10k: peer ? Math.round((peer.requests * 10_000) / EVENTS) : null,
        peerCpuPerEventUs: perEvent(peer),
        oursOneByOneCpuPerEventUs: perEvent(oneByOne),
        oursBatchedCpuPerEventUs: perEvent(batched),
        peerVsOursCpuRatio: peerVsBatched ? round(peerVsBatched.median, 1) : null
      },
      rows: [
        {
          key: 'requestsPer10k',
          measure: `requests our destination sends for ${n(EVENTS)} events (performBatch, default batch_size)`,
          value: n(batched.requests),
          bar: String(batchRequests),
          ok: batched.requests === batchRequests
        },
        {
          key: 'peerRequestsPer10k',
          measure: "requests Segment's LaunchDarkly destination sends for the same events (trackEvent)",
          value: peer ? n(peer.requests) : 'n/a'
        },
        {
          key: 'peerCpuPerEventUs',
          measure: "CPU per event, Segment's LaunchDarkly destination (one request per event)",
          value: us(peer)
        },
        {
          key: 'oursOneByOneCpuPerEventUs',
          measure: 'CPU per event, ours sent one event per request (perform), as the peer sends them',
          value: us(oneByOne)
        },
        {
          key: 'oursBatchedCpuPerEventUs',
          measure: 'CPU per event, ours batched (performBatch, 100 per request)',
          value: us(batched)
        },
        {
          key: 'peerVsOursCpuRatio',
          measure: "the peer's CPU ÷ ours batched, same events: the gain of batching, not of faster code",
          value: peerVsBatched ? showSpread(peerVsBatched, 1, '×') : 'n/a'
        }
      ],
      notes: [
        `destinations, ${n(EVENTS)} track calls through nock, ${ROUNDS} alternated rounds of ${n(
          ROUND_EVENTS
        )}: ours ${n(batched.requests)} requests batched, ${n(oneByOne.requests)} one by one; ` +
          (peer ? `${PEER_PACKAGE}@${PEER_VERSION} launchdarkly ${n(peer.requests)} requests` : 'peer n/a'),
        ...(peerNote ? [`Note: ${peerNote}`] : [])
      ],
      setupMs: load.ok ? load.installMs : 0
    }
  }
}
