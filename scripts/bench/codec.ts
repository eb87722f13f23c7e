// The core module's LaunchDarkly → Segment conversion against the JSON floor
// (JSON.parse + JSON.stringify of the same text; design §8: at most 3× that).
//
// What is timed is what the deployed function does to a delivery once it has the body:
// readDelivery, convertDelivery (Segment's 32 KB message check included) and the summary
// line, in the core module as the function bundles it (built-core.ts), with the SHA-256
// the function takes from the runtime's crypto, and no variation names configured. Two
// payloads:
// * the headline, one 512 KiB delivery of distinct feature events (worst-cases.ts): the
//   most conversion work a delivery can carry;
// * the captured SDK /bulk request with its skipped kinds left out (15 of its 24 events
//   are exported), repeated as separate deliveries to about 1 MB: skipped events cost
//   the JSON floor its full price and the codec almost nothing, which would flatter it.

import * as nodeCrypto from 'node:crypto'
import fixture from '../../__tests__/fixtures/node-server-sdk-bulk.json'
import { isExportKind } from '../../shared'
import type { ExportSettings } from '../../shared'
import { loadBuiltCore } from './built-core'
import { answerParent, inChild } from './child'
import { featureEventsBody } from './worst-cases'
import type { Section } from './section'
import { alternate, n, ratios, round, showSpread, spread, Spread } from './stats'
import { TARGETS } from './targets'

const SETTINGS = { projectId: 'bench-project', environmentId: 'bench-environment' }
const WARMUP_ROUNDS = 5
const ROUNDS = 21
/** The portable SHA-256 is reported, not held to a bar: fewer rounds. */
const PORTABLE_ROUNDS = 9
/** Bytes converted per round and subject: enough CPU time for process.cpuUsage's resolution. */
const PASS_BYTES = 1_000_000

export interface PayloadResult {
  /** Bytes and exported events per pass (the payload's deliveries, once each). */
  bytes: number
  deliveries: number
  events: number
  /** Median CPU milliseconds per pass. */
  jsonMs: number
  codecMs: number
  portableMs: number
  /** codec (as deployed) ÷ JSON, round by round. */
  ratio: Spread
  /** The same with shared/'s portable SHA-256 (its default outside Segment). */
  portableRatio: Spread
  /** Exported events per CPU second, as deployed. */
  eventsPerSecond: number
}

export interface CodecResult {
  delivery: PayloadResult
  fixture: PayloadResult
}

type Core = Awaited<ReturnType<typeof loadBuiltCore>>

async function benchPayload(core: Core, delivery: string): Promise<PayloadResult> {
  const { convertDelivery, readDelivery, summaryLine } = core
  // What the built function gets in Segment, where Node's crypto module is the `crypto` global.
  const deployedHash = core.sha256From(nodeCrypto)
  if (!deployedHash) throw new Error("the core module found no SHA-256 in Node's crypto")
  const bodies = Array.from({ length: Math.max(1, Math.round(PASS_BYTES / delivery.length)) }, () => delivery)
  // Results are kept alive so that the engine cannot drop the work as dead code.
  let sink = 0
  let events = 0
  const codec = (settings: ExportSettings) => (): void => {
    events = 0
    for (const body of bodies) {
      const { calls, summary } = convertDelivery(readDelivery(body, settings))
      events += calls.length
      sink += summaryLine(summary).length
    }
  }
  const json = (): void => {
    for (const body of bodies) sink += JSON.stringify(JSON.parse(body)).length
  }
  // Each alternated with the baseline alone: a third subject's garbage would be collected
  // in the time of whichever ran after it.
  const deployed = await alternate({ json, codec: codec({ ...SETTINGS, hash: deployedHash }) }, ROUNDS, WARMUP_ROUNDS)
  const portable = await alternate({ json, codec: codec(SETTINGS) }, PORTABLE_ROUNDS, WARMUP_ROUNDS)
  if (sink === 0 || events === 0) throw new Error('the codec bench converted nothing')
  const codecMs = spread(deployed.codec).median
  return {
    bytes: bodies.reduce((n, body) => n + body.length, 0),
    deliveries: bodies.length,
    events,
    jsonMs: spread(deployed.json).median,
    codecMs,
    portableMs: spread(portable.codec).median,
    ratio: ratios(deployed.codec, deployed.json),
    portableRatio: ratios(portable.codec, portable.json),
    eventsPerSecond: events / (codecMs / 1000)
  }
}

/** The SDK fixture's exported events, as one delivery. */
function fixtureExportedBody(): string {
  return JSON.stringify(fixture.body.filter((event) => isExportKind(event.kind)))
}

export async function benchCodec(): Promise<CodecResult> {
  const core = await loadBuiltCore()
  return {
    delivery: await benchPayload(core, featureEventsBody().body),
    fixture: await benchPayload(core, fixtureExportedBody())
  }
}

export const codecSection: Section<'codecVsJsonRatio' | 'codecFixtureRatio' | 'eventsPerSecond'> = {
  keys: ['codecVsJsonRatio', 'codecFixtureRatio', 'eventsPerSecond'],
  async run(progress) {
    progress('codec vs JSON: a 512 KiB feature delivery, then the SDK fixture (alternated rounds, CPU time)')
    const { delivery, fixture } = await inChild<CodecResult>(__filename, [])
    const detail = (what: string, r: PayloadResult): string =>
      `codec, ${what}: ${r.deliveries} × ${n(r.bytes / r.deliveries)} bytes, ${n(r.events)} events out per pass; ` +
      `median CPU per pass: conversion ${round(r.codecMs, 1)} ms, JSON ${round(r.jsonMs, 1)} ms; ` +
      `with shared/'s portable SHA-256 ${round(r.portableMs, 1)} ms (${showSpread(r.portableRatio, 2, '×')})`
    return {
      json: {
        codecVsJsonRatio: round(delivery.ratio.median, 2),
        codecFixtureRatio: round(fixture.ratio.median, 2),
        eventsPerSecond: Math.round(delivery.eventsPerSecond)
      },
      rows: [
        {
          key: 'codecVsJsonRatio',
          measure:
            'LaunchDarkly → Segment conversion CPU ÷ JSON.parse + JSON.stringify CPU, one 512 KiB delivery of feature events (as deployed: native SHA-256, 32 KB check, summary line); median (min–max) of rounds',
          value: showSpread(delivery.ratio, 2, '×'),
          bar: `≤ ${TARGETS.codecVsJsonRatio}×`,
          ok: delivery.ratio.median <= TARGETS.codecVsJsonRatio
        },
        {
          key: 'codecFixtureRatio',
          measure: `the same on the captured SDK /bulk request's exported events (${
            fixture.events / fixture.deliveries
          } of 24), repeated to ~1 MB`,
          value: showSpread(fixture.ratio, 2, '×'),
          bar: `≤ ${TARGETS.codecFixtureRatio}×`,
          ok: fixture.ratio.median <= TARGETS.codecFixtureRatio
        },
        {
          key: 'eventsPerSecond',
          measure: 'feature events converted per CPU second (the 512 KiB delivery), one core',
          value: n(delivery.eventsPerSecond)
        }
      ],
      notes: [detail('512 KiB feature delivery', delivery), detail('SDK fixture, exported events', fixture)]
    }
  }
}

if (require.main === module && process.argv[2] === '--child') answerParent(benchCodec)
