/**
 * `npm run bench` (design §8): builds, then measures the bundle against its limits and its
 * peer, side by side in one run. Prints a table; with `-- --json`, also one JSON object
 * on the last line with exactly the keys listed in KEYS.
 *
 * Writes nothing outside dist/ (only when it has not been built) and .data/ (the peer's
 * one-time install, see bench/peer.ts); all HTTP goes to nock, never the network. A benchmark script, not a test: timings vary
 * from machine to machine, so nothing here asserts on them; the ratios compare
 * measurements taken in the same process, interleaved where they can be.
 */
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { buildSource } from '../build'
import { benchCodec } from './codec'
import { benchDestinations, EVENTS } from './destination'
import { benchFunction } from './function'
import { loadPeer, PEER_PACKAGE, PEER_VERSION } from './peer'
import { benchReplay } from './replay'
import { benchRuntime } from './runtime'
import { round } from './stats'

const BUILT = path.join(__dirname, '..', '..', 'dist', 'sources', 'launchdarkly.js')

/** design §8's bars, shown beside the numbers ("well inside" 5 s is read as a tenth of it). */
const TARGETS = { ratio: 3, bundleBytes: 40_000, bodyMs: 5000 }

export const KEYS = [
  'codecVsJsonRatio',
  'eventsPerSecond',
  'bundleBytes',
  'maxBodyMs',
  'requestsPer10k',
  'peerRequestsPer10k',
  'peerVsOursCpuRatio',
  'replayEventsPerSecond',
  'replayPeakRssMb'
] as const
export type BenchJson = Record<(typeof KEYS)[number], number | null>

const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`)
}

async function main(): Promise<void> {
  const asJson = process.argv.includes('--json')
  const started = Date.now()

  // `npm run bench` builds first; run directly (tsx scripts/bench.ts), build when missing.
  if (!existsSync(BUILT)) await buildSource()
  const bundleBytes = statSync(BUILT).size

  progress(`loading the peer (${PEER_PACKAGE}@${PEER_VERSION}; installed into .data/bench-peer on first use)`)
  const peerLoad = loadPeer(progress)
  const peerNote = peerLoad.ok ? undefined : `peer unavailable, its keys are null: ${peerLoad.reason}`
  if (peerNote) progress(peerNote)
  else if (peerLoad.ok && peerLoad.installed)
    progress(`peer installed in ${round(peerLoad.installMs / 1000, 1)} s (not counted in the bench time)`)
  // The one-time install is reported apart: it is not part of what the bench measures.
  const benchStarted = started + (peerLoad.ok ? peerLoad.installMs : 0)

  progress('codec vs JSON (about 1 MB of the SDK fixture, interleaved rounds)')
  const codec = benchCodec()
  progress('built function on a 512 KiB delivery, in the Segment Functions sandbox')
  const fn = await benchFunction(BUILT)
  progress(
    `destinations: ${EVENTS} track calls, ours (performBatch) ${
      peerLoad.ok ? 'and the peer (one request per event)' : 'only'
    }`
  )
  const dest = await benchDestinations(peerLoad.ok ? peerLoad.peer : null)
  progress('local runtime: the SDK fixture posted over HTTP to /bulk, into the NDJSON sink')
  const local = await benchRuntime()
  progress('replay: a generated archive of 200,000 records to --to ndjson, three runs in processes of their own')
  const replayed = await benchReplay()

  const json: BenchJson = {
    codecVsJsonRatio: round(codec.ratio, 2),
    eventsPerSecond: Math.round(codec.eventsPerSecond),
    bundleBytes,
    maxBodyMs: round(fn.medianMs, 1),
    requestsPer10k: Math.round((dest.ours.requests * 10_000) / EVENTS),
    peerRequestsPer10k: dest.peer ? Math.round((dest.peer.requests * 10_000) / EVENTS) : null,
    peerVsOursCpuRatio: dest.peer ? round(dest.peer.cpuMs / dest.ours.cpuMs, 1) : null,
    ...replayed.json
  }

  const ok = (pass: boolean): string => (pass ? 'ok' : 'MISSED')
  const n = (value: number): string => value.toLocaleString('en-US')
  const bodyBar = TARGETS.bodyMs / 10
  const rows: string[][] = [
    ['key', 'measure', 'value', 'design §8 bar', ''],
    [
      'codecVsJsonRatio',
      'LaunchDarkly → Segment conversion time ÷ JSON.parse + JSON.stringify time, same ~1 MB SDK payload (native SHA-256, as deployed)',
      `${json.codecVsJsonRatio}×`,
      `≤ ${TARGETS.ratio}×`,
      ok(codec.ratio <= TARGETS.ratio)
    ],
    [
      'eventsPerSecond',
      'LaunchDarkly → Segment events converted per second, one core',
      n(codec.eventsPerSecond | 0),
      '',
      ''
    ],
    [
      'bundleBytes',
      'size of dist/sources/launchdarkly.js',
      n(bundleBytes),
      `≤ ${n(TARGETS.bundleBytes)}`,
      ok(bundleBytes <= TARGETS.bundleBytes)
    ],
    [
      'maxBodyMs',
      `built function in the sandbox, one 512 KiB delivery of feature events (median of ${fn.runs} runs)`,
      `${json.maxBodyMs} ms`,
      `well inside ${n(TARGETS.bodyMs)} ms`,
      ok(fn.medianMs <= bodyBar)
    ],
    [
      'requestsPer10k',
      `requests our destination sends for ${n(EVENTS)} events (performBatch, default batch_size)`,
      n(dest.ours.requests),
      `${Math.ceil(EVENTS / 100)}`,
      ok(dest.ours.requests === Math.ceil(EVENTS / 100))
    ],
    [
      'peerRequestsPer10k',
      `requests Segment's LaunchDarkly destination sends for the same events (trackEvent)`,
      dest.peer ? n(dest.peer.requests) : 'n/a',
      '',
      ''
    ],
    [
      'peerVsOursCpuRatio',
      "CPU time of Segment's LaunchDarkly destination ÷ ours, same events, same run",
      json.peerVsOursCpuRatio === null ? 'n/a' : `${json.peerVsOursCpuRatio}×`,
      '',
      ''
    ],
    ...replayed.rows
  ]
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  const line = (r: string[]): string => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |'
  const table = [line(rows[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)]
  console.log(table.join('\n'))
  console.log('')
  console.log(
    `codec: ${codec.deliveries} deliveries of the SDK fixture (${n(codec.bytes)} bytes, ${n(
      codec.exportedEvents
    )} events out); median per pass: conversion ${round(codec.nativeMs, 1)} ms, JSON ${round(
      codec.jsonMs,
      1
    )} ms; with shared/'s portable SHA-256 instead ${round(codec.portableMs, 1)} ms (${round(codec.portableRatio, 2)}×)`
  )
  console.log(
    `512 KiB delivery: ${n(fn.bodyBytes)} bytes, ${n(fn.events)} feature events, all emitted; cold start ${round(
      fn.coldMs,
      1
    )} ms, slowest ${round(fn.maxMs, 1)} ms`
  )
  console.log(
    `destinations, ${n(EVENTS)} track calls through nock: ours ${n(dest.ours.requests)} requests, ${n(
      Math.round(dest.ours.cpuMs)
    )} ms CPU; ` +
      (dest.peer
        ? `${PEER_PACKAGE}@${PEER_VERSION} launchdarkly ${n(dest.peer.requests)} requests, ${n(
            Math.round(dest.peer.cpuMs)
          )} ms CPU`
        : 'peer n/a')
  )
  console.log(
    `local runtime (npm start): one SDK /bulk delivery (${local.events} events) over HTTP to the 202, median of ${
      local.runs
    }: ${round(local.medianMs, 2)} ms`
  )
  console.log(replayed.detail)
  if (peerNote) console.log(`\nNote: ${peerNote}`)
  console.log(
    `\nNode ${process.version}, ${process.platform}/${process.arch}; bench time ${round(
      (Date.now() - benchStarted) / 1000,
      1
    )} s (total ${round((Date.now() - started) / 1000, 1)} s)`
  )
  // The replacer list pins the keys and their order: exactly KEYS, nothing else.
  if (asJson) console.log(JSON.stringify(json, [...KEYS]))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
