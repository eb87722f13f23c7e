/**
 * `npm run deploy` against a local stand-in of the Segment Public API: a real HTTP
 * server on 127.0.0.1 with in-memory functions, so requests go through the real fetch.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { SettingDeclaration } from '../../shared'
import { trackingPlan } from '../../shared'
import { buildTrackingPlan } from '../../scripts/build'
import { standIn } from '../stand-in'
import { DeployError, deployFunction } from '../../scripts/deploy-api'
import { main } from '../../scripts/deploy'

const TOKEN = 'sgp_TEST_token_never_print_me_0123456789'
const NAME = 'LaunchDarkly Events Source'
const CODE = 'async function onRequest(request, settings) { /* v1 */ }'
const SETTINGS: SettingDeclaration[] = [
  { name: 'projectId', label: 'Project ID', description: 'project', type: 'STRING', required: false, sensitive: false },
  {
    name: 'webhookSecret',
    label: 'Webhook secret',
    description: 'secret',
    type: 'STRING',
    required: false,
    sensitive: true
  },
  {
    name: 'includeCustomData',
    label: 'Include data',
    description: 'data',
    type: 'BOOLEAN',
    required: false,
    sensitive: false
  }
]

interface Recorded {
  method: string
  url: string
  authorization: string | undefined
  contentType: string | undefined
  body: unknown
}

interface StoredFunction {
  id: string
  catalogId: string
  displayName: string
  resourceType: string
  code: string
  settings: unknown
  deployments: number
}

interface StoredSource {
  id: string
  slug: string
  metadataId: string
  enabled: boolean
  settings: unknown
}

interface StoredDestination {
  id: string
  sourceId: string
  metadataId: string
  name: string
  enabled: boolean
  settings: unknown
}

interface StoredTrackingPlan {
  id: string
  name: string
  description: string
  type: string
  rules: unknown
  sourceIds: string[]
}

interface Reply {
  status: number
  headers?: Record<string, string>
  body?: string
}

interface Stub {
  baseUrl: string
  requests: Recorded[]
  functions: StoredFunction[]
  sources: StoredSource[]
  destinations: StoredDestination[]
  trackingPlans: StoredTrackingPlan[]
  close: () => Promise<void>
}

interface StubOptions {
  /** Page size the server uses whatever the client asks for, to force pagination. */
  pageSize?: number
  seed?: Array<Pick<StoredFunction, 'displayName'> & Partial<StoredFunction>>
  sources?: Array<Pick<StoredSource, 'slug'>>
  /** Create and update answers without catalogId (it is then read with GET /functions/{id}). */
  omitCatalogId?: boolean
  /** Answer a request with this instead of the in-memory API (failure injection). */
  override?: (req: Recorded) => Reply | undefined
}

function json(status: number, body: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

async function startStub(options: StubOptions = {}): Promise<Stub> {
  const requests: Recorded[] = []
  let nextId = 1
  const functions: StoredFunction[] = (options.seed ?? []).map((f) => ({
    id: `sfn_seed${nextId}`,
    catalogId: `cat_seed${nextId++}`,
    resourceType: 'SOURCE',
    code: '',
    settings: [],
    deployments: 0,
    ...f
  }))
  const sources: StoredSource[] = (options.sources ?? []).map(({ slug }) => ({
    id: `src_${slug}`,
    slug,
    metadataId: 'javascript',
    enabled: true,
    settings: {}
  }))
  const destinations: StoredDestination[] = []
  const trackingPlans: StoredTrackingPlan[] = []
  /** As Segment lists them: destination functions with the workspace's name appended. */
  const listed = (f: StoredFunction) =>
    f.resourceType === 'DESTINATION' ? `${f.displayName} (Acme Workspace)` : f.displayName
  const written = (f: StoredFunction) => ({
    id: f.id,
    displayName: listed(f),
    ...(options.omitCatalogId ? {} : { catalogId: f.catalogId })
  })
  const page = <T>(url: URL, all: T[]) => {
    const count = Number(url.searchParams.get('pagination[count]') ?? 10)
    const size = Math.min(count, options.pageSize ?? count)
    const offset = Number(url.searchParams.get('pagination[cursor]') ?? 0)
    const next = offset + size < all.length ? String(offset + size) : null
    return {
      items: all.slice(offset, offset + size),
      pagination: { current: String(offset), next, totalEntries: all.length }
    }
  }

  const route = (req: Recorded): Reply => {
    if (req.authorization !== `Bearer ${TOKEN}`) {
      return json(401, { errors: [{ type: 'unauthorized', message: 'Unauthorized' }] })
    }
    const url = new URL(req.url, 'http://stub')
    const parts = url.pathname.split('/').filter(Boolean)

    if (req.method === 'GET' && url.pathname === '/functions') {
      const matching = functions.filter((f) => f.resourceType === url.searchParams.get('resourceType'))
      const { items, pagination } = page(url, matching)
      return json(200, {
        data: {
          functions: items.map((f) => ({
            id: f.id,
            displayName: listed(f),
            resourceType: f.resourceType,
            catalogId: f.catalogId
          })),
          pagination
        }
      })
    }
    if (req.method === 'POST' && url.pathname === '/functions') {
      const body = req.body as Record<string, unknown>
      const n = nextId++
      const prefix = body.resourceType === 'DESTINATION' ? 'dfn' : 'sfn'
      const created: StoredFunction = {
        id: `${prefix}_${n}`,
        catalogId: `cat_${n}`,
        displayName: String(body.displayName),
        resourceType: String(body.resourceType),
        code: String(body.code),
        settings: body.settings,
        deployments: 0
      }
      functions.push(created)
      return json(200, { data: { function: written(created) } })
    }
    if (req.method === 'GET' && url.pathname === '/sources') {
      const { items, pagination } = page(url, sources)
      return json(200, { data: { sources: items, pagination } })
    }
    if (req.method === 'POST' && url.pathname === '/sources') {
      const body = req.body as Record<string, unknown>
      const created = {
        id: `src_${nextId++}`,
        slug: String(body.slug),
        metadataId: String(body.metadataId),
        enabled: body.enabled === true,
        settings: body.settings
      }
      sources.push(created)
      return json(201, { data: { source: { ...created, writeKeys: ['wk'] } } })
    }
    if (req.method === 'GET' && parts[0] === 'sources' && parts[2] === 'connected-destinations') {
      const connected = destinations
        .filter((d) => d.sourceId === parts[1])
        .map((d) => ({ id: d.id, name: d.name, sourceId: d.sourceId, metadata: { id: d.metadataId } }))
      const { items, pagination } = page(url, connected)
      return json(200, { data: { destinations: items, pagination } })
    }
    if (req.method === 'POST' && url.pathname === '/destinations') {
      const body = req.body as Record<string, unknown>
      if (!sources.some((source) => source.id === body.sourceId))
        return json(404, { errors: [{ message: 'source not found' }] })
      const created = {
        id: `dst_${nextId++}`,
        sourceId: String(body.sourceId),
        metadataId: String(body.metadataId),
        name: String(body.name),
        enabled: body.enabled === true,
        settings: body.settings
      }
      destinations.push(created)
      return json(200, {
        data: { destination: { id: created.id, sourceId: created.sourceId, metadata: { id: created.metadataId } } }
      })
    }
    if (req.method === 'GET' && url.pathname === '/tracking-plans') {
      const { items, pagination } = page(
        url,
        trackingPlans.map(({ id, name, description, type }) => ({ id, name, description, type }))
      )
      return json(200, { data: { trackingPlans: items, pagination } })
    }
    if (req.method === 'POST' && url.pathname === '/tracking-plans') {
      const body = req.body as Record<string, unknown>
      const created = {
        id: `tp_${nextId++}`,
        name: String(body.name),
        description: String(body.description),
        type: String(body.type),
        rules: [],
        sourceIds: []
      }
      trackingPlans.push(created)
      const { id, name, description, type } = created
      return json(200, { data: { trackingPlan: { id, name, description, type } } })
    }
    const plan = parts[0] === 'tracking-plans' ? trackingPlans.find((p) => p.id === parts[1]) : undefined
    if (plan && req.method === 'PUT' && parts[2] === 'rules') {
      plan.rules = (req.body as Record<string, unknown>).rules
      return json(200, { data: {} })
    }
    if (plan && req.method === 'GET' && parts[2] === 'sources') {
      const { items, pagination } = page(
        url,
        sources.filter((source) => plan.sourceIds.includes(source.id))
      )
      return json(200, { data: { sources: items, pagination } })
    }
    if (plan && req.method === 'POST' && parts[2] === 'sources') {
      const { sourceId } = req.body as { sourceId: string }
      if (!sources.some((source) => source.id === sourceId))
        return json(404, { errors: [{ message: 'no such source' }] })
      plan.sourceIds.push(sourceId)
      return json(200, { data: {} })
    }
    const fn = parts[0] === 'functions' ? functions.find((f) => f.id === parts[1]) : undefined
    if (!fn) return json(404, { errors: [{ type: 'not-found', message: 'Resource not found' }] })
    if (req.method === 'GET' && parts.length === 2)
      return json(200, { data: { function: { ...written(fn), catalogId: fn.catalogId } } })
    if (req.method === 'PATCH' && parts.length === 2) {
      const body = req.body as Record<string, unknown>
      if (typeof body.code === 'string') fn.code = body.code
      if (body.settings !== undefined) fn.settings = body.settings
      return json(200, { data: { function: written(fn) } })
    }
    if (req.method === 'POST' && parts[2] === 'deploy') {
      if (fn.resourceType !== 'SOURCE')
        return json(400, { errors: [{ message: 'only source functions are deployed' }] })
      fn.deployments++
      return json(200, { data: {} })
    }
    return json(404, { errors: [{ type: 'not-found', message: 'Resource not found' }] })
  }

  const server = await standIn((req) => {
    const recorded: Recorded = {
      method: req.method,
      url: req.path,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: req.body === '' ? undefined : JSON.parse(req.body)
    }
    requests.push(recorded)
    return options.override?.(recorded) ?? route(recorded)
  })
  return { baseUrl: server.url, requests, functions, sources, destinations, trackingPlans, close: server.close }
}

let stub: Stub | undefined
afterEach(async () => {
  await stub?.close()
  stub = undefined
})

/** Everything a run logged, so tests can check the token never shows up. */
const logged: string[] = []
beforeEach(() => {
  logged.length = 0
})

function deploy(s: Stub, overrides: Partial<Parameters<typeof deployFunction>[0]> = {}) {
  return deployFunction({
    token: TOKEN,
    baseUrl: s.baseUrl,
    displayName: NAME,
    code: CODE,
    settings: SETTINGS,
    log: (line) => logged.push(line),
    ...overrides
  })
}

async function deployError(promise: Promise<unknown>): Promise<DeployError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(DeployError)
  return err as DeployError
}

const LIST = '/functions?resourceType=SOURCE&pagination[count]=200'
const calls = (s: Stub) => s.requests.map((r) => `${r.method} ${r.url}`)

describe('deployFunction', () => {
  test('first deploy creates the function, then deploys it', async () => {
    stub = await startStub({ seed: [{ displayName: 'Some other function' }] })
    const result = await deploy(stub)

    expect(result).toEqual({ action: 'created', functionId: 'sfn_2', catalogId: 'cat_2', deployed: true })
    expect(calls(stub)).toEqual([`GET ${LIST}`, 'POST /functions', 'POST /functions/sfn_2/deploy'])
    expect(stub.requests.map((r) => r.authorization)).toEqual(Array(3).fill(`Bearer ${TOKEN}`))
    expect(stub.requests[0].body).toBeUndefined()
    expect(stub.requests[1].contentType).toBe('application/json')
    expect(stub.requests[1].body).toEqual({ code: CODE, displayName: NAME, resourceType: 'SOURCE', settings: SETTINGS })
    expect(stub.requests[2].body).toBeUndefined()
    expect(stub.functions[1]).toMatchObject({ displayName: NAME, code: CODE, deployments: 1 })
  })

  test('second deploy finds the function by display name, patches it, then deploys', async () => {
    stub = await startStub()
    const first = await deploy(stub)
    stub.requests.length = 0

    const newSettings = SETTINGS.slice(0, 1)
    const second = await deploy(stub, { code: 'async function onRequest() { /* v2 */ }', settings: newSettings })

    expect(second).toEqual({
      action: 'updated',
      functionId: first.functionId,
      catalogId: first.catalogId,
      deployed: true
    })
    expect(calls(stub)).toEqual([
      `GET ${LIST}`,
      `PATCH /functions/${first.functionId}`,
      `POST /functions/${first.functionId}/deploy`
    ])
    expect(stub.requests[1].body).toEqual({ code: 'async function onRequest() { /* v2 */ }', settings: newSettings })
    expect(stub.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true)
    expect(stub.functions).toHaveLength(1)
    expect(stub.functions[0]).toMatchObject({ code: 'async function onRequest() { /* v2 */ }', deployments: 2 })
  })

  test('display names match exactly, and functions of other types are ignored', async () => {
    stub = await startStub({
      seed: [
        { displayName: `${NAME} (old)` },
        { displayName: NAME.toLowerCase() },
        { displayName: NAME, resourceType: 'DESTINATION' }
      ]
    })
    const result = await deploy(stub)
    expect(result.action).toBe('created')
  })

  test('follows pagination cursors until the function is found', async () => {
    const seed = ['a', 'b', 'c', 'd'].map((n) => ({ displayName: `fn ${n}` }))
    stub = await startStub({ pageSize: 2, seed: [...seed, { displayName: NAME }] })

    const result = await deploy(stub)

    expect(result).toEqual({ action: 'updated', functionId: 'sfn_seed5', catalogId: 'cat_seed5', deployed: true })
    expect(calls(stub)).toEqual([
      `GET ${LIST}`,
      `GET ${LIST}&pagination[cursor]=2`,
      `GET ${LIST}&pagination[cursor]=4`,
      'PATCH /functions/sfn_seed5',
      'POST /functions/sfn_seed5/deploy'
    ])
  })

  test('reads every page before deciding to create', async () => {
    stub = await startStub({ pageSize: 2, seed: ['a', 'b', 'c'].map((n) => ({ displayName: `fn ${n}` })) })
    const result = await deploy(stub)
    expect(result.action).toBe('created')
    expect(calls(stub).filter((c) => c.startsWith('GET'))).toHaveLength(2)
  })

  test('a repeating cursor is a bad response, not an endless loop', async () => {
    stub = await startStub({
      override: (req) =>
        req.method === 'GET' ? json(200, { data: { functions: [], pagination: { next: 'same' } } }) : undefined
    })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('bad_response')
    expect(stub.requests).toHaveLength(2)
  })

  test('a missing token fails before any request', async () => {
    stub = await startStub()
    const err = await deployError(deploy(stub, { token: '' }))
    expect(err.code).toBe('missing_token')
    expect(err.message).toContain('SEGMENT_PUBLIC_API_TOKEN')
    expect(stub.requests).toHaveLength(0)
  })

  test('401: the token was refused, and the message says what access it needs', async () => {
    stub = await startStub()
    const err = await deployError(deploy(stub, { token: 'wrong-token' }))
    expect(err.code).toBe('unauthorized')
    expect(err.status).toBe(401)
    expect(err.message).toMatch(/refused the token/)
    expect(err.message).toMatch(/Workspace Owner/)
    expect(err.message).toMatch(/Functions Admin/)
    expect(err.message).not.toContain('wrong-token')
  })

  test('403 on create is unauthorized too', async () => {
    stub = await startStub({
      override: (req) =>
        req.method === 'POST'
          ? json(403, { errors: [{ type: 'forbidden', message: 'Forbidden: missing role' }] })
          : undefined
    })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('unauthorized')
    expect(err.status).toBe(403)
    expect(err.message).toContain('HTTP 403 on POST /functions')
    expect(err.message).toContain('Forbidden: missing role')
  })

  test('429 says rate limited and passes Retry-After on', async () => {
    stub = await startStub({
      override: () => ({ status: 429, headers: { 'Retry-After': '30' }, body: '{"errors":[{"message":"slow down"}]}' })
    })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('rate_limited')
    expect(err.retryAfter).toBe('30')
    expect(err.message).toMatch(/rate limited/)
    expect(err.message).toContain('retry after 30 s')
  })

  test('429 without Retry-After still reads well', async () => {
    stub = await startStub({ override: () => ({ status: 429 }) })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('rate_limited')
    expect(err.retryAfter).toBeUndefined()
    expect(err.message).toContain('try again later')
  })

  test("500 carries the status and the API's error message", async () => {
    stub = await startStub({
      override: (req) =>
        req.url.endsWith('/deploy')
          ? json(500, { errors: [{ type: 'internal', message: 'deployment backend unavailable' }] })
          : undefined
    })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('api_error')
    expect(err.status).toBe(500)
    expect(err.message).toBe('POST /functions/sfn_1/deploy failed with HTTP 500: deployment backend unavailable')
  })

  test('a 2xx body without data.function.id is a bad response', async () => {
    stub = await startStub({ override: (req) => (req.method === 'POST' ? json(200, { data: {} }) : undefined) })
    const err = await deployError(deploy(stub))
    expect(err.code).toBe('bad_response')
    expect(err.message).toContain('data.function.id')
  })

  test('an unreachable API is an api_error naming the base URL', async () => {
    stub = await startStub()
    const baseUrl = stub.baseUrl
    await stub.close()
    stub = undefined
    const err = await deployError(
      deployFunction({ token: TOKEN, baseUrl, displayName: NAME, code: CODE, settings: SETTINGS })
    )
    expect(err.code).toBe('api_error')
    expect(err.message).toContain(`could not reach ${baseUrl}`)
  })

  test('the token never appears in errors or log lines, even when the API echoes it', async () => {
    const echo = (req: Recorded) => `you sent ${req.authorization}`
    const failures: Array<(req: Recorded) => Reply | undefined> = [
      (req) => json(401, { errors: [{ message: echo(req) }] }),
      (req) => json(403, { errors: [{ message: echo(req) }] }),
      (req) => ({ status: 429, headers: { 'Retry-After': TOKEN }, body: echo(req) }),
      (req) => json(500, { errors: [{ message: echo(req) }] }),
      (req) => ({ status: 502, body: `<html>${echo(req)}</html>` }),
      (req) => (req.method === 'GET' ? undefined : json(422, { errors: [{ message: echo(req) }] })),
      (req) => (req.url.endsWith('/deploy') ? json(500, { errors: [{ message: echo(req) }] }) : undefined)
    ]
    const texts: string[] = []
    for (const override of failures) {
      stub = await startStub({ override })
      const err = await deployError(deploy(stub))
      texts.push(err.message, String(err.stack), JSON.stringify(err))
      await stub.close()
      stub = undefined
    }
    texts.push(...logged)
    expect(logged.length).toBeGreaterThan(0)
    for (const text of texts) expect(text).not.toContain(TOKEN)
  })
})

test('a destination function is found under the name Segment lists it by ("Name (Workspace)"), and not deployed', async () => {
  stub = await startStub()
  const options = {
    resourceType: 'DESTINATION' as const,
    displayName: 'LD Destination',
    code: 'async function onTrack() {}'
  }
  const first = await deploy(stub, options)
  const second = await deploy(stub, { ...options, code: 'async function onTrack() { /* v2 */ }' })
  expect([first, second]).toEqual([
    { action: 'created', functionId: 'dfn_1', catalogId: 'cat_1', deployed: false },
    { action: 'updated', functionId: 'dfn_1', catalogId: 'cat_1', deployed: false }
  ])
  expect(calls(stub)).toEqual([
    'GET /functions?resourceType=DESTINATION&pagination[count]=200',
    'POST /functions',
    'GET /functions?resourceType=DESTINATION&pagination[count]=200',
    'PATCH /functions/dfn_1'
  ])
  expect(stub.requests[1].body).toEqual({
    code: 'async function onTrack() {}',
    displayName: 'LD Destination',
    resourceType: 'DESTINATION',
    settings: SETTINGS
  })
})

describe('main (the npm run deploy CLI)', () => {
  const DESTINATION_CODE = 'async function onTrack(event, settings) { /* v1 */ }'
  const DESTINATION_SETTINGS: SettingDeclaration[] = [
    {
      name: 'clientSideId',
      label: 'Client-side ID',
      description: 'id',
      type: 'STRING',
      required: true,
      sensitive: false
    },
    {
      name: 'sendTrackAsCustom',
      label: 'Tracks',
      description: 'tracks',
      type: 'BOOLEAN',
      required: false,
      sensitive: false
    }
  ]
  let distDir: string
  beforeEach(async () => {
    distDir = await mkdtemp(path.join(os.tmpdir(), 'deploy-test-'))
    await mkdir(path.join(distDir, 'sources'))
    await mkdir(path.join(distDir, 'destinations'))
    await writeFile(path.join(distDir, 'sources', 'launchdarkly.js'), CODE)
    await writeFile(path.join(distDir, 'sources', 'launchdarkly.settings.json'), JSON.stringify(SETTINGS))
    await writeFile(path.join(distDir, 'destinations', 'launchdarkly-events.js'), DESTINATION_CODE)
    await writeFile(
      path.join(distDir, 'destinations', 'launchdarkly-events.settings.json'),
      JSON.stringify(DESTINATION_SETTINGS)
    )
    await buildTrackingPlan({ distDir })
  })
  afterEach(async () => {
    await rm(distDir, { recursive: true, force: true })
  })

  function run(env: NodeJS.ProcessEnv, argv: string[] = [], fetchImpl?: typeof fetch) {
    const out: string[] = []
    const err: string[] = []
    const exitCode = main(env, { out: (l) => out.push(l), err: (l) => err.push(l), distDir, fetch: fetchImpl }, argv)
    return exitCode.then((code) => ({ code, out, err }))
  }

  const LD_ENV = {
    LD_PROJECT_ID: 'proj-1',
    LD_ACCESS_TOKEN: 'api-secret-token-123456',
    LD_INCLUDE_CUSTOM_DATA: 'true',
    LD_CLIENT_SIDE_ID: 'client-side-9',
    LD_SEND_TRACK_AS_CUSTOM: 'false'
  }

  test('the whole install: both functions, the source, and the destination connected to --source', async () => {
    stub = await startStub({ sources: [{ slug: 'web' }] })
    const env = { SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl, ...LD_ENV }
    const result = await run(env, ['--source', 'web'])
    expect(result.err).toEqual([])
    expect(result.code).toBe(0)
    expect(calls(stub)).toEqual([
      `GET ${LIST}`,
      'POST /functions',
      'POST /functions/sfn_1/deploy',
      'GET /functions?resourceType=DESTINATION&pagination[count]=200',
      'POST /functions',
      'GET /sources?pagination[count]=200',
      'POST /sources',
      'GET /sources?pagination[count]=200',
      'GET /sources/src_web/connected-destinations?pagination[count]=200',
      'POST /destinations'
    ])
    const bodies = stub.requests.map((r) => r.body)
    expect(bodies[1]).toEqual({ code: CODE, displayName: NAME, resourceType: 'SOURCE', settings: SETTINGS })
    expect(bodies[4]).toEqual({
      code: DESTINATION_CODE,
      displayName: 'LaunchDarkly Events Destination',
      resourceType: 'DESTINATION',
      settings: DESTINATION_SETTINGS
    })
    // The source function's source: its catalog entry as metadata, its settings from LD_*.
    expect(bodies[6]).toEqual({
      slug: 'launchdarkly-events',
      enabled: true,
      metadataId: 'cat_1',
      settings: { projectId: 'proj-1', accessToken: 'api-secret-token-123456', includeCustomData: true }
    })
    expect(bodies[9]).toEqual({
      sourceId: 'src_web',
      metadataId: 'cat_2',
      enabled: true,
      name: 'LaunchDarkly Events Destination',
      settings: { clientSideId: 'client-side-9', sendTrackAsCustom: false }
    })
    expect(result.out).toEqual(
      expect.arrayContaining([
        `created source function "${NAME}" and deployed it`,
        'function ID: sfn_1',
        'created destination function "LaunchDarkly Events Destination" (Segment applies its code to its destinations when it is saved: the Public API deploys source functions only)',
        'function ID: dfn_2',
        'created source "launchdarkly-events" (source ID: src_3)',
        'webhook URL: the Public API does not return it; copy it from Segment: Connections → Sources → launchdarkly-events → Settings → Endpoint',
        'connected the destination function to source "web" (destination ID: dst_4)'
      ])
    )
    for (const line of [...result.out, ...result.err]) {
      expect(line).not.toContain(TOKEN)
      expect(line).not.toContain('api-secret-token-123456')
    }
  })

  test('a second run updates both functions and leaves the source and the connection as they are', async () => {
    stub = await startStub({ sources: [{ slug: 'web' }] })
    const env = { SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl, ...LD_ENV }
    await run(env, ['--source=web'])
    stub.requests.length = 0
    const second = await run(env, ['--source=web'])
    expect(second.code).toBe(0)
    expect(calls(stub)).toEqual([
      `GET ${LIST}`,
      'PATCH /functions/sfn_1',
      'POST /functions/sfn_1/deploy',
      'GET /functions?resourceType=DESTINATION&pagination[count]=200',
      'PATCH /functions/dfn_2',
      'GET /sources?pagination[count]=200',
      'GET /sources?pagination[count]=200',
      'GET /sources/src_web/connected-destinations?pagination[count]=200'
    ])
    expect(second.out).toEqual(
      expect.arrayContaining([
        `updated source function "${NAME}" and deployed it`,
        'found source "launchdarkly-events" (source ID: src_3)',
        'already connected the destination function to source "web" (destination ID: dst_4)'
      ])
    )
    expect([stub.sources.length, stub.destinations.length]).toEqual([2, 1])
  })

  test('without --source: no destination instance, and the output says how to connect it', async () => {
    stub = await startStub()
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl })
    expect(result.code).toBe(0)
    expect(calls(stub).some((c) => c.includes('/destinations'))).toBe(false)
    expect(result.out[result.out.length - 1]).toBe(
      'destination function not connected to a source: run `npm run deploy -- --source <slug>` to connect it, or add it in Segment (Connections → Destinations → Add destination → Functions)'
    )
  })

  test('an answer without catalogId: it is read with GET /functions/{id}', async () => {
    stub = await startStub({ omitCatalogId: true })
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl })
    expect(result.code).toBe(0)
    expect(calls(stub)).toContain('GET /functions/sfn_1')
    expect(stub.requests.find((r) => r.method === 'POST' && r.url === '/sources')?.body).toMatchObject({
      metadataId: 'cat_1'
    })
  })

  test.each([
    [
      ['--source', 'nowhere'],
      LD_ENV,
      'deploy failed: no source with slug "nowhere" in the workspace: --source takes the slug shown in the source\'s settings'
    ],
    [
      ['--source', 'web'],
      {},
      'deploy failed: set LD_CLIENT_SIDE_ID to the client-side ID of the LaunchDarkly environment the destination sends to'
    ]
  ])('%j with %j: exits 1 and says why, connecting nothing', async (argv, ld, message) => {
    stub = await startStub({ sources: [{ slug: 'web' }] })
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl, ...ld }, argv)
    expect(result.code).toBe(1)
    expect(result.err).toEqual([message])
    expect(stub.destinations).toEqual([])
  })

  test('--dry-run: no token, no request; prints every call, secrets redacted', async () => {
    stub = await startStub({ sources: [{ slug: 'web' }] })
    const noNetwork = (() => {
      throw new Error('a dry run must not send anything')
    }) as unknown as typeof fetch
    const result = await run({ SEGMENT_API_BASE: stub.baseUrl, ...LD_ENV }, ['--dry-run', '--source', 'web'], noNetwork)
    expect(result.err).toEqual([])
    expect(result.code).toBe(0)
    expect(stub.requests).toEqual([])
    const base = stub.baseUrl
    expect(result.out.filter((line) => line.startsWith('would call: '))).toEqual([
      `would call: GET ${base}/functions?resourceType=SOURCE&pagination[count]=200`,
      `would call: POST ${base}/functions {"code":"<${CODE.length} bytes of built code>","displayName":"${NAME}","resourceType":"SOURCE","settings":"<3 setting declarations: projectId, webhookSecret, includeCustomData>"}`,
      `would call: POST ${base}/functions/<new source function ID>/deploy`,
      `would call: GET ${base}/functions?resourceType=DESTINATION&pagination[count]=200`,
      `would call: POST ${base}/functions {"code":"<${DESTINATION_CODE.length} bytes of built code>","displayName":"LaunchDarkly Events Destination","resourceType":"DESTINATION","settings":"<2 setting declarations: clientSideId, sendTrackAsCustom>"}`,
      `would call: GET ${base}/sources?pagination[count]=200`,
      `would call: POST ${base}/sources {"slug":"launchdarkly-events","enabled":true,"metadataId":"<source function catalog ID>","settings":{"projectId":"proj-1","accessToken":"<redacted>","includeCustomData":true}}`,
      `would call: GET ${base}/sources?pagination[count]=200`,
      `would call: GET ${base}/sources/<ID of source web>/connected-destinations?pagination[count]=200`,
      `would call: POST ${base}/destinations {"sourceId":"<ID of source web>","metadataId":"<destination function catalog ID>","enabled":true,"name":"LaunchDarkly Events Destination","settings":{"clientSideId":"client-side-9","sendTrackAsCustom":false}}`
    ])
    expect(result.out.join('\n')).not.toContain('api-secret-token-123456')
  })

  describe('--tracking-plan: the export schema as a Segment Protocols tracking plan', () => {
    const PLAN = 'LaunchDarkly export'
    const AFTER_SOURCE = [
      `GET /tracking-plans?pagination[count]=200`,
      'POST /tracking-plans',
      'PUT /tracking-plans/tp_4/rules',
      'GET /tracking-plans/tp_4/sources?pagination[count]=200',
      'POST /tracking-plans/tp_4/sources'
    ]

    test("creates the plan, puts the built rules in it and connects it to the source function's source", async () => {
      stub = await startStub()
      const env = { SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl }
      const result = await run(env, ['--tracking-plan', PLAN])
      expect(result.err).toEqual([])
      expect(result.code).toBe(0)
      const all = calls(stub)
      expect(all.slice(all.indexOf('POST /sources') + 1)).toEqual(AFTER_SOURCE)
      const [created] = stub.trackingPlans
      expect(created).toEqual({
        id: 'tp_4',
        name: PLAN,
        description: "LaunchDarkly's Segment export schema, as the LaunchDarkly Events source function emits it.",
        type: 'LIVE',
        // Exactly the plan the schema declares, as the build wrote it.
        rules: trackingPlan().rules,
        sourceIds: ['src_3']
      })
      expect(created.rules).toHaveLength(4)
      expect(result.out).toContain(
        `created tracking plan "${PLAN}" with 4 rules (tracking plan ID: tp_4), connected to source "launchdarkly-events"`
      )
    })

    test('a second run finds the plan by name, replaces its rules and leaves the connection', async () => {
      stub = await startStub()
      const env = { SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl }
      await run(env, [`--tracking-plan=${PLAN}`])
      stub.trackingPlans[0].rules = [{ type: 'TRACK', key: 'edited in Segment', version: 3, jsonSchema: {} }]
      stub.requests.length = 0
      const second = await run(env, [`--tracking-plan=${PLAN}`])
      expect(second.code).toBe(0)
      const all = calls(stub)
      expect(all.slice(all.indexOf('GET /tracking-plans?pagination[count]=200'))).toEqual([
        'GET /tracking-plans?pagination[count]=200',
        'PUT /tracking-plans/tp_4/rules',
        'GET /tracking-plans/tp_4/sources?pagination[count]=200'
      ])
      expect(stub.trackingPlans).toHaveLength(1)
      expect(stub.trackingPlans[0]).toMatchObject({ rules: trackingPlan().rules, sourceIds: ['src_3'] })
      expect(second.out).toContain(
        `updated tracking plan "${PLAN}" with 4 rules (tracking plan ID: tp_4), already connected to source "launchdarkly-events"`
      )
    })

    test('--dry-run prints the tracking plan calls, the rules by name', async () => {
      const noNetwork = (() => {
        throw new Error('a dry run must not send anything')
      }) as unknown as typeof fetch
      const base = 'http://127.0.0.1:9'
      const result = await run({ SEGMENT_API_BASE: base }, ['--dry-run', '--tracking-plan', PLAN], noNetwork)
      expect(result.code).toBe(0)
      const lines = result.out.filter((line) => line.startsWith('would call: '))
      expect(lines.slice(-5)).toEqual([
        `would call: GET ${base}/tracking-plans?pagination[count]=200`,
        `would call: POST ${base}/tracking-plans {"name":"${PLAN}","description":"LaunchDarkly's Segment export schema, as the LaunchDarkly Events source function emits it.","type":"LIVE"}`,
        `would call: PUT ${base}/tracking-plans/<new tracking plan ID>/rules {"rules":"<4 rules from dist/tracking-plan.json: TRACK feature, TRACK click, PAGE, TRACK custom>"}`,
        `would call: GET ${base}/tracking-plans/<new tracking plan ID>/sources?pagination[count]=200`,
        `would call: POST ${base}/tracking-plans/<new tracking plan ID>/sources {"sourceId":"<new source ID>"}`
      ])
    })

    test('without a built tracking plan: says to run the build, and calls nothing', async () => {
      stub = await startStub()
      await rm(path.join(distDir, 'tracking-plan.json'))
      const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl }, [
        '--tracking-plan',
        PLAN
      ])
      expect(result.code).toBe(1)
      expect(result.err[0]).toMatch(/^deploy failed: .*tracking-plan\.json.* \(run `npm run build` first\)$/)
      expect(stub.requests).toEqual([])
    })
  })

  test('an unknown argument: exit 2 with the usage', async () => {
    const result = await run({}, ['--sauce', 'web'])
    expect(result).toEqual({
      code: 2,
      out: [],
      err: [
        'unknown argument "--sauce"\nusage: npm run deploy -- [--dry-run] [--source <slug of the source to connect the destination function to>] [--tracking-plan <name of the tracking plan to create or update>]'
      ]
    })
  })

  test('SEGMENT_FUNCTION_NAME picks the display name', async () => {
    stub = await startStub()
    const result = await run({
      SEGMENT_PUBLIC_API_TOKEN: TOKEN,
      SEGMENT_API_BASE: stub.baseUrl,
      SEGMENT_FUNCTION_NAME: 'LD (staging)'
    })
    expect(result.code).toBe(0)
    expect(stub.functions[0].displayName).toBe('LD (staging)')
  })

  test('a missing token prints "deploy failed" to stderr and exits 1', async () => {
    stub = await startStub()
    const result = await run({ SEGMENT_API_BASE: stub.baseUrl })
    expect(result.code).toBe(1)
    expect(result.out).toEqual([])
    expect(result.err).toHaveLength(1)
    expect(result.err[0]).toMatch(/^deploy failed: .*SEGMENT_PUBLIC_API_TOKEN/)
    expect(stub.requests).toHaveLength(0)
  })

  test('an API failure prints "deploy failed" without the token', async () => {
    stub = await startStub({ override: (req) => json(403, { errors: [{ message: `bad ${req.authorization}` }] }) })
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl })
    expect(result.code).toBe(1)
    expect(result.err[0]).toMatch(/^deploy failed: the Segment Public API refused the token/)
    expect(result.err[0]).not.toContain(TOKEN)
  })

  test('a missing build says to run the build', async () => {
    await rm(path.join(distDir, 'destinations', 'launchdarkly-events.js'))
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN })
    expect(result.code).toBe(1)
    expect(result.err[0]).toMatch(/^deploy failed: .*launchdarkly-events\.js.*npm run build/)
  })
})
