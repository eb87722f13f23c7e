// `npm run replay` on a generated archive of 200,000 Data Export records to --to ndjson:
// events per CPU second and peak memory. Each run is a child process of its own, so its
// peak RSS is the replay's alone, and its CPU time is taken around the replay (process
// start and TypeScript loading excluded). Run as `tsx scripts/bench/replay.ts --child
// <archive> <output>`, this file is that child.

import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { writeArchive } from '../../__tests__/scripts/replay/archive'
import { DEFAULT_RETRY } from '../replay/retry'
import { replay } from '../replay/run'
import { readSettings } from '../../sources/launchdarkly/settings'
import type { Section } from './section'
import { median, n, round } from './stats'
import { TARGETS } from './targets'

export const REPLAY_RECORDS = 200_000
const RUNS = 3

interface ChildResult {
  events: number
  cpuMs: number
  peakRssMb: number
}

export const replaySection: Section<'replayEventsPerSecond' | 'replayPeakRssMb'> = {
  keys: ['replayEventsPerSecond', 'replayPeakRssMb'],
  async run(progress) {
    progress(
      `replay: a generated archive of ${n(
        REPLAY_RECORDS
      )} records to --to ndjson, ${RUNS} runs in processes of their own`
    )
    const dir = mkdtempSync(path.join(tmpdir(), 'ld-bench-replay-'))
    const results: ChildResult[] = []
    try {
      const archive = path.join(dir, 'archive.ndjson')
      writeArchive(archive, REPLAY_RECORDS)
      for (let run = 0; run < RUNS; run++) results.push(await child(archive, path.join(dir, `out-${run}.ndjson`)))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    const rates = results.map((r) => (r.events * 1000) / r.cpuMs)
    const rss = results.map((r) => r.peakRssMb)
    const json = { replayEventsPerSecond: Math.round(median(rates)), replayPeakRssMb: Math.round(median(rss)) }
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
        }
      ],
      notes: [
        `replay: ${n(REPLAY_RECORDS)} records, ${RUNS} runs: ${rates
          .map((rate) => n(Math.round(rate)))
          .join(', ')} events per CPU second; peak RSS ${rss.map((mb) => n(Math.round(mb))).join(', ')} MB`
      ]
    }
  }
}

/** One replay in a process of its own. */
function child(archive: string, output: string): Promise<ChildResult> {
  const loader = pathToFileURL(require.resolve('tsx')).href
  const proc = spawn(process.execPath, ['--import', loader, __filename, '--child', archive, output], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let stdout = ''
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  return new Promise((resolve, reject) => {
    proc.on('error', reject)
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the replay bench child exited with ${code}`))
      else resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as ChildResult)
    })
  })
}

async function runChild(archive: string, output: string): Promise<void> {
  const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream
  const before = process.cpuUsage()
  const summary = await replay(
    {
      inputs: [archive],
      target: { kind: 'ndjson', path: output },
      dryRun: false,
      resume: false,
      concurrency: 1,
      retry: DEFAULT_RETRY,
      settings: readSettings({})
    },
    { stderr: quiet }
  )
  const used = process.cpuUsage(before)
  if (summary.sent !== REPLAY_RECORDS) throw new Error(`the replay sent ${summary.sent} of ${REPLAY_RECORDS} events`)
  const result: ChildResult = {
    events: summary.sent,
    cpuMs: (used.user + used.system) / 1000,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024, 1)
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

if (require.main === module && process.argv[2] === '--child') {
  runChild(process.argv[3], process.argv[4]).catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
