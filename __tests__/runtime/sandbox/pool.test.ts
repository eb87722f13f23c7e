// Deliveries run concurrently (docs/relay.md "Concurrency"): a delivery waiting on a slow
// REST lookup does not hold up one that needs none, and concurrent deliveries of the
// same flag still look it up once (the warm instances share one cache).

import { Answer, standIn } from '../../stand-in'
import { runtimeWith, TestRuntime } from '../helpers'

jest.setTimeout(30_000)

const context = { kind: 'user', key: 'user-1' }
const feature = (key: string) => ({
  kind: 'feature',
  creationDate: 1795654789876,
  key,
  context,
  value: true,
  variation: 0,
  version: 3
})
const custom = { kind: 'custom', creationDate: 1795654789876, key: 'purchase', context }

/** LaunchDarkly's REST API, holding every answer until released. */
async function heldApi() {
  const state = { status: 200 }
  const held: Array<() => void> = []
  const paths: string[] = []
  const server = await standIn((req) => {
    paths.push(req.path)
    const key = req.path.split('/').pop()
    const variations = [
      { _id: 'v0', value: true, name: 'On' },
      { _id: 'v1', value: false, name: 'Off' }
    ]
    return new Promise<Answer>((resolve) =>
      held.push(() => resolve({ status: state.status, body: { key, variations } }))
    )
  })
  return {
    url: server.url,
    paths,
    state,
    release: () => held.splice(0).forEach((answer) => answer()),
    close: server.close
  }
}

let runtime: TestRuntime
let api: Awaited<ReturnType<typeof heldApi>>
beforeEach(async () => {
  api = await heldApi()
  runtime = await runtimeWith({
    projectId: 'proj-1',
    environmentId: 'env-1',
    projectKey: 'default',
    accessToken: 'api-token',
    apiBaseUrl: api.url
  })
})
afterEach(async () => {
  api.release()
  await runtime.close()
  await api.close()
})

const post = (events: unknown[]) =>
  fetch(`${runtime.url}/bulk`, {
    method: 'POST',
    body: JSON.stringify(events),
    headers: { 'Content-Type': 'application/json' }
  })

test('a delivery waiting on a lookup does not hold up a delivery that needs none', async () => {
  let slowSettled = false
  const slow = post([feature('slow-flag')]).then((res) => {
    slowSettled = true
    return res.status
  })
  while (api.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  const quick = await post([custom])
  expect(quick.status).toBe(202)
  // Answered while the other delivery still waits on LaunchDarkly.
  expect(slowSettled).toBe(false)
  api.release()
  expect(await slow).toBe(202)
  expect(runtime.lines().map((l) => [l.event, (l.properties as { variationName?: string }).variationName])).toEqual([
    ['custom', undefined],
    ['feature', 'On']
  ])
})

test('concurrent deliveries of one flag look it up once', async () => {
  const deliveries = [0, 1, 2, 3].map((n) => post([{ ...feature('shared-flag'), creationDate: 1795654789876 + n }]))
  while (api.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  await new Promise((resolve) => setTimeout(resolve, 100))
  api.release()
  expect((await Promise.all(deliveries)).map((res) => res.status)).toEqual([202, 202, 202, 202])
  expect(api.paths).toEqual(['/api/v2/flags/default/shared-flag'])
  expect(runtime.lines().map((l) => (l.properties as { variationName?: string }).variationName)).toEqual([
    'On',
    'On',
    'On',
    'On'
  ])
})

test("a shared lookup that fails fails each delivery as that instance's own failure (RetryError, 503)", async () => {
  api.state.status = 503
  const deliveries = [0, 1, 2].map((n) => post([{ ...feature('failing-flag'), creationDate: 1795654789876 + n }]))
  while (api.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
  await new Promise((resolve) => setTimeout(resolve, 100))
  // Instances that shared the failed load try once more on their own.
  const releasing = setInterval(api.release, 10)
  try {
    const answers = await Promise.all(deliveries.map(async (res) => [(await res).status, await (await res).json()]))
    for (const [status, body] of answers) {
      expect(status).toBe(503)
      expect(body.error).toBe('RetryError')
      expect(body.message).toMatch(/^Variation names could not be looked up: /)
    }
  } finally {
    clearInterval(releasing)
  }
})
