// The built function is as fast in any JavaScript realm (issue 22): how Segment's runtime
// loads a function is not documented, and in a `vm` context made from an object
// ("contextified") every read of a global goes through an interceptor (about 0.3 µs, as
// much as converting a small event). So the bundle reads the language's built-ins once,
// when it loads (shared/lib/builtins.ts), and a delivery reads none: here every global of
// such a context is a getter that counts its reads.

import { readFileSync } from 'node:fs'
import * as nodeCrypto from 'node:crypto'
import * as vm from 'node:vm'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { BUILT, ensureBuilt } from './helpers'

const SETTINGS = { projectId: 'proj-1', environmentId: 'env-1', includeCustomData: true }

interface Counted {
  invoke(body: string, settings?: object): Promise<{ ok: boolean; calls: number }>
  /** Runs other code in the same context. */
  run(code: string): unknown
  /** Reads since the last invocation or run began, by global name. */
  reads: Map<string, number>
}

/** The built function in a contextified context whose globals each count their reads. */
async function countedFunction(): Promise<Counted> {
  await ensureBuilt()
  const sandbox: Record<string, unknown> = {}
  const context = vm.createContext(sandbox)
  const reads = new Map<string, number>()
  const counting = (name: string, value: unknown): void => {
    Object.defineProperty(sandbox, name, {
      get() {
        reads.set(name, (reads.get(name) ?? 0) + 1)
        return value
      },
      configurable: true
    })
  }
  // The language's own globals (Array, Object, JSON, Math, ...), as the context has them.
  const realm = vm.runInContext('globalThis', context) as Record<string, unknown>
  for (const name of vm.runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[])
    counting(name, realm[name])
  // Segment's runtime objects, read at call time by design (they belong to the runtime).
  const calls: unknown[] = []
  const segment = {
    track: (m: unknown) => calls.push(m),
    page: (m: unknown) => calls.push(m),
    alias: (m: unknown) => calls.push(m)
  }
  const quiet = (): void => undefined
  for (const [name, value] of Object.entries({
    Segment: segment,
    crypto: nodeCrypto,
    console: { log: quiet, warn: quiet }
  }))
    counting(name, value)
  vm.runInContext(
    'class InvalidEventPayload extends Error {}; class ValidationError extends Error {}; class RetryError extends Error {}; class EventNotSupported extends Error {};',
    context
  )
  vm.runInContext(readFileSync(BUILT, 'utf8'), context, { filename: 'launchdarkly.js' })
  // The caller's own reads (JSON, onRequest) happen here, once, not in the delivery.
  const call = vm.runInContext(
    `(() => {
      const parse = JSON.parse
      const handler = onRequest
      return (body, settings) => handler({ headers: { get: () => null }, url: 'http://127.0.0.1/bulk', text: async () => body }, parse(settings))
    })()`,
    context
  ) as (body: string, settings: string) => Promise<unknown>
  return {
    reads,
    run(code) {
      reads.clear()
      return vm.runInContext(code, context) as unknown
    },
    async invoke(body, settings = SETTINGS) {
      const json = JSON.stringify(settings)
      calls.length = 0
      reads.clear()
      const ok = await call(body, json).then(
        () => true,
        () => false
      )
      return { ok, calls: calls.length }
    }
  }
}

const RUNTIME_GLOBALS = new Set(['Segment', 'crypto', 'console'])

function readsOf(reads: Map<string, number>): { builtIns: Record<string, number>; runtime: number } {
  const builtIns: Record<string, number> = {}
  let runtime = 0
  for (const [name, count] of reads) {
    if (RUNTIME_GLOBALS.has(name)) runtime += count
    else builtIns[name] = count
  }
  return { builtIns, runtime }
}

/** Every exported kind, an alias, records with ids, skipped kinds and rejected elements, `n` times over. */
function mixedBody(n: number): string {
  const elements: unknown[] = []
  for (let i = 0; i < n; i++) {
    const event = fixture.body[i % fixture.body.length]
    elements.push({ ...event, creationDate: (event.creationDate ?? 0) + i * 1001 })
    elements.push({
      environment: 'env-r',
      project: 'proj-r',
      event: {
        kind: 'custom',
        creationDate: 1e12 + i,
        key: 'k',
        id: `id-${i}`,
        contextKeys: { user: `u|${i}` },
        data: { é: [i, 1.5e-7, null] }
      }
    })
    elements.push({ kind: 'alias', creationDate: 1e12 + i, key: `known-${i}`, previousKey: `anonymous-${i}` })
    elements.push({
      kind: 'click',
      creationDate: 1e12 + i,
      contextKeys: { user: 'u' },
      key: 'goal',
      url: 'https://example.com/',
      selector: '#a'
    })
    elements.push({
      kind: 'pageview',
      creationDate: 1e12 + i,
      context: { kind: 'multi', org: { key: 'o' }, device: { key: `d${i}` } },
      key: 'page',
      url: 'https://example.com/'
    })
    // Rejected: not an object, no kind, an unknown kind, no context, a bad creationDate.
    elements.push(
      0,
      {},
      { kind: `unknown-${i}` },
      { kind: 'custom', key: 'k' },
      { kind: 'custom', key: 'k', userKey: 'u', creationDate: 'x' }
    )
  }
  return JSON.stringify(elements)
}

test("a delivery reads no built-in global, and the runtime's objects a few times whatever its size", async () => {
  const fn = await countedFunction()
  const small = await fn.invoke(mixedBody(1))
  const smallReads = readsOf(fn.reads)
  const large = await fn.invoke(mixedBody(300))
  const largeReads = readsOf(fn.reads)
  // Four calls per round, and the fixture's exported events (15 of its 24) among the first n of it, over and over.
  expect(small).toEqual({ ok: true, calls: 4 })
  expect(large).toEqual({ ok: true, calls: 4 * 300 + 12 * 15 + 7 })
  expect(smallReads.builtIns).toEqual({})
  expect(largeReads.builtIns).toEqual({})
  expect(largeReads.runtime).toBe(smallReads.runtime)
  expect(largeReads.runtime).toBeLessThanOrEqual(6)
})

test('nor does a delivery of the SDK fixture, one whose every event is rejected, NDJSON or a Pub/Sub push', async () => {
  const fn = await countedFunction()
  const bodies = [
    JSON.stringify(fixture.body),
    JSON.stringify([0, {}, { kind: 'custom' }]),
    fixture.body.map((event) => JSON.stringify(event)).join('\n'),
    JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(fixture.body)).toString('base64') },
      subscription: 's'
    })
  ]
  const outcomes: unknown[] = []
  for (const body of bodies) {
    outcomes.push(await fn.invoke(body))
    expect(readsOf(fn.reads).builtIns).toEqual({})
  }
  expect(outcomes).toEqual([
    { ok: true, calls: 15 },
    { ok: false, calls: 0 },
    { ok: true, calls: 15 },
    { ok: true, calls: 15 }
  ])
})

test('the counting itself works: each read of a built-in or of a runtime object is seen', async () => {
  const fn = await countedFunction()
  expect(fn.run('Array.isArray([]) && Array.isArray(crypto)')).toBe(false)
  expect(Object.fromEntries(fn.reads)).toEqual({ Array: 2, crypto: 1 })
})
