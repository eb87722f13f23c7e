// The local runtime end to end (`npm start`'s server): an HTTP POST of the captured SDK
// /bulk request, through the built function in the sandbox, into the NDJSON sink, until
// the 202. What one SDK flush costs a developer trying the bundle on their machine.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startRuntime } from '../../runtime'
import fixture from '../../__tests__/fixtures/node-server-sdk-bulk.json'
import type { Section } from './section'
import { median, round } from './stats'

const RUNS = 30
const WARMUP = 5

export interface RuntimeResult {
  runs: number
  events: number
  medianMs: number
}

export async function benchRuntime(): Promise<RuntimeResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ld-bench-runtime-'))
  const runtime = await startRuntime({
    config: {
      host: '127.0.0.1',
      port: 0,
      settings: { projectId: 'bench-project', environmentId: 'bench-environment' },
      dataDir
    },
    log: () => undefined
  })
  const body = JSON.stringify(fixture.body)
  const durations: number[] = []
  try {
    for (let run = 0; run < WARMUP + RUNS; run++) {
      const started = performance.now()
      const res = await fetch(`${runtime.url}/bulk`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/json' }
      })
      await res.text()
      if (res.status !== 202) throw new Error(`the runtime answered ${res.status} to the SDK fixture`)
      if (run >= WARMUP) durations.push(performance.now() - started)
    }
  } finally {
    await runtime.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return { runs: RUNS, events: fixture.body.length, medianMs: median(durations) }
}

/** No key: a note on what one SDK flush costs through `npm start`. */
export const runtimeSection: Section<never> = {
  keys: [],
  async run(progress) {
    progress('local runtime: the SDK fixture posted over HTTP to /bulk, into the NDJSON sink')
    const local = await benchRuntime()
    return {
      json: {},
      rows: [],
      notes: [
        `local runtime (npm start): one SDK /bulk delivery (${local.events} events) over HTTP to the 202, median of ${
          local.runs
        }: ${round(local.medianMs, 2)} ms`
      ]
    }
  }
}
