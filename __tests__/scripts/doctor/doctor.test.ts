// `npm run doctor` as a user meets it: the exact lines and exit code for a configuration
// that works, and for each way one commonly does not, against a stand-in of LaunchDarkly's
// REST API and client-side SDK service on 127.0.0.1. Secrets never reach the output.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, Server as HttpServer } from 'node:http'
import { createServer, Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { main } from '../../../scripts/doctor'
import { nodeFetch } from '../../../scripts/node-fetch'
import type { Fetch } from '../../../segment-functions/globals'
import {
  CLIENT_SIDE_ID,
  ENVIRONMENTS,
  FLAG_COUNT,
  launchDarklyStandIn,
  LaunchDarklyStandIn,
  OTHER_CLIENT_SIDE_ID,
  OTHER_PROJECT,
  PROJECT,
  Reply,
  TOKEN
} from './launchdarkly-stand-in'

const ROOT = join(__dirname, '..', '..', '..')
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href

const WRITE_KEY = 'wk_9Qx2Lm7Rt4Vb8Nc1Zp6Hs3'
const INGEST_TOKENS = 'ingest-Jd8Fk2Lq9Wm4,sdk-1a2b3c4d-5e6f-7a8b-9c0d-112233445566'
const WEBHOOK_SECRET = 'whsec-Ty5Ur8Io2Pa6Sd9F'
const SDK_KEY = 'sdk-0f9e8d7c-6b5a-4c3d-2e1f-a0b1c2d3e4f5'

// Child processes on a machine shared with other suites; one check waits for a 2.5 s time-out.
jest.setTimeout(30_000)

let dir: string
/** A project folder with a fresh build and no code: the build line is `ok`. */
let project: string
let dataDir: string
let port: number
let standIn: LaunchDarklyStandIn
let script: (request: { path: string }) => Reply | undefined = () => undefined

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function built(root: string): void {
  for (const file of [
    'dist/runtime/server.js',
    'dist/sources/launchdarkly.js',
    'dist/destinations/launchdarkly-events.js'
  ]) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), '')
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ld-doctor-'))
  project = join(dir, 'project')
  built(project)
  dataDir = join(dir, 'data')
  mkdirSync(dataDir)
  port = await freePort()
  standIn = await launchDarklyStandIn((request) => script(request))
})
afterAll(async () => {
  await standIn.close()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  script = () => undefined
  standIn.received.length = 0
})

/** Only what a test sets, never this process's environment. */
function envOf(extra: Record<string, string>): Record<string, string> {
  return {
    PORT: String(port),
    LD_SEGMENT_DATA_DIR: dataDir,
    LD_API_BASE_URL: standIn.url,
    LD_SDK_BASE_URL: standIn.url,
    ...extra
  }
}

const WORKING = {
  LD_PROJECT_ID: PROJECT._id,
  LD_ENVIRONMENT_ID: CLIENT_SIDE_ID,
  LD_CLIENT_SIDE_ID: CLIENT_SIDE_ID,
  LD_ACCESS_TOKEN: TOKEN,
  SEGMENT_WRITE_KEY: WRITE_KEY
}

/** Nothing in a test may reach the internet: LaunchDarkly's own URLs are sent to the stand-in, or refused. */
const localOnly =
  (rewrite: Record<string, string> = {}): Fetch =>
  (url, init) => {
    const origin = Object.keys(rewrite).find((from) => url.startsWith(from))
    const local = origin === undefined ? url : rewrite[origin] + url.slice(origin.length)
    if (!local.startsWith('http://127.0.0.1:')) return Promise.reject(new Error(`a test tried to reach ${url}`))
    return nodeFetch(local, init)
  }

async function doctor(
  env: Record<string, string>,
  options: { args?: string[]; tty?: boolean; projectRoot?: string; fetch?: Fetch } = {}
): Promise<{ code: number; lines: string[]; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(
    options.args ?? [],
    env,
    {
      stdout: { write: (text) => (stdout += text), isTTY: options.tty },
      stderr: { write: (text) => (stderr += text) }
    },
    { projectRoot: options.projectRoot ?? project, fetch: options.fetch ?? localOnly() }
  )
  return { code, lines: stdout.trimEnd().split('\n'), stdout, stderr }
}

const VARIABLES_LINE = (names: string) =>
  `ok    the ${names.split(', ').length} variables set parse: ${names} (the others take their defaults)`
const CLIENT_SIDE_UNSET =
  'warn  LD_CLIENT_SIDE_ID is not set: the destination function (/destination-functions/launchdarkly-events) cannot send Segment events to LaunchDarkly — fix: only for the Segment → LaunchDarkly direction: set LD_CLIENT_SIDE_ID to the client-side ID of the environment to send to (LaunchDarkly: Project settings → Environments; the client-side ID, not the SDK key or mobile key)'
const NO_TOKEN =
  "skip  LaunchDarkly's REST API: not checked, as LD_ACCESS_TOKEN is not set (feature events go out without variation names; an API access token with the Reader role adds them)"
const NDJSON_SINK = () =>
  `warn  SEGMENT_WRITE_KEY is not set: the relay appends Segment calls to ${dataDir}/segment-events.ndjson and sends nothing to Segment — fix: to send them to Segment, set SEGMENT_WRITE_KEY to the write key of your Segment source (Segment: Connections → Sources → the source → Settings → API Keys)`
const DATA_DIR_NDJSON = () => `ok    LD_SEGMENT_DATA_DIR ${dataDir} can be written (the NDJSON sink file lives there)`
const PORT_FREE = () => `ok    PORT ${port} is free on 127.0.0.1`
const BUILD_OK = 'ok    dist/ is built from the current code'
const TOKEN_ACCEPTED = () => `ok    LaunchDarkly accepted LD_ACCESS_TOKEN (GET ${standIn.url}/api/v2/projects)`
const PROJECT_ID_FIX =
  'set LD_PROJECT_ID to your project\'s ID; to find it, set LD_ACCESS_TOKEN (an API access token with the Reader role) and run npm run doctor again: it lists the projects the token can read with their IDs (the "_id" of each project in GET https://app.launchdarkly.com/api/v2/projects)'
const TOKEN_FIX =
  'create an API access token with the Reader role (LaunchDarkly: Organization settings → Authorization → Create token) and set LD_ACCESS_TOKEN to it; or unset LD_ACCESS_TOKEN to send feature events without variation names'

describe('npm run doctor', () => {
  it('all good: every check ok, exit 0, and only GET requests, the token only to the REST API', async () => {
    const { code, lines } = await doctor(envOf(WORKING))
    expect(lines).toEqual([
      VARIABLES_LINE(
        'PORT, LD_SEGMENT_DATA_DIR, SEGMENT_WRITE_KEY, LD_SDK_BASE_URL, LD_CLIENT_SIDE_ID, LD_PROJECT_ID, LD_ENVIRONMENT_ID, LD_ACCESS_TOKEN, LD_API_BASE_URL'
      ),
      `ok    LD_PROJECT_ID is set (${PROJECT._id})`,
      `ok    LD_ENVIRONMENT_ID is set (${CLIENT_SIDE_ID})`,
      `ok    LD_CLIENT_SIDE_ID is set (${CLIENT_SIDE_ID})`,
      `ok    LaunchDarkly knows the client-side ID ${CLIENT_SIDE_ID} (LD_ENVIRONMENT_ID, LD_CLIENT_SIDE_ID)`,
      TOKEN_ACCEPTED(),
      `ok    LD_PROJECT_ID ${PROJECT._id} is the project with the key ${PROJECT.key} (looked up in GET ${standIn.url}/api/v2/projects)`,
      `ok    LD_ACCESS_TOKEN can read the flags of project ${PROJECT.key} (${FLAG_COUNT} flags): feature events get variation names`,
      `ok    SEGMENT_WRITE_KEY is set: Segment calls go to https://api.segment.io through the outbox in ${dataDir}/outbox (doctor sends nothing to Segment, so the key itself is not checked)`,
      `ok    LD_SEGMENT_DATA_DIR ${dataDir} can be written (the outbox lives there)`,
      PORT_FREE(),
      BUILD_OK,
      'passed: 0 failed, 0 warnings, 12 ok, 0 skipped.'
    ])
    expect(code).toBe(0)
    expect(standIn.received.map((r) => `${r.method} ${r.path} ${r.headers.authorization ?? '-'}`).sort()).toEqual(
      [
        `GET /api/v2/flags/${PROJECT.key}?limit=1 ${TOKEN}`,
        `GET /api/v2/projects/${PROJECT.key}/environments ${TOKEN}`,
        // Twice: the token check, then the function's own lookup, which pages on to find the project.
        `GET /api/v2/projects ${TOKEN}`,
        `GET /api/v2/projects ${TOKEN}`,
        `GET /api/v2/projects?limit=1&offset=1 ${TOKEN}`,
        `GET /sdk/goals/${CLIENT_SIDE_ID} -`
      ].sort()
    )
  })

  it('nothing set: the IDs fail with what breaks and where to find them; exit 1', async () => {
    const { code, lines } = await doctor({ PORT: String(port), LD_SEGMENT_DATA_DIR: dataDir })
    expect(lines).toEqual([
      VARIABLES_LINE('PORT, LD_SEGMENT_DATA_DIR'),
      `FAIL  LD_PROJECT_ID is not set: the relay rejects SDK events with 400 (they name no project) — fix: ${PROJECT_ID_FIX}`,
      'FAIL  LD_ENVIRONMENT_ID is not set: the relay rejects server-side SDK events (/bulk, /mobile) with 400 (they name no environment) — fix: set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use (LaunchDarkly: Project settings → Environments; the client-side ID, not the SDK key or mobile key)',
      CLIENT_SIDE_UNSET,
      NO_TOKEN,
      NDJSON_SINK(),
      DATA_DIR_NDJSON(),
      PORT_FREE(),
      BUILD_OK,
      'FAILED: 2 failed, 2 warnings, 4 ok, 1 skipped. Fix the FAIL lines, then run npm run doctor again.'
    ])
    expect(code).toBe(1)
    expect(standIn.received).toEqual([])
  })

  it('missing IDs with a token and LD_PROJECT_KEY: the fixes give the project ID and list the client-side IDs', async () => {
    const { code, lines, stdout } = await doctor(envOf({ LD_PROJECT_KEY: PROJECT.key, LD_ACCESS_TOKEN: TOKEN }))
    expect(lines.slice(1, 3)).toEqual([
      `FAIL  LD_PROJECT_ID is not set: the relay rejects SDK events with 400 (they name no project) — fix: set LD_PROJECT_ID=${PROJECT._id} (the ID of project ${PROJECT.key})`,
      `FAIL  LD_ENVIRONMENT_ID is not set: the relay rejects server-side SDK events (/bulk, /mobile) with 400 (they name no environment) — fix: set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use (environments of project ${PROJECT.key}, key → client-side ID: production → ${ENVIRONMENTS[0]._id}, test → ${ENVIRONMENTS[1]._id})`
    ])
    expect(lines[3]).toBe(
      `warn  LD_CLIENT_SIDE_ID is not set: the destination function (/destination-functions/launchdarkly-events) cannot send Segment events to LaunchDarkly — fix: only for the Segment → LaunchDarkly direction: set LD_CLIENT_SIDE_ID to the client-side ID of the environment to send to (environments of project ${PROJECT.key}, key → client-side ID: production → ${ENVIRONMENTS[0]._id}, test → ${ENVIRONMENTS[1]._id})`
    )
    expect(lines.slice(4, 7)).toEqual([
      TOKEN_ACCEPTED(),
      `ok    LD_PROJECT_KEY is set (${PROJECT.key})`,
      `ok    LD_ACCESS_TOKEN can read the flags of project ${PROJECT.key} (${FLAG_COUNT} flags): feature events get variation names`
    ])
    expect(code).toBe(1)
    // The environments' SDK and mobile keys came with the list; none is shown.
    for (const { apiKey, mobileKey } of ENVIRONMENTS)
      for (const key of [apiKey, mobileKey]) expect(stdout).not.toContain(key.slice(4, 12))
  })

  it('missing IDs with only a token: the fix lists the projects it can read', async () => {
    const { lines } = await doctor(envOf({ LD_ACCESS_TOKEN: TOKEN }))
    expect(lines[1]).toBe(
      `FAIL  LD_PROJECT_ID is not set: the relay rejects SDK events with 400 (they name no project) — fix: set LD_PROJECT_ID to the ID of your project (projects LD_ACCESS_TOKEN can read, key → ID: other → ${OTHER_PROJECT._id}, …)`
    )
    expect(lines[5]).toBe(
      'skip  project key and flags: not checked, as neither LD_PROJECT_ID nor LD_PROJECT_KEY is set'
    )
  })

  it('a bad variable: one FAIL per variable, with the accepted values and the default; the checks that need it are skipped', async () => {
    const { code, lines } = await doctor(
      envOf({
        ...WORKING,
        LD_INCLUDE_CUSTOM_DATA: 'yes',
        LD_API_BASE_URL: 'ftp://app.launchdarkly.com',
        HOST: 'my host'
      })
    )
    expect(lines.slice(0, 3)).toEqual([
      'FAIL  HOST must be an IP address or host name, such as 127.0.0.1 or 0.0.0.0, found "my host" — fix: change HOST to an accepted value, or unset it (default: 127.0.0.1)',
      'FAIL  LD_API_BASE_URL must be an http(s) URL such as https://example.com, found "ftp://app.launchdarkly.com" — fix: change LD_API_BASE_URL to an accepted value, or unset it (default: https://app.launchdarkly.com)',
      'FAIL  LD_INCLUDE_CUSTOM_DATA must be true, false, 1 or 0, found "yes" — fix: change LD_INCLUDE_CUSTOM_DATA to an accepted value, or unset it (default: false)'
    ])
    expect(lines).toContain(
      "skip  LaunchDarkly's REST API: not checked, as LD_API_BASE_URL is not accepted (see above)"
    )
    expect(lines).toContain('skip  HOST and PORT: not checked, as HOST is not accepted (see above)')
    // The rest is checked as configured.
    expect(lines).toContain(
      `ok    LaunchDarkly knows the client-side ID ${CLIENT_SIDE_ID} (LD_ENVIRONMENT_ID, LD_CLIENT_SIDE_ID)`
    )
    expect(lines[lines.length - 1]).toBe(
      'FAILED: 3 failed, 0 warnings, 7 ok, 2 skipped. Fix the FAIL lines, then run npm run doctor again.'
    )
    expect(code).toBe(1)
    // Never the default API with the token instead of the URL the user meant.
    expect(standIn.received.map((r) => r.path)).toEqual([`/sdk/goals/${CLIENT_SIDE_ID}`])
  })

  it('a variable name with a typo: a warning naming the variable meant', async () => {
    const { code, lines } = await doctor(envOf({ ...WORKING, LD_PROJECTID: PROJECT._id }))
    expect(lines[1]).toBe(
      'warn  LD_PROJECTID is set, but the relay reads no such variable — fix: rename it to LD_PROJECT_ID'
    )
    expect(code).toBe(0)
  })

  it('token refused: the HTTP status and how to make a Reader token; project and flags skipped', async () => {
    const { code, lines } = await doctor(envOf({ ...WORKING, LD_ACCESS_TOKEN: 'api-00000000-not-the-right-one' }))
    expect(lines.slice(5, 7)).toEqual([
      `FAIL  LaunchDarkly refused LD_ACCESS_TOKEN (HTTP 401) — fix: ${TOKEN_FIX}`,
      'skip  project key and flags: not checked, as they need an access token LaunchDarkly accepts'
    ])
    expect(code).toBe(1)
  })

  it('an SDK key as the access token: said so, without showing it', async () => {
    const { lines, stdout } = await doctor(envOf({ ...WORKING, LD_ACCESS_TOKEN: SDK_KEY }))
    expect(lines[5]).toBe(
      `FAIL  LaunchDarkly refused LD_ACCESS_TOKEN (HTTP 401); it holds a server-side SDK key (sdk-…), not an API access token — fix: ${TOKEN_FIX}`
    )
    expect(stdout).not.toContain(SDK_KEY.slice(4, 12))
  })

  it('a 403 to the flags: the token may not read them', async () => {
    script = (request) => (request.path.startsWith('/api/v2/flags/') ? { status: 403 } : undefined)
    const { code, lines } = await doctor(envOf(WORKING))
    expect(lines[7]).toBe(
      `FAIL  LaunchDarkly refused LD_ACCESS_TOKEN the flags of project ${PROJECT.key} (HTTP 403 to GET ${standIn.url}/api/v2/flags/${PROJECT.key}?limit=1) — fix: give the token the Reader role, or a custom role that can read the flags of project ${PROJECT.key} (LaunchDarkly: Organization settings → Authorization)`
    )
    expect(code).toBe(1)
  })

  describe('project not found', () => {
    it('LD_PROJECT_KEY that LaunchDarkly does not know: 404 on the flags', async () => {
      const { code, lines } = await doctor(envOf({ ...WORKING, LD_PROJECT_ID: '', LD_PROJECT_KEY: 'shopp' }))
      expect(lines.slice(6, 8)).toEqual([
        'ok    LD_PROJECT_KEY is set (shopp)',
        `FAIL  LaunchDarkly knows no project with the key shopp (GET ${standIn.url}/api/v2/flags/shopp?limit=1 answered 404) — fix: set LD_PROJECT_KEY to your project's key (LaunchDarkly: Project settings), or unset it to have it looked up from LD_PROJECT_ID`
      ])
      expect(code).toBe(1)
    })

    it('LD_PROJECT_ID that no project has, after every page of projects', async () => {
      const { code, lines } = await doctor(envOf({ ...WORKING, LD_PROJECT_ID: '5f0c1a2b3c4d5e6f7a8b0000' }))
      expect(lines[6]).toBe(
        `FAIL  no project LD_ACCESS_TOKEN can read has the ID 5f0c1a2b3c4d5e6f7a8b0000 (LD_PROJECT_ID), in 10 pages of GET ${standIn.url}/api/v2/projects — fix: set LD_PROJECT_ID to the ID of your project (projects LD_ACCESS_TOKEN can read, key → ID: other → ${OTHER_PROJECT._id}, …)`
      )
      expect(lines).toHaveLength(12)
      expect(code).toBe(1)
    })

    it("the project's key in LD_PROJECT_ID: the fix gives its ID", async () => {
      const { lines } = await doctor(envOf({ ...WORKING, LD_PROJECT_ID: PROJECT.key }))
      expect(lines[6]).toBe(
        `FAIL  LD_PROJECT_ID is ${PROJECT.key}: that is a project's key, not its ID — fix: set LD_PROJECT_ID=${PROJECT._id} (and LD_PROJECT_KEY=${PROJECT.key} to skip the lookup)`
      )
    })

    it('LD_PROJECT_KEY of another project than LD_PROJECT_ID', async () => {
      const { lines } = await doctor(envOf({ ...WORKING, LD_PROJECT_KEY: 'other' }))
      expect(lines[6]).toBe(
        `FAIL  LD_PROJECT_KEY is other, but the project of LD_PROJECT_ID (${PROJECT._id}) has the key ${PROJECT.key} — fix: set LD_PROJECT_KEY=${PROJECT.key}, or unset it to have the key looked up from LD_PROJECT_ID`
      )
    })
  })

  describe('LaunchDarkly unavailable: nothing to change, try again', () => {
    const retry = (url: string) =>
      `run npm run doctor again later (LaunchDarkly's status: https://status.launchdarkly.com); if it persists, check ${url} and this machine's network (proxy, firewall)`

    it('503 from the REST API', async () => {
      script = (request) => (request.path.startsWith('/api/') ? { status: 503 } : undefined)
      const { code, lines } = await doctor(envOf(WORKING))
      expect(lines.slice(5, 7)).toEqual([
        `FAIL  LaunchDarkly's REST API is unavailable (HTTP 503 to GET ${standIn.url}/api/v2/projects) — fix: ${retry(
          'LD_API_BASE_URL'
        )}`,
        'skip  project key and flags: not checked, as they need an access token LaunchDarkly accepts'
      ])
      expect(code).toBe(1)
    })

    it('429 from the REST API', async () => {
      script = (request) => (request.path.startsWith('/api/') ? { status: 429 } : undefined)
      const { lines } = await doctor(envOf(WORKING))
      expect(lines[5]).toBe(
        `FAIL  LaunchDarkly's REST API is rate-limiting requests (HTTP 429 to GET ${standIn.url}/api/v2/projects) — fix: run npm run doctor again in a minute`
      )
    })

    it('429 while paging for the project', async () => {
      script = (request) => (request.path.includes('offset=1') ? { status: 429 } : undefined)
      const { lines } = await doctor(envOf(WORKING))
      expect(lines.slice(5, 7)).toEqual([
        TOKEN_ACCEPTED(),
        `FAIL  LaunchDarkly's REST API is rate-limiting requests (HTTP 429 to GET ${standIn.url}/api/v2/projects) — fix: run npm run doctor again in a minute`
      ])
    })

    it('no answer in time', async () => {
      script = (request) => (request.path.startsWith('/api/') ? 'hold' : undefined)
      const { code, lines } = await doctor(envOf(WORKING))
      expect(lines[5]).toBe(
        `FAIL  LaunchDarkly's REST API did not answer GET ${standIn.url}/api/v2/projects within 2500 ms — fix: run npm run doctor again later; if it persists, check LD_API_BASE_URL and this machine's network (proxy, firewall)`
      )
      expect(code).toBe(1)
    })

    it('nothing listening: cannot reach the URL', async () => {
      const closed = `http://127.0.0.1:${await freePort()}`
      const { code, lines } = await doctor(envOf({ ...WORKING, LD_API_BASE_URL: closed, LD_SDK_BASE_URL: closed }))
      expect(lines.slice(4, 6)).toEqual([
        `FAIL  cannot reach LaunchDarkly's client-side SDK service at ${closed}/sdk/goals/${CLIENT_SIDE_ID} (fetch failed: connect ECONNREFUSED ${closed.slice(
          7
        )}) — fix: check LD_SDK_BASE_URL (unset, it is https://clientsdk.launchdarkly.com) and that this machine can reach it (DNS, proxy, firewall)`,
        `FAIL  cannot reach LaunchDarkly's REST API at ${closed}/api/v2/projects (fetch failed: connect ECONNREFUSED ${closed.slice(
          7
        )}) — fix: check LD_API_BASE_URL (unset, it is https://app.launchdarkly.com) and that this machine can reach it (DNS, proxy, firewall)`
      ])
      expect(code).toBe(1)
    })

    it('a URL that is not the API: 404 to the projects', async () => {
      script = (request) => (request.path === '/api/v2/projects' ? { status: 404 } : undefined)
      const { lines } = await doctor(envOf(WORKING))
      expect(lines[5]).toBe(
        `FAIL  LaunchDarkly's REST API answered HTTP 404 to GET ${standIn.url}/api/v2/projects: LD_API_BASE_URL does not look like it — fix: set LD_API_BASE_URL to https://app.launchdarkly.com (or your LaunchDarkly instance's), or unset it`
      )
    })
  })

  describe('client-side IDs', () => {
    const ENVIRONMENT_LIST = `(environments of project ${PROJECT.key}, key → client-side ID: production → ${ENVIRONMENTS[0]._id}, test → ${ENVIRONMENTS[1]._id})`

    it('unknown to LaunchDarkly: FAIL naming every variable that holds it', async () => {
      const { code, lines } = await doctor(
        envOf({
          ...WORKING,
          LD_CLIENT_SIDE_ID: 'not-an-environment',
          LD_CLIENT_SIDE_IDS: `${CLIENT_SIDE_ID},not-an-environment`
        })
      )
      expect(lines.slice(4, 6)).toEqual([
        `ok    LaunchDarkly knows the client-side ID ${CLIENT_SIDE_ID} (LD_ENVIRONMENT_ID, LD_CLIENT_SIDE_IDS)`,
        `FAIL  LaunchDarkly knows no environment with the client-side ID not-an-environment (LD_CLIENT_SIDE_ID, LD_CLIENT_SIDE_IDS): GET ${standIn.url}/sdk/goals/not-an-environment answered 404 — fix: set LD_CLIENT_SIDE_ID and LD_CLIENT_SIDE_IDS to the client-side ID of your environment ${ENVIRONMENT_LIST}`
      ])
      expect(code).toBe(1)
    })

    it('an SDK key where a client-side ID belongs: FAIL, never shown, never sent', async () => {
      const { code, lines, stdout } = await doctor(envOf({ ...WORKING, LD_ENVIRONMENT_ID: SDK_KEY }))
      expect(lines[2]).toBe(
        `FAIL  LD_ENVIRONMENT_ID holds a server-side SDK key (sdk-…), not an ID — fix: set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use ${ENVIRONMENT_LIST}; and keep the key a secret (this output never shows it)`
      )
      expect(stdout).not.toContain(SDK_KEY.slice(4))
      expect(standIn.received.some((r) => r.path.includes(SDK_KEY.slice(4)))).toBe(false)
      expect(code).toBe(1)
    })

    it("an environment's key where its client-side ID belongs: the fix gives the ID", async () => {
      const { lines } = await doctor(envOf({ ...WORKING, LD_ENVIRONMENT_ID: 'production' }))
      expect(lines[4]).toBe(
        `FAIL  LaunchDarkly knows no environment with the client-side ID production (LD_ENVIRONMENT_ID): GET ${standIn.url}/sdk/goals/production answered 404 — fix: set LD_ENVIRONMENT_ID to ${ENVIRONMENTS[0]._id}, the client-side ID of environment production (production is its key)`
      )
    })

    it("an environment of another project than LD_PROJECT_ID's: FAIL; for the destination's LD_CLIENT_SIDE_ID that is fine", async () => {
      const { code, lines } = await doctor(
        envOf({ ...WORKING, LD_ENVIRONMENT_ID: OTHER_CLIENT_SIDE_ID, LD_CLIENT_SIDE_ID: OTHER_CLIENT_SIDE_ID })
      )
      expect(lines[4]).toBe(
        `FAIL  LaunchDarkly knows the client-side ID ${OTHER_CLIENT_SIDE_ID} (LD_ENVIRONMENT_ID, LD_CLIENT_SIDE_ID), but it is not an environment of project ${PROJECT.key}: events would name a project and an environment that do not belong together — fix: set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use ${ENVIRONMENT_LIST}, or LD_PROJECT_ID to the ID of its project`
      )
      expect(code).toBe(1)
      const destinationOnly = await doctor(envOf({ ...WORKING, LD_CLIENT_SIDE_ID: OTHER_CLIENT_SIDE_ID }))
      expect(destinationOnly.lines.slice(4, 6)).toEqual([
        `ok    LaunchDarkly knows the client-side ID ${CLIENT_SIDE_ID} (LD_ENVIRONMENT_ID)`,
        `ok    LaunchDarkly knows the client-side ID ${OTHER_CLIENT_SIDE_ID} (LD_CLIENT_SIDE_ID)`
      ])
      expect(destinationOnly.code).toBe(0)
    })

    it('another LaunchDarkly instance: a 404 fix says to set its SDK URL too', async () => {
      const { lines } = await doctor(
        { ...envOf({ ...WORKING, LD_CLIENT_SIDE_ID: 'eu-environment' }), LD_SDK_BASE_URL: '' },
        { fetch: localOnly({ 'https://clientsdk.launchdarkly.com': standIn.url }) }
      )
      expect(lines[5]).toBe(
        `FAIL  LaunchDarkly knows no environment with the client-side ID eu-environment (LD_CLIENT_SIDE_ID): GET https://clientsdk.launchdarkly.com/sdk/goals/eu-environment answered 404 — fix: set LD_CLIENT_SIDE_ID to the client-side ID of your environment ${ENVIRONMENT_LIST}; for a LaunchDarkly instance other than https://app.launchdarkly.com, set LD_SDK_BASE_URL to its client-side SDK URL`
      )
    })
  })

  it('secrets never appear in the output, not even 8 characters of one', async () => {
    const secrets = [TOKEN, WRITE_KEY, WEBHOOK_SECRET, SDK_KEY, ...INGEST_TOKENS.split(',')]
    script = (request) =>
      // An answer quoting the token back must not matter: doctor never prints answers.
      request.path.startsWith('/api/') ? { status: 401, body: { message: `bad token ${TOKEN}` } } : undefined
    const env = envOf({
      ...WORKING,
      LD_INGEST_TOKEN: INGEST_TOKENS,
      LD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LD_CLIENT_SIDE_IDS: SDK_KEY,
      // A secret pasted into a variable that is shown when refused.
      LD_LOG_CALLS: WEBHOOK_SECRET
    })
    const text = await doctor(env)
    const json = await doctor(env, { args: ['--json'] })
    expect(text.lines).toContain(
      'FAIL  LD_LOG_CALLS must be true, false, 1 or 0, found "[redacted]" — fix: change LD_LOG_CALLS to an accepted value, or unset it (default: false)'
    )
    for (const output of [text.stdout + text.stderr, json.stdout + json.stderr])
      for (const secret of secrets)
        for (let at = 0; at + 8 <= secret.length; at++) expect(output).not.toContain(secret.slice(at, at + 8))
  })

  it('docs/doctor.md shows the output of the nothing-set case as it is', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'doctor.md'), 'utf8')
    const shown = /```text\n([\s\S]*?)\n```/.exec(doc)?.[1].split('\n')
    const home = join(dir, 'home')
    built(home)
    // PORT only because 8787 may be taken on a machine shared with other work.
    const { lines } = await doctor({ PORT: String(port) }, { projectRoot: home })
    const asDocumented = lines.map((line) =>
      line
        .replace(
          'the variable set parses: PORT (the others take their defaults)',
          'no variable is set: every one takes its default (docs/relay.md lists them)'
        )
        .split(home)
        .join('/home/you/launchdarkly-segment')
        .replace(`PORT ${port} `, 'PORT 8787 ')
    )
    expect(asDocumented).toEqual(shown)
  })

  it('what LaunchDarkly answers cannot break a line: no newline, no terminal escape', async () => {
    script = (request) =>
      request.path.endsWith('/environments')
        ? { status: 200, body: { items: [{ _id: 'id-1', key: 'prod\n\u001b[2Jok    all fine' }], totalCount: 1 } }
        : undefined
    const { lines, stdout } = await doctor(envOf({ ...WORKING, LD_ENVIRONMENT_ID: '' }))
    expect(stdout).not.toContain('\u001b')
    expect(lines[2]).toBe(
      'FAIL  LD_ENVIRONMENT_ID is not set: the relay rejects server-side SDK events (/bulk, /mobile) with 400 (they name no environment) — fix: set LD_ENVIRONMENT_ID to the client-side ID of the environment your SDKs use (environments of project shop, key → client-side ID: "prod\\n\\u001b[2Jok    all fine" → id-1)'
    )
  })

  it('--json: the checks as one JSON line, the exit code as without it', async () => {
    const { code, stdout } = await doctor({ PORT: String(port), LD_SEGMENT_DATA_DIR: dataDir }, { args: ['--json'] })
    expect(stdout.endsWith('\n')).toBe(true)
    expect(stdout.trimEnd().split('\n')).toHaveLength(1)
    const report = JSON.parse(stdout) as { passed: boolean; counts: unknown; checks: Array<Record<string, string>> }
    expect(report.passed).toBe(false)
    expect(report.counts).toEqual({ ok: 4, warn: 2, fail: 2, skip: 1 })
    expect(report.checks.map((c) => `${c.status} ${c.id}`)).toEqual([
      'ok variables',
      'fail project-id',
      'fail environment-id',
      'warn client-side-id',
      'skip access-token',
      'warn sink',
      'ok data-dir',
      'ok port',
      'ok build'
    ])
    expect(report.checks[1]).toEqual({
      id: 'project-id',
      status: 'fail',
      message: 'LD_PROJECT_ID is not set: the relay rejects SDK events with 400 (they name no project)',
      fix: PROJECT_ID_FIX
    })
    expect(code).toBe(1)
  })

  it('colour on a terminal only, and not with NO_COLOR', async () => {
    const env = { PORT: String(port), LD_SEGMENT_DATA_DIR: dataDir }
    const tty = await doctor(env, { tty: true })
    expect(tty.lines[0]).toBe(`\x1b[32mok    \x1b[0m${VARIABLES_LINE('PORT, LD_SEGMENT_DATA_DIR').slice(6)}`)
    expect(tty.lines[1].startsWith('\x1b[31mFAIL  \x1b[0mLD_PROJECT_ID is not set')).toBe(true)
    expect((await doctor({ ...env, NO_COLOR: '' }, { tty: true })).stdout).not.toContain('\x1b[')
    expect((await doctor(env)).stdout).not.toContain('\x1b[')
  })

  it('an unknown option: usage on stderr, exit 2', async () => {
    const { code, stdout, stderr } = await doctor({}, { args: ['--jsn'] })
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.split('\n')[0]).toBe('doctor: unknown option --jsn')
  })

  describe('on this machine', () => {
    const relayish = (status: number, body: unknown): Promise<HttpServer> =>
      new Promise((resolve) => {
        const server = createHttpServer((req, res) => {
          res.writeHead(req.url === '/healthz' ? status : 404, { 'Content-Type': 'application/json' })
          res.end(JSON.stringify(body))
        })
        server.listen(port, '127.0.0.1', () => resolve(server))
      })
    const close = (server: Server | HttpServer): Promise<void> =>
      new Promise((resolve) => server.close(() => resolve()))

    it('PORT held by another program: FAIL; held by a relay: ok, restart it for changes', async () => {
      const other = await relayish(200, { hello: 'world' })
      const taken = await doctor(envOf(WORKING))
      await close(other)
      expect(taken.lines[10]).toBe(
        `FAIL  PORT ${port} is in use on 127.0.0.1: npm start would stop with EADDRINUSE — fix: stop the program using it, or set PORT to a free port`
      )
      expect(taken.code).toBe(1)

      const relay = await relayish(200, { status: 'ok' })
      const running = await doctor(envOf(WORKING))
      await close(relay)
      expect(running.lines[10]).toBe(
        `ok    a relay is running on http://127.0.0.1:${port} already (GET /healthz answered as the relay does): restart it for a changed setting to take effect`
      )
      expect(running.code).toBe(0)
    })

    it('a data folder that cannot be created: FAIL naming LD_SEGMENT_DATA_DIR', async () => {
      const file = join(dir, 'a-file')
      writeFileSync(file, '')
      const { code, lines } = await doctor(envOf({ ...WORKING, LD_SEGMENT_DATA_DIR: join(file, 'data') }))
      expect(lines[9]).toBe(
        `FAIL  LD_SEGMENT_DATA_DIR: the folder ${file}/data cannot be created (ENOTDIR) — fix: set LD_SEGMENT_DATA_DIR to a folder the relay's user can write, or let that user write ${file}/data`
      )
      expect(code).toBe(1)
    })

    it('a data folder that does not exist yet: created, written, and removed again', async () => {
      const fresh = join(dir, 'fresh', 'data')
      const { lines } = await doctor(envOf({ LD_SEGMENT_DATA_DIR: fresh }))
      expect(lines).toContain(
        `ok    LD_SEGMENT_DATA_DIR ${fresh} can be created and written (the NDJSON sink file lives there)`
      )
      expect(existsSync(join(dir, 'fresh'))).toBe(false)
    })

    it("calls Segment refused for good: a warning with Segment's last reason", async () => {
      const outbox = join(dir, 'refused', 'outbox')
      mkdirSync(outbox, { recursive: true })
      const deadLetter = '{"type":"track","messageId":"m1"}\n'
      writeFileSync(join(outbox, 'dead-letter.ndjson'), deadLetter)
      writeFileSync(
        join(outbox, 'dead-letter-reasons.ndjson'),
        JSON.stringify({
          time: '2025-01-02T03:04:05.000Z',
          status: 401,
          reason: 'Invalid write key',
          messageIds: ['m1']
        }) + '\n'
      )
      const { code, lines } = await doctor(envOf({ ...WORKING, LD_SEGMENT_DATA_DIR: join(dir, 'refused') }))
      expect(lines[10]).toBe(
        `warn  Segment refused calls for good: ${outbox}/dead-letter.ndjson holds ${deadLetter.length} bytes of them; the last refusal, 2025-01-02T03:04:05.000Z: HTTP 401 Invalid write key — fix: if the refusal names the write key, set SEGMENT_WRITE_KEY to the write key of your Segment source; the refused calls stay in that file (NDJSON of Segment calls) to be sent again`
      )
      expect(code).toBe(0)
    })

    it('what would stop the relay though every variable parses: beyond loopback, the open client-side route', async () => {
      const { code, lines } = await doctor(envOf({ ...WORKING, HOST: '0.0.0.0' }))
      expect(lines).toContain(
        "FAIL  HOST is 0.0.0.0, beyond loopback, and LD_CLIENT_SIDE_IDS is not set: /events/bulk/{id} would accept events for any client-side ID, each labelled with the path's environment. Set LD_CLIENT_SIDE_IDS to your client-side IDs, or LD_ACCEPT_ANY_CLIENT_SIDE_ID=true to accept any — fix: the relay would not start: do what the message says"
      )
      expect(code).toBe(1)
    })

    it('relay warnings: listening beyond this machine without LD_INGEST_TOKEN', async () => {
      const { lines } = await doctor(envOf({ ...WORKING, HOST: '0.0.0.0', LD_CLIENT_SIDE_IDS: CLIENT_SIDE_ID }))
      expect(lines[4]).toBe(
        'warn  HOST is 0.0.0.0, not a loopback address, and LD_INGEST_TOKEN is not set: anyone who can reach this port can send events to your Segment source and use the destination routes — fix: set LD_INGEST_TOKEN to a secret of your choosing (your SDK keys may be listed too, comma-separated), or set HOST=127.0.0.1 to listen on this machine only'
      )
    })

    it('dist/ missing, or older than the code: a warning to build', async () => {
      const bare = join(dir, 'bare')
      mkdirSync(bare)
      const missing = await doctor(envOf(WORKING), { projectRoot: bare })
      expect(missing.lines[11]).toBe(
        'warn  dist/ is not built: dist/runtime/server.js, dist/sources/launchdarkly.js, dist/destinations/launchdarkly-events.js missing — fix: run npm run build (npm start builds for you; node dist/runtime/server.js does not)'
      )
      expect(missing.code).toBe(0)

      built(bare)
      mkdirSync(join(bare, 'runtime'))
      writeFileSync(join(bare, 'runtime', 'relay.ts'), '')
      const later = new Date(Date.now() + 60_000)
      utimesSync(join(bare, 'runtime', 'relay.ts'), later, later)
      const stale = await doctor(envOf(WORKING), { projectRoot: bare })
      expect(stale.lines[11]).toBe(
        'warn  dist/ is older than the code (runtime/relay.ts changed since) — fix: run npm run build (npm start builds for you; node dist/runtime/server.js does not)'
      )
    })
  })
})

describe('npm run doctor in a process of its own', () => {
  function run(
    args: string[],
    env: Record<string, string>
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, join(ROOT, 'scripts', 'doctor', 'index.ts'), ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', ...env }
      }
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
  }

  it('exits 1 on a failure and 0 without one', async () => {
    const failing = await run([], { PORT: String(port), LD_SEGMENT_DATA_DIR: dataDir, LD_INCLUDE_CUSTOM_DATA: 'yes' })
    expect(failing.stdout.split('\n')[0]).toBe(
      'FAIL  LD_INCLUDE_CUSTOM_DATA must be true, false, 1 or 0, found "yes" — fix: change LD_INCLUDE_CUSTOM_DATA to an accepted value, or unset it (default: false)'
    )
    expect(failing.stderr).toBe('')
    expect(failing.code).toBe(1)

    const passing = await run(['--json'], envOf(WORKING))
    expect((JSON.parse(passing.stdout) as { passed: boolean }).passed).toBe(true)
    expect(passing.code).toBe(0)
  })
})
