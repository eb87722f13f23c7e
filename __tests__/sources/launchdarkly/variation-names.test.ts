// Variation names (design §3.6) through the built function, against a nock stand-in for
// LaunchDarkly's REST API: one request per flag, parallel, cached across warm
// invocations, project key resolved once, retryable and non-retryable failures.

import nock from 'nock'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { InvocationResult } from '../../../runtime/sandbox/instance'
import { failure, loadSource, SETTINGS, useLocalNetworkOnly } from './helpers'

useLocalNetworkOnly()

const API = 'https://app.launchdarkly.com'
const TOKEN = 'api-7c1d5e0f-reader'
const SDK_BODY = JSON.stringify(fixture.body)
const FIVE_MINUTES = 5 * 60 * 1000

/** The fixture's flags, as the REST API describes them. */
const FLAGS: Record<string, Array<{ value: unknown; name?: string }> | 404> = {
  'bool-tracked': [
    { value: true, name: 'On' },
    { value: false, name: 'Off' }
  ],
  'exp-flag': [
    { value: 'control', name: 'Control' },
    { value: 'treatment', name: 'Treatment' }
  ],
  'rule-tracked': [
    { value: 1, name: 'One' },
    { value: 2, name: 'Two' }
  ],
  // Variations without names: the events go out without variationName.
  'fallthrough-tracked': [{ value: {} }, { value: { a: 2 } }],
  'prereq-child': 404,
  'prereq-parent': [{ value: 'on-value', name: 'On value' }],
  'off-flag': [
    { value: 'a', name: 'A' },
    { value: 'b', name: 'B' }
  ],
  'excluded-flag': [{ value: true, name: '' }]
}

/** Each flag answered exactly once (nock fails any further request), but for those in `except`. */
function mockFlags(
  options: { projectKey?: string; base?: string; except?: string[]; delayMs?: number; token?: string } = {}
): nock.Scope {
  const { projectKey = 'default', base = API, except = [], delayMs = 0, token = TOKEN } = options
  const scope = nock(base).matchHeader('authorization', token)
  for (const [key, variations] of Object.entries(FLAGS)) {
    if (except.includes(key)) continue
    const interceptor = scope.get(`/api/v2/flags/${projectKey}/${key}`).delay(delayMs)
    if (variations === 404) interceptor.reply(404, { code: 'not_found', message: 'Unknown resource' })
    else
      interceptor.reply(200, {
        key,
        kind: 'multivariate',
        variations: variations.map((v, i) => ({ _id: `var-${i}`, ...v }))
      })
  }
  return scope
}

/** `[flag key, variation name]` for every feature call, in order. */
const namesOf = (result: InvocationResult) =>
  result.calls
    .filter((call) => call.message.event === 'feature')
    .map((call) => {
      const properties = call.message.properties as Record<string, unknown>
      return [properties.key, properties.variationName]
    })

const NAMED = [
  ['bool-tracked', 'On'],
  ['bool-tracked', 'On'],
  ['exp-flag', 'Control'],
  ['rule-tracked', 'Two'],
  ['fallthrough-tracked', undefined],
  ['prereq-child', undefined],
  ['prereq-parent', 'On value'],
  ['off-flag', 'B'],
  ['excluded-flag', undefined],
  ['bool-tracked', 'On'],
  ['bool-tracked', 'On']
]

const WITH_KEY = { ...SETTINGS, accessToken: TOKEN, projectKey: 'default' }

describe('variation names', () => {
  it('asks once per flag, however often it appears, and names every evaluation', async () => {
    const scope = mockFlags()
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(result.ok).toBe(true)
    expect(scope.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
    expect(result.logs).toEqual(['launchdarkly: emitted 15, skipped index=5 debug=1 identify=2 summary=1, rejected 0'])
    // The name sits right after the variation index, as in LaunchDarkly's own export.
    expect(Object.keys(result.calls[2].message.properties as object)).toEqual([
      'environment',
      'project',
      'key',
      'contextKeys',
      'version',
      'value',
      'flagVersion',
      'variation',
      'variationName',
      'reasonKind',
      'inExperiment',
      'default'
    ])
  })

  it('asks for all flags in parallel', async () => {
    // Eight flags answering in 300 ms each: one after the other would take 2.4 s.
    const scope = mockFlags({ delayMs: 300 })
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(scope.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
    expect(result.durationMs).toBeLessThan(1200)
  })

  it('serves a second delivery from the warm cache, without a request', async () => {
    mockFlags()
    const source = await loadSource()
    const first = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    // No interceptors are left: any request now fails, and would fail the delivery.
    const second = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(second.ok).toBe(true)
    expect(second.calls).toEqual(first.calls)
    expect(nock.pendingMocks()).toEqual([])
  })

  it('asks again once the cached names are older than five minutes', async () => {
    let now = 1_000_000
    mockFlags()
    const source = await loadSource({ now: () => now })
    await source.invoke({ body: SDK_BODY }, WITH_KEY)
    now += FIVE_MINUTES - 1
    expect((await source.invoke({ body: SDK_BODY }, WITH_KEY)).ok).toBe(true)
    now += 2
    const renamed = nock(API)
      .get('/api/v2/flags/default/exp-flag')
      .reply(200, { variations: [{ value: 'control', name: 'Baseline' }, { value: 'treatment' }] })
    mockFlags() // the other flags, whose entries expired too
    const result = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(renamed.isDone()).toBe(true)
    expect(namesOf(result)[2]).toEqual(['exp-flag', 'Baseline'])
  })

  it('keys the cache by API base URL too', async () => {
    mockFlags()
    const other = mockFlags({ base: 'https://app.eu.launchdarkly.com' })
    const source = await loadSource()
    await source.invoke({ body: SDK_BODY }, WITH_KEY)
    const result = await source.invoke(
      { body: SDK_BODY },
      { ...WITH_KEY, apiBaseUrl: 'https://app.eu.launchdarkly.com/' }
    )
    expect(other.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
  })

  it('keys the cache by access token too: another token (another account) asks again', async () => {
    mockFlags()
    const other = mockFlags({ token: 'api-other-account-token' })
    const source = await loadSource()
    await source.invoke({ body: SDK_BODY }, WITH_KEY)
    const result = await source.invoke({ body: SDK_BODY }, { ...WITH_KEY, accessToken: 'api-other-account-token' })
    expect(other.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
  })

  it('makes no request without an access token, and emits no names', async () => {
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, { ...SETTINGS, projectKey: 'default' })
    expect(result.ok).toBe(true)
    expect(namesOf(result).every(([, name]) => name === undefined)).toBe(true)
  })

  it('does not look up keys that cannot name a flag', async () => {
    const source = await loadSource()
    const body = JSON.stringify([
      { kind: 'feature', key: '../projects', creationDate: 1, contextKeys: { user: 'u' }, value: 1, variation: 0 }
    ])
    const result = await source.invoke({ body }, WITH_KEY)
    expect(result.ok).toBe(true)
    expect((result.calls[0].message.properties as Record<string, unknown>).variationName).toBeUndefined()
  })
})

describe('project key from the project ID', () => {
  const WITHOUT_KEY = { ...SETTINGS, accessToken: TOKEN }

  it('is resolved once from GET /api/v2/projects, then cached', async () => {
    const projects = nock(API)
      .matchHeader('authorization', TOKEN)
      .get('/api/v2/projects')
      .reply(200, {
        items: [
          { _id: 'proj-0', key: 'other', name: 'Other' },
          { _id: 'proj-1', key: 'default', name: 'Default' }
        ],
        totalCount: 2
      })
    const flags = mockFlags()
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, WITHOUT_KEY)
    expect(projects.isDone() && flags.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
    expect((await source.invoke({ body: SDK_BODY }, WITHOUT_KEY)).calls).toEqual(result.calls)
  })

  it('follows the pages of the projects list', async () => {
    nock(API)
      .get('/api/v2/projects')
      .reply(200, {
        items: [{ _id: 'proj-0', key: 'other' }],
        _links: { next: { href: '/api/v2/projects?limit=1&offset=1' } }
      })
      .get('/api/v2/projects')
      .query({ limit: '1', offset: '1' })
      .reply(200, { items: [{ _id: 'proj-1', key: 'default' }], _links: {} })
    mockFlags()
    const source = await loadSource()
    expect(namesOf(await source.invoke({ body: SDK_BODY }, WITHOUT_KEY))).toEqual(NAMED)
  })

  it('is used for the projectId setting only: records of another project resolve theirs', async () => {
    nock(API)
      .get('/api/v2/projects')
      .reply(200, [{ _id: 'proj-2', key: 'second' }])
    nock(API)
      .get('/api/v2/flags/second/exp-flag')
      .reply(200, { variations: [{ value: 'a', name: 'Alpha' }] })
    const source = await loadSource()
    const record = {
      project: 'proj-2',
      environment: 'env-2',
      event: { kind: 'feature', key: 'exp-flag', creationDate: 1, contextKeys: { user: 'u' }, value: 'a', variation: 0 }
    }
    const result = await source.invoke({ body: JSON.stringify(record) }, WITH_KEY)
    expect((result.calls[0].message.properties as Record<string, unknown>).variationName).toBe('Alpha')
  })

  it('when the project is not in the list, events go out without names and a warning says why', async () => {
    nock(API)
      .get('/api/v2/projects')
      .reply(200, { items: [{ _id: 'proj-0', key: 'other' }] })
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, WITHOUT_KEY)
    expect(result.calls).toHaveLength(15)
    expect(namesOf(result).every(([, name]) => name === undefined)).toBe(true)
    expect(result.logs).toEqual([
      'launchdarkly: variation names unavailable: project ID "proj-1" is not among the projects the access token can read; set the projectKey setting',
      'launchdarkly: emitted 15, skipped index=5 debug=1 identify=2 summary=1, rejected 0'
    ])
  })
})

describe('failures', () => {
  const RETRY = (what: string) => `Variation names could not be looked up: ${what}; Segment will retry the delivery`

  it.each([
    [503, 'LaunchDarkly API answered 503 to GET /api/v2/flags/default/exp-flag'],
    [429, 'LaunchDarkly API answered 429 to GET /api/v2/flags/default/exp-flag'],
    [500, 'LaunchDarkly API answered 500 to GET /api/v2/flags/default/exp-flag']
  ])('%i fails the delivery with RetryError, emitting nothing', async (status, what) => {
    mockFlags({ except: ['exp-flag'] })
    nock(API).get('/api/v2/flags/default/exp-flag').reply(status, { message: 'busy' }, { 'Retry-After': '30' })
    const source = await loadSource()
    const result = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(failure(result)).toEqual({ name: 'RetryError', message: RETRY(what) })
    // All lookups finish before anything is emitted.
    expect(result.calls).toEqual([])
  })

  it('a retried delivery asks only for what failed the first time', async () => {
    mockFlags({ except: ['exp-flag'] })
    nock(API).get('/api/v2/flags/default/exp-flag').reply(503)
    const source = await loadSource()
    expect(failure(await source.invoke({ body: SDK_BODY }, WITH_KEY)).name).toBe('RetryError')
    const again = nock(API)
      .get('/api/v2/flags/default/exp-flag')
      .reply(200, { variations: [{ value: 'control', name: 'Control' }] })
    const result = await source.invoke({ body: SDK_BODY }, WITH_KEY)
    expect(again.isDone()).toBe(true)
    expect(namesOf(result)).toEqual(NAMED)
  })

  it('a request that takes too long fails the delivery with RetryError', async () => {
    nock(API).get('/api/v2/flags/default/slow-flag').delay(10_000).reply(200, { variations: [] })
    const source = await loadSource()
    const body = JSON.stringify({
      kind: 'feature',
      key: 'slow-flag',
      creationDate: 1,
      contextKeys: { user: 'u' },
      value: 1,
      variation: 0
    })
    const started = Date.now()
    const result = await source.invoke({ body }, WITH_KEY)
    expect(failure(result)).toEqual({
      name: 'RetryError',
      message: RETRY(
        'LaunchDarkly API did not answer GET /api/v2/flags/default/slow-flag in time (2500 ms per request, 3500 ms for all lookups of a delivery)'
      )
    })
    expect(Date.now() - started).toBeLessThan(4000)
  }, 10_000)

  it('a network failure fails the delivery with RetryError', async () => {
    nock(API).get('/api/v2/flags/default/exp-flag').replyWithError('socket hang up')
    const source = await loadSource()
    const body = JSON.stringify({
      kind: 'feature',
      key: 'exp-flag',
      creationDate: 1,
      contextKeys: { user: 'u' },
      value: 1,
      variation: 0
    })
    const result = await source.invoke({ body }, WITH_KEY)
    expect(failure(result).name).toBe('RetryError')
    expect(failure(result).message).toMatch(
      /^Variation names could not be looked up: LaunchDarkly API request GET \/api\/v2\/flags\/default\/exp-flag failed: /
    )
  })

  it('a 404 means no name, and is cached like a name', async () => {
    const scope = nock(API).get('/api/v2/flags/default/gone-flag').once().reply(404)
    const source = await loadSource()
    const body = JSON.stringify({
      kind: 'feature',
      key: 'gone-flag',
      creationDate: 1,
      contextKeys: { user: 'u' },
      value: 1,
      variation: 0
    })
    for (let i = 0; i < 2; i++) {
      const result = await source.invoke({ body }, WITH_KEY)
      expect(result).toMatchObject({ ok: true, logs: ['launchdarkly: emitted 1, skipped 0, rejected 0'] })
      expect((result.calls[0].message.properties as Record<string, unknown>).variationName).toBeUndefined()
    }
    expect(scope.isDone()).toBe(true)
  })

  it.each([401, 403])(
    'a refused token (%i) does not hold events back: they go out without names, with a warning, and the next delivery asks again',
    async (status) => {
      const body = JSON.stringify([
        { kind: 'feature', key: 'exp-flag', creationDate: 1, contextKeys: { user: 'u' }, value: 1, variation: 0 },
        { kind: 'feature', key: 'off-flag', creationDate: 1, contextKeys: { user: 'u' }, value: 1, variation: 0 }
      ])
      nock(API).get('/api/v2/flags/default/exp-flag').twice().reply(status, { code: 'unauthorized' })
      nock(API).get('/api/v2/flags/default/off-flag').twice().reply(status, { code: 'unauthorized' })
      const source = await loadSource()
      for (let i = 0; i < 2; i++) {
        const result = await source.invoke({ body }, WITH_KEY)
        expect(result.calls).toHaveLength(2)
        expect(result.logs).toEqual([
          `launchdarkly: variation names unavailable: the LaunchDarkly API refused the access token (HTTP ${status}); check that the accessToken setting is a current API access token with read access`,
          'launchdarkly: emitted 2, skipped 0, rejected 0'
        ])
        expect(JSON.stringify(result)).not.toContain(TOKEN)
      }
      expect(nock.pendingMocks()).toEqual([])
    }
  )

  it('an answer that is not a flag is a warning, not a failure', async () => {
    nock(API)
      .get('/api/v2/flags/default/exp-flag')
      .reply(200, '<html>proxy login</html>', { 'Content-Type': 'text/html' })
    const source = await loadSource()
    const body = JSON.stringify({
      kind: 'feature',
      key: 'exp-flag',
      creationDate: 1,
      contextKeys: { user: 'u' },
      value: 1,
      variation: 0
    })
    const result = await source.invoke({ body }, WITH_KEY)
    expect(result.calls).toHaveLength(1)
    expect(result.logs[0]).toBe(
      'launchdarkly: variation names unavailable: the LaunchDarkly API answered GET /api/v2/flags/default/exp-flag with something other than a flag'
    )
  })

  it('never puts the access token in an error message', async () => {
    nock(API).get('/api/v2/flags/default/exp-flag').replyWithError(`connection reset while sending ${TOKEN}`)
    const source = await loadSource()
    const body = JSON.stringify({
      kind: 'feature',
      key: 'exp-flag',
      creationDate: 1,
      contextKeys: { user: 'u' },
      value: 1,
      variation: 0
    })
    const error = failure(await source.invoke({ body }, WITH_KEY))
    expect(error.message).not.toContain(TOKEN)
    expect(error.message).toContain('[redacted]')
  })
})
