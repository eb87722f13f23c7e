/**
 * `npm run bench` (design §8): builds, then measures the bundle against its bars and its
 * peer, side by side in one run. Prints a table; with `-- --json`, also one JSON object
 * on the last line with every key of every section, in order.
 *
 * Each measurement is a Section (section.ts) in its own module; adding one is an import
 * and an entry in SECTIONS. Writes nothing outside dist/ (only when it has not been built)
 * and .data/ (the peer's one-time install, see peer.ts); all HTTP goes to nock or
 * 127.0.0.1, never the network. A benchmark script, not a test: timings vary from machine
 * to machine, so nothing here asserts on them; the ratios compare CPU times taken in the
 * same process, alternated round by round.
 */
import { existsSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildFunction, DESTINATION_FUNCTION, FunctionBuild, SOURCE_FUNCTION } from '../build'
import { codecSection } from './codec'
import { destinationSection } from './destination'
import { functionSection } from './function'
import { relaySection } from './relay'
import { replaySection } from './replay'
import { runtimeSection } from './runtime'
import type { Row, Section } from './section'
import { realmSection } from './realm'
import { n, round } from './stats'

const DIST = path.join(__dirname, '..', '..', 'dist')
const BUILT = path.join(DIST, `${SOURCE_FUNCTION.output}.js`)

/** Bytes of a built function; `npm run bench` builds first, and run directly (tsx scripts/bench/index.ts) it builds when missing. */
async function builtBytes(fn: FunctionBuild): Promise<number> {
  const file = path.join(DIST, `${fn.output}.js`)
  if (!existsSync(file)) await buildFunction(fn)
  return statSync(file).size
}

const bundleSection: Section<'bundleBytes' | 'destinationBundleBytes'> = {
  keys: ['bundleBytes', 'destinationBundleBytes'],
  async run() {
    const sizes = [
      ['bundleBytes', SOURCE_FUNCTION],
      ['destinationBundleBytes', DESTINATION_FUNCTION]
    ] as const
    const rows = await Promise.all(sizes.map(async ([key, fn]) => ({ key, fn, bytes: await builtBytes(fn) })))
    return {
      json: { bundleBytes: rows[0].bytes, destinationBundleBytes: rows[1].bytes },
      rows: rows.map(({ key, fn, bytes }) => ({
        key,
        measure: `size of dist/${fn.output}.js`,
        value: n(bytes),
        bar: `≤ ${n(fn.budgetBytes)}`,
        ok: bytes <= fn.budgetBytes
      })),
      notes: []
    }
  }
}

const SECTIONS: readonly Section[] = [
  codecSection,
  realmSection,
  bundleSection,
  functionSection(BUILT),
  destinationSection,
  runtimeSection,
  relaySection,
  replaySection
]

const KEYS = SECTIONS.flatMap((section) => section.keys)

const progress = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`)
}

function table(rows: readonly Row[]): string {
  const cells = [
    ['key', 'measure', 'value', 'bar', ''],
    ...rows.map((r) => [r.key, r.measure, r.value, r.bar ?? '', r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED'])
  ]
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)))
  const line = (r: string[]): string => '| ' + r.map((cell, c) => cell.padEnd(widths[c])).join(' | ') + ' |'
  return [line(cells[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...cells.slice(1).map(line)].join(
    '\n'
  )
}

async function main(): Promise<void> {
  const asJson = process.argv.includes('--json')
  const started = Date.now()
  const json: Record<string, number | null> = {}
  const rows: Row[] = []
  const notes: string[] = []
  let setupMs = 0
  for (const section of SECTIONS) {
    const result = await section.run(progress)
    for (const key of section.keys) json[key] = result.json[key]
    rows.push(...result.rows)
    notes.push(...result.notes)
    setupMs += result.setupMs ?? 0
  }
  const seconds = (ms: number): number => round(ms / 1000, 1)
  const elapsed = Date.now() - started
  console.log(table(rows))
  console.log('')
  for (const note of notes) console.log(note)
  const cpus = os.cpus()
  console.log(
    `\nNode ${process.version}, ${process.platform}/${process.arch}, ${cpus.length} × ${
      cpus[0]?.model ?? 'unknown CPU'
    }; ` +
      `load average ${os
        .loadavg()
        .map((l) => round(l, 2))
        .join(' ')} at the end; ` +
      `bench time ${seconds(elapsed - setupMs)} s (total ${seconds(elapsed)} s)`
  )
  // The replacer list pins the keys and their order.
  if (asJson) console.log(JSON.stringify(json, KEYS))
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
