// The BUILT source function, in the project's Segment Functions sandbox, on each of the
// worst-case bodies (worst-cases.ts): design §8 wants every delivery "well inside" the
// 5 s an invocation may take, read as at most 500 ms. Wall time, as the sandbox measures
// an invocation: that is what counts against Segment's timeout.

import { loadFunctionFile } from '../../runtime'
import type { Section } from './section'
import { median, n, round } from './stats'
import { TARGETS } from './targets'
import { worstCases } from './worst-cases'

const RUNS = 5
const SETTINGS = { projectId: 'bench-project', environmentId: 'bench-environment' }

export interface BodyResult {
  name: string
  bodyBytes: number
  /** The first invocation of a freshly loaded function: a cold start. */
  coldMs: number
  medianMs: number
  /** Bytes of the answer (the returned summary, or the error's message) and of the longest log line. */
  answerBytes: number
  longestLogBytes: number
}

export interface FunctionResult {
  runs: number
  bodies: BodyResult[]
  /** The slowest body's median. */
  maxBodyMs: number
  slowest: string
}

export async function benchFunction(builtPath: string): Promise<FunctionResult> {
  const bodies: BodyResult[] = []
  for (const { name, body, expect } of worstCases()) {
    const fn = loadFunctionFile(builtPath)
    const durations: number[] = []
    let answerBytes = 0
    let longestLogBytes = 0
    for (let run = 0; run < RUNS; run++) {
      const result = await fn.invoke({ body, headers: { 'content-type': 'application/json' }, url: '/bulk' }, SETTINGS)
      const outcome = result.ok ? { calls: result.calls.length } : { error: result.error.name }
      if (JSON.stringify(outcome) !== JSON.stringify(expect))
        throw new Error(
          `the built function answered ${JSON.stringify(outcome)} to "${name}", expected ${JSON.stringify(expect)}`
        )
      durations.push(result.durationMs)
      answerBytes = Buffer.byteLength(result.ok ? JSON.stringify(result.returned) : result.error.message)
      longestLogBytes = Math.max(0, ...result.logs.map((line) => Buffer.byteLength(line)))
    }
    bodies.push({
      name,
      bodyBytes: Buffer.byteLength(body),
      coldMs: durations[0],
      medianMs: median(durations),
      answerBytes,
      longestLogBytes
    })
  }
  const slowest = bodies.reduce((a, b) => (b.medianMs > a.medianMs ? b : a))
  return { runs: RUNS, bodies, maxBodyMs: slowest.medianMs, slowest: slowest.name }
}

/** The section for `builtPath`: maxBodyMs. */
export function functionSection(builtPath: string): Section<'maxBodyMs'> {
  return {
    keys: ['maxBodyMs'],
    async run(progress) {
      progress('built function in the Segment Functions sandbox, on each worst-case 512 KiB body')
      const fn = await benchFunction(builtPath)
      return {
        json: { maxBodyMs: round(fn.maxBodyMs, 1) },
        rows: [
          {
            key: 'maxBodyMs',
            measure: `built function in the sandbox, slowest of ${fn.bodies.length} worst-case bodies of up to 512 KiB (each the median of ${fn.runs} runs, wall time): "${fn.slowest}"`,
            value: `${round(fn.maxBodyMs, 1)} ms`,
            bar: `≤ ${n(TARGETS.maxBodyMs)} ms`,
            ok: fn.maxBodyMs <= TARGETS.maxBodyMs
          }
        ],
        notes: [
          'worst-case bodies (median ms, cold ms, body bytes, answer bytes, longest log line bytes):',
          ...fn.bodies.map(
            (b) =>
              `  ${b.name.padEnd(52)} ${String(round(b.medianMs, 1)).padStart(7)} ${String(round(b.coldMs, 1)).padStart(
                7
              )} ${n(b.bodyBytes).padStart(8)} ${n(b.answerBytes).padStart(11)} ${n(b.longestLogBytes).padStart(8)}`
          )
        ]
      }
    }
  }
}
