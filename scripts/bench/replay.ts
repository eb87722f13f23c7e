// `npm run replay` on a generated archive of 200,000 Data Export records to --to ndjson:
// events per CPU second and peak memory; then the same archive to --to segment, posted by
// the outbox to a Segment stand-in in this process on 127.0.0.1. Each run is a child
// process of its own, so its peak RSS is the replay's alone, and its CPU time is taken
// around the replay (process start and TypeScript loading excluded). Run as `tsx
// scripts/bench/replay.ts --child <archive> ndjson <output>` (or `segment <host> <data
// dir>`), this file is that child.

import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { writeArchive } from '../../__tests__/scripts/replay/archive'
import { DEFAULT_RETRY } from '../replay/retry'
import { replay, TargetSpec } from '../replay/run'
import { readSettings } from '../../sources/launchdarkly/settings'
import { answerParent, inChild } from './child'
import type { Section } from './section'
import { median, n, round } from './stats'
import { TARGETS } from './targets'

export const REPLAY_RECORDS = 200_000
const RUNS = 3

interface ChildResult {
  events: number
  cpuMs: number
  wallMs: number
  peakRssMb: number
}

type Key = 'replayEventsPerSecond' | 'replayPeakRssMb' | 'replaySegmentEventsPerSecond' | 'replaySegmentPeakRssMb'

export const replaySection: Section<Key> = {
  keys: ['replayEventsPerSecond', 'replayPeakRssMb', 'replaySegmentEventsPerSecond', 'replaySegmentPeakRssMb'],
  async run(progress) {
    progress(
      `replay: a generated archive of ${n(
        REPLAY_RECORDS
      )} records to --to ndjson and --to segment (a stand-in), ${RUNS} runs each in processes of their own`
    )
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-replay-'))
    const results: ChildResult[] = []
    const toSegment: ChildResult[] = []
    const segment = await segmentStandIn()
    try {
      const archive = path.join(dir, 'archive.ndjson')
      writeArchive(archive, REPLAY_RECORDS)
      for (let run = 0; run < RUNS; run++) {
        results.push(await child(archive, ['ndjson', path.join(dir, `out-${run}.ndjson`)]))
        toSegment.push(await child(archive, ['segment', segment.url, path.join(dir, `data-${run}`)]))
      }
    } finally {
      await segment.close()
      rmSync(dir, { recursive: true, force: true })
    }
    const rates = results.map((r) => (r.events * 1000) / r.cpuMs)
    const rss = results.map((r) => r.peakRssMb)
    const segmentRates = toSegment.map((r) => (r.events * 1000) / r.cpuMs)
    const segmentWallRates = toSegment.map((r) => (r.events * 1000) / r.wallMs)
    const segmentRss = toSegment.map((r) => r.peakRssMb)
    const json = {
      replayEventsPerSecond: Math.round(median(rates)),
      replayPeakRssMb: Math.round(median(rss)),
      replaySegmentEventsPerSecond: Math.round(median(segmentRates)),
      replaySegmentPeakRssMb: Math.round(median(segmentRss))
    }
    return {
      json,
      rows: [
        {
          key: 'replayEventsPerSecond',
          measure: `npm run replay, ${n(
            REPLAY_RECORDS
          )} generated Data Export records to --to ndjson, per CPU second (median of ${RUNS})`,
          value: n(json.replayEventsPerSecond),
          bar: `≥ ${n(TARGETS.replayEventsPerSecond)}`,
          ok: json.replayEventsPerSecond >= TARGETS.replayEventsPerSecond
        },
        {
          key: 'replayPeakRssMb',
          measure: 'peak RSS of that replay process, MB (median)',
          value: n(json.replayPeakRssMb),
          bar: `≤ ${TARGETS.replayPeakRssMb}`,
          ok: json.replayPeakRssMb <= TARGETS.replayPeakRssMb
        },
        {
          key: 'replaySegmentEventsPerSecond',
          measure: `the same to --to segment, through the outbox to a local Segment stand-in, per CPU second of the replay (median of ${RUNS})`,
          value: n(json.replaySegmentEventsPerSecond)
        },
        {
          key: 'replaySegmentPeakRssMb',
          measure: 'peak RSS of that replay process, MB (median)',
          value: n(json.replaySegmentPeakRssMb),
          bar: `≤ ${TARGETS.replayPeakRssMb}`,
          ok: json.replaySegmentPeakRssMb <= TARGETS.replayPeakRssMb
        }
      ],
      notes: [
        `replay: ${n(REPLAY_RECORDS)} records, ${RUNS} runs: ${list(rates)} events per CPU second; peak RSS ${list(
          rss
        )} MB`,
        `replay --to segment: ${list(segmentRates)} events per CPU second, ${list(
          segmentWallRates
        )} per second of wall-clock time; peak RSS ${list(segmentRss)} MB`
      ]
    }
  }
}

const list = (values: readonly number[]): string => values.map((value) => n(Math.round(value))).join(', ')

/** Segment's batch API as cheaply as can be: each body read and dropped, 200. */
async function segmentStandIn(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end('{"success":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** One replay in a process of its own; `target`: `ndjson <output>` or `segment <host> <data dir>`. */
/** One replay in a process of its own. */
function child(archive: string, target: string[]): Promise<ChildResult> {
  return inChild<ChildResult>(__filename, [archive, ...target])
}

async function runChild([archive, ...target]: string[]): Promise<ChildResult> {
  const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream
  const spec: TargetSpec =
    target[0] === 'segment'
      ? { kind: 'segment', writeKey: 'bench-write-key', host: target[1], dataDir: target[2] }
      : { kind: 'ndjson', path: target[1] }
  const started = Date.now()
  const before = process.cpuUsage()
  const summary = await replay(
    {
      inputs: [archive],
      target: spec,
      dryRun: false,
      resume: false,
      retry: DEFAULT_RETRY,
      settings: readSettings({})
    },
    { stderr: quiet }
  )
  const used = process.cpuUsage(before)
  const wallMs = Date.now() - started
  if (summary.sent !== REPLAY_RECORDS) throw new Error(`the replay sent ${summary.sent} of ${REPLAY_RECORDS} events`)
  return {
    events: summary.sent,
    cpuMs: (used.user + used.system) / 1000,
    wallMs,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1)
  }
}

if (require.main === module && process.argv[2] === '--child') answerParent(runChild)
