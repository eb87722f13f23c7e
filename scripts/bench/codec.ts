// The core module's LaunchDarkly → Segment conversion against plain JSON, on the real SDK
// /bulk payload (design §8: at most 3× JSON.parse + JSON.stringify of the same text).
//
// One delivery may be at most 512 KiB, so "about 1 MB of payload" is the fixture's body
// repeated as separate deliveries, as an SDK flushing 160-odd times would send it. Each
// delivery is converted exactly as the deployed function does it (readDelivery, then
// convertDelivery) with no variation-name lookups configured.

import { createHash } from 'node:crypto'
import fixture from '../../__tests__/fixtures/node-server-sdk-bulk.json'
import { convertDelivery, readDelivery } from '../../shared'
import type { Hash } from '../../shared'
import { median, timeMs } from './stats'

export const TARGET_BYTES = 1_000_000
const SETTINGS = { projectId: 'bench-project', environmentId: 'bench-environment' }
const WARMUP_ROUNDS = 5
const ROUNDS = 21

/** What the built function passes in Segment, where Node's crypto is a global. */
export const nativeSha256: Hash = (text) => createHash('sha256').update(text).digest('hex')

export interface CodecResult {
  bytes: number
  deliveries: number
  /** Segment calls out per pass over the payload (the fixture's feature and custom events). */
  exportedEvents: number
  jsonMs: number
  nativeMs: number
  portableMs: number
  /** codec (native SHA-256, as deployed) / JSON. */
  ratio: number
  /** codec (shared/'s portable SHA-256, the default) / JSON. */
  portableRatio: number
  /** Exported events per second, native hash, one core. */
  eventsPerSecond: number
}

export function benchCodec(): CodecResult {
  const text = JSON.stringify(fixture.body)
  const deliveries = Math.round(TARGET_BYTES / text.length)
  const bodies = Array.from({ length: deliveries }, () => text)

  let exported = 0
  const codec = (hash: Hash | undefined) => (): void => {
    exported = 0
    const settings = hash ? { ...SETTINGS, hash } : SETTINGS
    for (const body of bodies) exported += convertDelivery(readDelivery(body, settings)).calls.length
  }
  // The baseline's result is kept alive so the engine cannot drop the work as dead code.
  let sink = 0
  const json = (): void => {
    for (const body of bodies) sink += JSON.stringify(JSON.parse(body)).length
  }
  const subjects = { json, native: codec(nativeSha256), portable: codec(undefined) }
  const samples: Record<keyof typeof subjects, number[]> = { json: [], native: [], portable: [] }
  const order = Object.keys(subjects) as Array<keyof typeof subjects>

  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    // Interleaved, in a rotating order, so drift (frequency scaling, GC debt) hits all three alike.
    for (let k = 0; k < order.length; k++) {
      const name = order[(round + k) % order.length]
      const ms = timeMs(subjects[name])
      if (round >= WARMUP_ROUNDS) samples[name].push(ms)
    }
  }
  if (sink === 0 || exported === 0) throw new Error('codec bench converted nothing')

  const jsonMs = median(samples.json)
  const nativeMs = median(samples.native)
  const portableMs = median(samples.portable)
  return {
    bytes: bodies.reduce((n, body) => n + body.length, 0),
    deliveries,
    exportedEvents: exported,
    jsonMs,
    nativeMs,
    portableMs,
    ratio: nativeMs / jsonMs,
    portableRatio: portableMs / jsonMs,
    eventsPerSecond: exported / (nativeMs / 1000)
  }
}
