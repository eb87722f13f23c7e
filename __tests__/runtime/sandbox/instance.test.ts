import * as vm from 'node:vm'
import nock from 'nock'
import { loadFunction, type InvocationResult, type SandboxOptions } from '../../../runtime/sandbox/instance'
import { httpStatusFor } from '../../../runtime/http/responses'
import { lineOf } from '../../../runtime/sinks'
import { MAX_MESSAGE_BYTES, SEGMENT_ERROR_NAMES } from '../../../shared'
import { StandIn, standIn } from '../../stand-in'

/** Wraps a handler body as Segment's editor would hold it. */
const fn = (body: string, prelude = ''): string =>
  `${prelude}\nasync function onRequest(request, settings) {\n${body}\n}`

const run = async (
  code: string,
  settings: Record<string, unknown> = {},
  options?: SandboxOptions,
  body = '{}'
): Promise<InvocationResult> => loadFunction(code, options).invoke({ body }, settings)

const failure = (result: InvocationResult): { name: string; message: string } => {
  if (result.ok) throw new Error(`expected a failed invocation, got ${JSON.stringify(result)}`)
  return result.error
}

describe('Segment calls', () => {
  it('records track, page and alias calls as deep copies', async () => {
    const result = await run(
      fn(`
        const properties = { plan: 'pro', nested: { n: 1 } }
        Segment.track({ event: 'Signed Up', userId: 'u1', properties })
        properties.nested.n = 2 // recorded before: must not change the recording
        Segment.page({ anonymousId: 'a1', name: 'Home', properties: { path: '/' } })
        Segment.alias({ userId: 'u1', previousId: 'a1' })
      `)
    )
    expect(result).toMatchObject({ ok: true, logs: [] })
    expect(result.calls).toEqual([
      { type: 'track', message: { event: 'Signed Up', userId: 'u1', properties: { plan: 'pro', nested: { n: 1 } } } },
      { type: 'page', message: { anonymousId: 'a1', name: 'Home', properties: { path: '/' } } },
      { type: 'alias', message: { userId: 'u1', previousId: 'a1' } }
    ])
  })

  it('a call shows only {type, message}; its checked text and track event ride along unseen', async () => {
    const result = await run(
      fn(`
        Segment.track({ event: 'Signed Up', userId: 'u1', properties: { type: 'nested' } })
        Segment.page({ anonymousId: 'a1', type: 'own' })
      `)
    )
    const [track, page] = result.calls
    expect(Object.keys(track)).toEqual(['type', 'message'])
    expect(JSON.parse(JSON.stringify(result.calls))).toEqual(result.calls)
    expect({ ...page }).toEqual({ type: 'page', message: { anonymousId: 'a1', type: 'own' } })
    expect([track.json, track.event, page.json, page.event]).toEqual([
      '{"event":"Signed Up","userId":"u1","properties":{"type":"nested"}}',
      'Signed Up',
      '{"anonymousId":"a1","type":"own"}',
      undefined
    ])
    // The sink's line is {type, ...message}, a message's own `type` included; only a message
    // with a `type` of its own is serialized a second time for it.
    expect([track.ownType, page.ownType]).toEqual([false, true])
    expect(result.calls.map(lineOf)).toEqual(result.calls.map((c) => JSON.stringify({ type: c.type, ...c.message })))
    expect(lineOf(page)).toBe('{"type":"own","anonymousId":"a1"}')
  })

  it('also offers identify, group and screen', async () => {
    const result = await run(
      fn(`
        Segment.identify({ userId: 'u', traits: { a: 1 } })
        Segment.group({ userId: 'u', groupId: 'g' })
        Segment.screen({ anonymousId: 'a', name: 'S' })
      `)
    )
    expect(result.calls.map((c) => c.type)).toEqual(['identify', 'group', 'screen'])
  })

  // The function calls Segment[settings.type](settings.message) and lets the error escape.
  const emit = fn(`Segment[settings.type](settings.message)`)
  const base = { userId: 'u', event: 'e', properties: { p: '' } }
  const overhead = JSON.stringify(base).length

  it.each([
    ['track', { event: 'e' }, 'Segment.track: userId or anonymousId is required'],
    ['track', { event: 'e', userId: '', anonymousId: null }, 'Segment.track: userId or anonymousId is required'],
    ['page', { name: 'Home' }, 'Segment.page: userId or anonymousId is required'],
    ['identify', { traits: {} }, 'Segment.identify: userId or anonymousId is required'],
    ['alias', { userId: 'u' }, 'Segment.alias: userId and previousId are required'],
    ['alias', { previousId: 'a', anonymousId: 'x' }, 'Segment.alias: userId and previousId are required'],
    ['track', { userId: 'u' }, 'Segment.track: event must be a non-empty string'],
    ['track', { userId: 'u', event: '' }, 'Segment.track: event must be a non-empty string'],
    ['track', { userId: 'u', event: 42 }, 'Segment.track: event must be a non-empty string'],
    ['track', null, 'Segment.track: the message must be an object'],
    [
      'track',
      { ...base, properties: { p: 'x'.repeat(MAX_MESSAGE_BYTES - overhead + 1) } },
      `Segment.track: the message is ${
        MAX_MESSAGE_BYTES + 1
      } bytes of JSON, over Segment's limit of 32768 bytes (32 KB)`
    ]
  ])('%s(%j) is rejected', async (type, message, expected) => {
    const result = await run(emit, { type, message })
    expect(failure(result)).toEqual({ name: 'Error', message: expected })
    expect(result.calls).toEqual([])
  })

  it('counts the 32 KB limit in UTF-8 bytes and accepts exactly 32768', async () => {
    const exact = { ...base, properties: { p: 'x'.repeat(MAX_MESSAGE_BYTES - overhead) } }
    expect((await run(emit, { type: 'track', message: exact })).ok).toBe(true)
    // 'é' is 2 bytes: half as many characters already exceed the limit.
    const wide = { ...base, properties: { p: 'é'.repeat((MAX_MESSAGE_BYTES - overhead) / 2 + 1) } }
    expect(failure(await run(emit, { type: 'track', message: wide })).message).toMatch(/32770 bytes of JSON/)
  })

  it("throws errors of the function's realm, so it can catch them as Errors", async () => {
    const result = await run(
      fn(`
        try { Segment.track({ event: 'e' }) } catch (err) { console.log(err instanceof Error, err.name) }
        Segment.track({ event: 'e', userId: 'u' })
      `)
    )
    expect(result).toMatchObject({ ok: true, logs: ['true Error'] })
    expect(result.calls).toHaveLength(1)
  })

  it('refuses calls made outside an invocation (e.g. at load time)', () => {
    expect(() => loadFunction(fn('', `Segment.track({ event: 'e', userId: 'u' })`))).toThrow(
      'Segment.track: called outside an invocation'
    )
  })

  it('keeps the calls of concurrent invocations apart (one at a time per instance)', async () => {
    const sf = loadFunction(
      fn(`
        const { id, wait } = await request.json()
        await new Promise((resolve) => setTimeout(resolve, wait))
        Segment.track({ event: 'e', userId: id })
      `)
    )
    const [slow, fast] = await Promise.all([
      sf.invoke({ body: JSON.stringify({ id: 'slow', wait: 30 }) }, {}),
      sf.invoke({ body: JSON.stringify({ id: 'fast', wait: 0 }) }, {})
    ])
    expect(slow.calls.map((c) => c.message.userId)).toEqual(['slow'])
    expect(fast.calls.map((c) => c.message.userId)).toEqual(['fast'])
  })
})

describe('errors', () => {
  it.each(SEGMENT_ERROR_NAMES.map((name, i) => [name, [400, 400, 401, 503][i]] as const))(
    '%s is reported by name (HTTP %i)',
    async (name, status) => {
      const result = await run(
        fn(`
          Segment.track({ event: 'before', userId: 'u' })
          const err = new ${name}('nope')
          console.log(err instanceof Error, String(err))
          throw err
        `)
      )
      expect(failure(result)).toEqual({ name, message: 'nope' })
      expect(result.logs).toEqual([`true ${name}: nope`])
      // What was emitted before the failure is still reported.
      expect(result.calls).toHaveLength(1)
      expect(httpStatusFor(result)).toBe(status)
    }
  )

  it('reports untyped errors by their own name', async () => {
    expect(failure(await run(fn(`throw new Error('plain')`)))).toEqual({ name: 'Error', message: 'plain' })
    const typeError = failure(await run(fn(`return settings.missing.deeper`)))
    expect(typeError.name).toBe('TypeError')
    expect(failure(await run(fn(`throw 'a string'`)))).toEqual({ name: 'Error', message: 'a string' })
    expect(httpStatusFor(await run(fn(`null.x`)))).toBe(503)
  })

  it('tells error classes apart by name, across realms', async () => {
    // The function's own class of that name is another realm's than the host's: the name decides.
    const own = fn(
      `throw new RetryError('x')`,
      `class RetryError extends Error {}\nRetryError.prototype.name = 'RetryError'`
    )
    expect(failure(await run(own))).toEqual({ name: 'RetryError', message: 'x' })
    expect(failure(await run(fn(`throw null`)))).toEqual({ name: 'Error', message: 'null' })
    expect(failure(await run(fn(`throw { name: '' }`))).name).toBe('Error')
  })

  it('fails loading code without onRequest, or that does not compile', () => {
    expect(() => loadFunction('async function onEvent() {}')).toThrow('does not define a top-level onRequest')
    // Compared by name: jest's SyntaxError is another realm's than node:vm's.
    expect(() => loadFunction('async function onRequest( {')).toThrow(expect.objectContaining({ name: 'SyntaxError' }))
  })
})

describe('timeouts', () => {
  it('fails an invocation that runs past timeoutMs with a Timeout (HTTP 503)', async () => {
    const result = await run(fn(`await new Promise((resolve) => setTimeout(resolve, 10000))`), {}, { timeoutMs: 50 })
    expect(failure(result)).toEqual({ name: 'Timeout', message: 'Function timed out after 50 ms' })
    expect(result.durationMs).toBeGreaterThanOrEqual(45)
    expect(result.durationMs).toBeLessThan(2000)
    expect(httpStatusFor(result)).toBe(503)
  })

  it('stops a synchronous busy loop', async () => {
    expect(failure(await run(fn(`while (true) {}`), {}, { timeoutMs: 50 })).name).toBe('Timeout')
  })

  it('discards a timed-out instance: the next invocation is a cold start', async () => {
    const sf = loadFunction(
      fn(
        `
        invocations += 1
        if (settings.hang) {
          await new Promise((resolve) => setTimeout(resolve, 800))
          Segment.track({ event: 'late', userId: 'u' }) // stray: must land nowhere
        }
        Segment.track({ event: 'n' + invocations, userId: 'u' })
      `,
        'let invocations = 0'
      ),
      // Long enough that loading the script (also bounded by it) never times out on a busy machine.
      { timeoutMs: 300 }
    )
    expect((await sf.invoke({ body: '' }, {})).calls[0].message.event).toBe('n1')
    expect(failure(await sf.invoke({ body: '' }, { hang: true })).name).toBe('Timeout')
    const next = await sf.invoke({ body: '' }, {})
    await new Promise((resolve) => setTimeout(resolve, 900))
    expect(next.calls.map((c) => c.message.event)).toEqual(['n1'])
  })
})

describe('cache and module state', () => {
  const cached = fn(
    `
    const value = await cache.load('k', 1000, async () => {
      loads += 1
      if (settings.fail) throw new Error('loader failed')
      return 'v' + loads
    })
    console.log(value)
  `,
    'let loads = 0'
  )

  it('keeps values across warm invocations until the TTL passes', async () => {
    let clock = 0
    const sf = loadFunction(cached, { now: () => clock })
    const value = async (): Promise<string> => (await sf.invoke({ body: '' }, {})).logs[0]
    expect(await value()).toBe('v1')
    clock = 999
    expect(await value()).toBe('v1')
    clock = 1000
    expect(await value()).toBe('v2')
    // A new load is a cold start: empty cache.
    expect((await loadFunction(cached, { now: () => clock }).invoke({ body: '' }, {})).logs).toEqual(['v1'])
  })

  it('does not cache a rejected loader', async () => {
    const sf = loadFunction(cached)
    expect(failure(await sf.invoke({ body: '' }, { fail: true })).message).toBe('loader failed')
    expect((await sf.invoke({ body: '' }, {})).logs).toEqual(['v2'])
  })

  it('shares one pending load between concurrent callers', async () => {
    const result = await run(
      fn(`
        let loads = 0
        const load = () => cache.load('k', 1000, async () => { loads += 1; return loads })
        console.log(await Promise.all([load(), load()]), loads)
      `)
    )
    expect(result.logs).toEqual(['[ 1, 1 ] 1'])
  })

  it('keeps module state in a warm instance, not across loads', async () => {
    const code = fn(`count += 1; console.log(count)`, 'let count = 0')
    const sf = loadFunction(code)
    await sf.invoke({ body: '' }, {})
    expect((await sf.invoke({ body: '' }, {})).logs).toEqual(['2'])
    expect((await loadFunction(code).invoke({ body: '' }, {})).logs).toEqual(['1'])
  })

  it('hands the function a fresh copy of settings each time', async () => {
    const settings = { token: 't', nested: { a: 1 } }
    const sf = loadFunction(
      fn(`console.log(JSON.stringify(settings)); settings.token = 'changed'; settings.nested.a = 2`)
    )
    await sf.invoke({ body: '' }, settings)
    expect((await sf.invoke({ body: '' }, settings)).logs).toEqual(['{"token":"t","nested":{"a":1}}'])
    expect(settings).toEqual({ token: 't', nested: { a: 1 } })
  })
})

describe('globals', () => {
  it('offers exactly the globals Segment lists', async () => {
    const builtins = new Set(vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[])
    // V8 gives every context an inspector-only console; the sandbox replaces it with a recorder.
    builtins.delete('console')
    const result = await run(fn(`console.log(JSON.stringify(Object.getOwnPropertyNames(globalThis)))`))
    const added = (JSON.parse(result.logs[0]) as string[]).filter((name) => !builtins.has(name)).sort()
    expect(added).toEqual(
      [
        'Segment',
        'fetch',
        'crypto',
        'cache',
        'console',
        'atob',
        'btoa',
        'URL',
        'URLSearchParams',
        'TextEncoder',
        'TextDecoder',
        'setTimeout',
        'clearTimeout',
        'EventNotSupported',
        'InvalidEventPayload',
        'ValidationError',
        'RetryError',
        'onRequest'
      ].sort()
    )
  })

  it('has no require, process, Buffer, module, exports or global', async () => {
    const result = await run(
      fn(
        `console.log([typeof require, typeof process, typeof Buffer, typeof module, typeof exports, typeof global].join())`
      )
    )
    expect(result.logs).toEqual(['undefined,undefined,undefined,undefined,undefined,undefined'])
  })

  it('provides working crypto, atob/btoa and TextEncoder', async () => {
    const result = await run(
      fn(`
        console.log(crypto.createHmac('sha256', 'k').update('m').digest('hex').length)
        console.log(atob(btoa('hi')), new TextDecoder().decode(new TextEncoder().encode('ok')))
      `)
    )
    expect(result.logs).toEqual(['64', 'hi ok'])
  })

  it('records console output per invocation, including load-time logs, and forwards it', async () => {
    const forwarded: unknown[][] = []
    const sf = loadFunction(fn(`console.warn('n=%d', settings.n)`, `console.log('loaded')`), {
      console: {
        log: (...args) => forwarded.push(['log', ...args]),
        warn: (...args) => forwarded.push(['warn', ...args])
      }
    })
    expect((await sf.invoke({ body: '' }, { n: 1 })).logs).toEqual(['loaded', 'n=1'])
    expect((await sf.invoke({ body: '' }, { n: 2 })).logs).toEqual(['n=2'])
    expect(forwarded).toEqual([
      ['log', 'loaded'],
      ['warn', 'n=%d', 1],
      ['warn', 'n=%d', 2]
    ])
  })
})

describe('request', () => {
  it('offers json(), text(), case-insensitive headers.get and url', async () => {
    const sf = loadFunction(
      fn(`
        console.log(JSON.stringify(await request.json()), await request.text())
        console.log(request.headers.get('authorization'), request.headers.get('X-LD-Signature'), request.headers.get('absent'))
        console.log(request.url instanceof URL, request.url.pathname, request.url.searchParams.get('token'))
      `)
    )
    const result = await sf.invoke(
      {
        body: '{"a": 1}',
        headers: { Authorization: 'Bearer t', 'x-ld-signature': ['s1', 's2'] },
        url: '/sources/launchdarkly?token=abc'
      },
      {}
    )
    expect(result.logs).toEqual(['{"a":1} {"a": 1}', 'Bearer t s1, s2 null', 'true /sources/launchdarkly abc'])
  })

  it('defaults url to http://127.0.0.1/', async () => {
    expect((await run(fn(`console.log(request.url.href, request.url.searchParams.get('token'))`))).logs).toEqual([
      'http://127.0.0.1/ null'
    ])
  })

  it('rejects json() of a malformed body with a SyntaxError', async () => {
    const result = await run(
      fn(`
        try { await request.json() } catch (err) { console.log(err instanceof SyntaxError) }
        await request.json()
      `),
      {},
      {},
      '{not json'
    )
    expect(result.logs).toEqual(['true'])
    expect(failure(result).name).toBe('SyntaxError')
  })
})

describe('fetch', () => {
  let server: StandIn
  let base: string

  beforeAll(async () => {
    server = await standIn(() => ({ status: 200, body: { items: [{ name: 'on' }] } }))
    base = server.url
  })
  afterAll(() => server.close())

  it('reaches a local server through the host fetch by default', async () => {
    const result = await run(
      fn(`
        const res = await fetch(settings.apiBaseUrl + '/api/v2/flags?x=1', { headers: { Authorization: 'api-key' } })
        console.log(res.status, (await res.json()).items[0].name)
      `),
      { apiBaseUrl: base }
    )
    expect(result.logs).toEqual(['200 on'])
    expect(server.requests.map((r) => [r.method, r.path, r.headers.authorization])).toContainEqual([
      'GET',
      '/api/v2/flags?x=1',
      'api-key'
    ])
  })

  it('lets nock intercept the default fetch, even when nock is set up after loading', async () => {
    const sf = loadFunction(
      fn(`const res = await fetch('https://app.launchdarkly.com/api/v2/x'); console.log(await res.text())`)
    )
    nock.disableNetConnect()
    const scope = nock('https://app.launchdarkly.com').get('/api/v2/x').reply(200, 'from nock')
    try {
      expect((await sf.invoke({ body: '' }, {})).logs).toEqual(['from nock'])
      expect(scope.isDone()).toBe(true)
    } finally {
      nock.cleanAll()
      nock.enableNetConnect()
    }
  })

  it('uses options.fetch when given', async () => {
    const calls: string[] = []
    const fake: typeof fetch = async (input) => {
      calls.push(String(input))
      return new Response('{"ok":true}', { status: 201 })
    }
    const result = await run(
      fn(`const res = await fetch('https://example.invalid/x'); console.log(res.status)`),
      {},
      { fetch: fake }
    )
    expect(result.logs).toEqual(['201'])
    expect(calls).toEqual(['https://example.invalid/x'])
  })
})

describe('httpStatusFor', () => {
  const result = (name?: string): InvocationResult =>
    name === undefined
      ? { ok: true, returned: undefined, calls: [], logs: [], durationMs: 0 }
      : { ok: false, error: { name, message: '' }, calls: [], logs: [], durationMs: 0 }

  it.each([
    [undefined, 202],
    ['InvalidEventPayload', 400],
    ['EventNotSupported', 400],
    ['ValidationError', 401],
    ['RetryError', 503],
    ['Timeout', 503],
    ['TypeError', 503],
    ['Error', 503]
  ])('%s → %i', (name, status) => {
    expect(httpStatusFor(result(name))).toBe(status)
  })
})

describe('returned value', () => {
  it('reports what onRequest resolved to, as JSON', async () => {
    const result = await loadFunction(fn(`return { emitted: 2, when: new Date(0) }`)).invoke({ body: '' }, {})
    expect(result).toMatchObject({ ok: true, returned: { emitted: 2, when: '1970-01-01T00:00:00.000Z' } })
  })
})
