/**
 * `npm run deploy` against a local stand-in of the Segment Public API: a real HTTP
 * server on 127.0.0.1 with in-memory functions, so requests go through the real fetch.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { SettingDeclaration } from '../../shared'
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
  displayName: string
  resourceType: string
  code: string
  settings: unknown
  deployments: number
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
  close: () => Promise<void>
}

interface StubOptions {
  /** Page size the server uses whatever the client asks for, to force pagination. */
  pageSize?: number
  seed?: Array<Pick<StoredFunction, 'displayName'> & Partial<StoredFunction>>
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
    id: `sfn_seed${nextId++}`,
    resourceType: 'SOURCE',
    code: '',
    settings: [],
    deployments: 0,
    ...f
  }))

  const route = (req: Recorded): Reply => {
    if (req.authorization !== `Bearer ${TOKEN}`) {
      return json(401, { errors: [{ type: 'unauthorized', message: 'Unauthorized' }] })
    }
    const url = new URL(req.url, 'http://stub')
    const parts = url.pathname.split('/').filter(Boolean)

    if (req.method === 'GET' && url.pathname === '/functions') {
      const matching = functions.filter((f) => f.resourceType === url.searchParams.get('resourceType'))
      const count = Number(url.searchParams.get('pagination[count]') ?? 10)
      const size = Math.min(count, options.pageSize ?? count)
      const offset = Number(url.searchParams.get('pagination[cursor]') ?? 0)
      const page = matching.slice(offset, offset + size)
      const next = offset + size < matching.length ? String(offset + size) : null
      return json(200, {
        data: {
          functions: page.map(({ id, displayName, resourceType }) => ({ id, displayName, resourceType })),
          pagination: { current: String(offset), next, totalEntries: matching.length }
        }
      })
    }
    if (req.method === 'POST' && url.pathname === '/functions') {
      const body = req.body as Record<string, unknown>
      const created: StoredFunction = {
        id: `sfn_${nextId++}`,
        displayName: String(body.displayName),
        resourceType: String(body.resourceType),
        code: String(body.code),
        settings: body.settings,
        deployments: 0
      }
      functions.push(created)
      return json(200, { data: { function: { id: created.id, displayName: created.displayName } } })
    }
    const fn = parts[0] === 'functions' ? functions.find((f) => f.id === parts[1]) : undefined
    if (!fn) return json(404, { errors: [{ type: 'not-found', message: 'Resource not found' }] })
    if (req.method === 'PATCH' && parts.length === 2) {
      const body = req.body as Record<string, unknown>
      if (typeof body.code === 'string') fn.code = body.code
      if (body.settings !== undefined) fn.settings = body.settings
      return json(200, { data: { function: { id: fn.id, displayName: fn.displayName } } })
    }
    if (req.method === 'POST' && parts[2] === 'deploy') {
      fn.deployments++
      return json(200, { data: {} })
    }
    return json(404, { errors: [{ type: 'not-found', message: 'Resource not found' }] })
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const recorded: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: text === '' ? undefined : JSON.parse(text)
      }
      requests.push(recorded)
      const reply = options.override?.(recorded) ?? route(recorded)
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    functions,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
  }
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

    expect(result).toEqual({ action: 'created', functionId: 'sfn_2', deployed: true })
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

    expect(second).toEqual({ action: 'updated', functionId: first.functionId, deployed: true })
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

    expect(result).toEqual({ action: 'updated', functionId: 'sfn_seed5', deployed: true })
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

describe('main (the npm run deploy CLI)', () => {
  let distDir: string
  beforeEach(async () => {
    distDir = await mkdtemp(path.join(os.tmpdir(), 'deploy-test-'))
    await mkdir(path.join(distDir, 'sources'))
    await writeFile(path.join(distDir, 'sources', 'launchdarkly.js'), CODE)
    await writeFile(path.join(distDir, 'sources', 'launchdarkly.settings.json'), JSON.stringify(SETTINGS))
  })
  afterEach(async () => {
    await rm(distDir, { recursive: true, force: true })
  })

  function run(env: NodeJS.ProcessEnv) {
    const out: string[] = []
    const err: string[] = []
    const exitCode = main(env, { out: (l) => out.push(l), err: (l) => err.push(l), distDir })
    return exitCode.then((code) => ({ code, out, err }))
  }

  test('creates, deploys and prints the function ID; a second run updates', async () => {
    stub = await startStub()
    const env = { SEGMENT_PUBLIC_API_TOKEN: TOKEN, SEGMENT_API_BASE: stub.baseUrl }

    const first = await run(env)
    expect(first.code).toBe(0)
    expect(first.err).toEqual([])
    expect(first.out).toContain(`created source function "${NAME}" and deployed it`)
    expect(first.out).toContain('function ID: sfn_1')
    // What was deployed is exactly what the build wrote.
    expect(stub.functions[0]).toMatchObject({ displayName: NAME, code: CODE, settings: SETTINGS, deployments: 1 })

    const second = await run(env)
    expect(second.code).toBe(0)
    expect(second.out).toContain(`updated source function "${NAME}" and deployed it`)
    expect(second.out).toContain('function ID: sfn_1')
    for (const line of [...first.out, ...second.out]) expect(line).not.toContain(TOKEN)
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
    await rm(path.join(distDir, 'sources', 'launchdarkly.js'))
    const result = await run({ SEGMENT_PUBLIC_API_TOKEN: TOKEN })
    expect(result.code).toBe(1)
    expect(result.err[0]).toMatch(/^deploy failed: .*launchdarkly\.js.*npm run build/)
  })
})
