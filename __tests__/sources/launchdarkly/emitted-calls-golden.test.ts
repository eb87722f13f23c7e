// Every byte the BUILT function emits stays what it was (issue 22): the JSON text of each
// Segment call, what onRequest answers (its summary, or its error's class and message)
// and its log lines, for both fixtures, every source case of the adversarial corpus and
// the generated deliveries (generated-deliveries.ts). emitted-calls.golden.json was
// written by the function before its conversion was rewritten for speed; a difference
// here is a changed message in every warehouse downstream. message-ids.golden.json, older,
// holds the ids alone.
//
// To rewrite the file after a change of output made on purpose (and said so in the commit):
// WRITE_EMITTED_CALLS_GOLDEN=1 npx jest __tests__/sources/launchdarkly/emitted-calls-golden.test.ts

import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadFunction } from '../../../runtime/sandbox/instance'
import type { InvocationResult } from '../../../runtime/sandbox/instance'
import { standIn, StandIn } from '../../stand-in'
import { corpusInputs, Input } from './corpus-inputs'
import { generatedDeliveries } from './generated-deliveries'
import { BUILT, ensureBuilt, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const GOLDEN = path.join(__dirname, '..', '..', 'fixtures', 'emitted-calls.golden.json')
const WRITE = process.env.WRITE_EMITTED_CALLS_GOLDEN === '1'

/** Calls listed in full up to this much text; beyond it, counted, with the first, the last and a digest of all. */
const LISTED_CHARS = 24_000

type Calls = string[] | { count: number; first: string; last: string; sha256: string }

interface Emitted {
  /** What onRequest resolved to, or the error it failed with. */
  readonly answer: { returned: unknown } | { error: unknown }
  readonly logs: readonly string[]
  /** `<type> <message JSON>` per call, in order. */
  readonly calls: Calls
}

function emitted(result: InvocationResult): Emitted {
  const texts = result.calls.map((call) => `${call.type} ${call.json ?? JSON.stringify(call.message)}`)
  const chars = texts.reduce((n, text) => n + text.length, 0)
  const calls =
    chars <= LISTED_CHARS
      ? texts
      : {
          count: texts.length,
          first: texts[0],
          last: texts[texts.length - 1],
          sha256: createHash('sha256').update(texts.join('\n')).digest('hex')
        }
  const answer = result.ok ? { returned: result.returned } : { error: result.error }
  return { answer, logs: result.logs, calls }
}

/** Every flag's variations, named for the deliveries that look names up; flag-3 has none. */
async function namesApi(): Promise<StandIn> {
  return standIn((request) => {
    const flag = /^\/api\/v2\/flags\/default\/([^/?]+)$/.exec(request.path)?.[1]
    if (flag === undefined || flag === 'flag-3') return { status: 404, body: { message: 'Unknown resource' } }
    const variations = [0, 1, 2, 3].map((i) => ({
      _id: `v${i}`,
      value: i,
      name: i === 2 ? '' : `${flag} · vär|%${i} 😀`
    }))
    return { status: 200, body: { key: flag, variations } }
  })
}

/**
 * The crypto the function finds, as a line run before it: Node's module (as in Segment),
 * one without the one-shot `hash` (Node before 20.12), or none (shared/'s own SHA-256).
 */
const CRYPTO_VARIANTS = {
  node: '',
  'createHash only': 'crypto = { createHash: crypto.createHash.bind(crypto) };',
  none: 'crypto = undefined;'
} as const

async function emittedByInput(
  inputs: readonly Input[],
  variant: keyof typeof CRYPTO_VARIANTS = 'node'
): Promise<Record<string, Emitted>> {
  await ensureBuilt()
  const code = CRYPTO_VARIANTS[variant] + readFileSync(BUILT, 'utf8')
  const api = await namesApi()
  try {
    const out: Record<string, Emitted> = {}
    for (const input of inputs) {
      const settings = lookupSettings(input, api.url)
      // A cold function per input, as a first delivery meets it.
      const result = await loadFunction(code, { filename: 'launchdarkly.js' }).invoke(input.delivery, settings)
      out[input.name] = emitted(result)
    }
    return out
  } finally {
    await api.close()
  }
}

const LOOKUP = new Set(generatedDeliveries().flatMap((d) => (d.lookup ? [d.name] : [])))

function lookupSettings(input: Input, apiUrl: string): Input['settings'] {
  if (!LOOKUP.has(input.name)) return input.settings
  return { ...input.settings, accessToken: 'api-token-golden', projectKey: 'default', apiBaseUrl: apiUrl }
}

const generatedInputs = (): Input[] =>
  generatedDeliveries().map(({ name, delivery, settings }) => ({ name, delivery, settings }))

const readGolden = (): Record<string, Emitted> => JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Emitted>

test('every fixture, corpus case and generated delivery emits exactly what it did, byte for byte', async () => {
  const today = await emittedByInput([...corpusInputs(), ...generatedInputs()])
  if (WRITE) writeFileSync(GOLDEN, JSON.stringify(today, null, 1) + '\n')
  expect(existsSync(GOLDEN)).toBe(true)
  const golden = readGolden()
  expect(Object.keys(today)).toEqual(Object.keys(golden))
  for (const name of Object.keys(golden)) expect({ name, ...today[name] }).toEqual({ name, ...golden[name] })
}, 120_000)

test.each(['createHash only', 'none'] as const)(
  'the generated deliveries emit the same with crypto: %s',
  async (variant) => {
    const golden = readGolden()
    for (const [name, today] of Object.entries(await emittedByInput(generatedInputs(), variant)))
      expect({ name, ...today }).toEqual({ name, ...golden[name] })
  },
  120_000
)

test('the generated deliveries emit calls, reject events and look names up', async () => {
  const generated = Object.entries(readGolden()).filter(([name]) => name.startsWith('generated: '))
  const countOf = (calls: Calls): number => (Array.isArray(calls) ? calls.length : calls.count)
  const text = JSON.stringify(generated)
  expect(generated.reduce((n, [, e]) => n + countOf(e.calls), 0)).toBeGreaterThan(300)
  // Each kind of call, a rejection, a repeat's count, a looked-up name and a nesting refusal.
  for (const needle of ['"track ', '"page ', '"alias ', 'rejected', 'vär|%', 'nested more than 100 levels'])
    expect(text).toContain(needle)
})
