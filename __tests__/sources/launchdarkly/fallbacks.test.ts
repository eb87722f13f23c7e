// The function's TypeScript called directly in Node, with stand-ins for Segment's error
// classes and Segment object: the paths no built-file test reaches. A body that cannot be
// read and an unexpected error still end in Segment's error classes; and where the global
// `crypto` is Web Crypto (as in plain Node 20, and here) instead of Node's crypto module,
// signatures and tokens are still checked.

import signed from '../../fixtures/audit-webhook-signature.json'
import { UNREADABLE_BODY, toSegmentError } from '../../../sources/launchdarkly/errors'
import { onRequest } from '../../../sources/launchdarkly/index'

const NAMES = ['EventNotSupported', 'InvalidEventPayload', 'ValidationError', 'RetryError'] as const
const globals = globalThis as Record<string, unknown>

beforeAll(() => {
  for (const name of NAMES) {
    globals[name] = class extends Error {
      constructor(message: string) {
        super(message)
        this.name = name
      }
    }
  }
})
afterAll(() => {
  for (const name of NAMES) delete globals[name]
  delete globals.Segment
})

const request = (text: () => Promise<unknown>, headers: Record<string, string> = {}, url = 'http://127.0.0.1/') =>
  ({ text, headers: new Headers(headers), url: new URL(url) } as unknown as Parameters<typeof onRequest>[0])

test('a body that cannot be read fails with InvalidEventPayload', async () => {
  const rejecting = request(() => Promise.reject(new Error('stream aborted')))
  await expect(onRequest(rejecting, {})).rejects.toMatchObject({
    name: 'InvalidEventPayload',
    message: UNREADABLE_BODY
  })
  const notText = request(() => Promise.resolve({ parsed: true }))
  await expect(onRequest(notText, {})).rejects.toMatchObject({ name: 'InvalidEventPayload', message: UNREADABLE_BODY })
  expect(UNREADABLE_BODY).toBe(
    'Expected a Pub/Sub push, an audit-log entry, a Data Export record, a LaunchDarkly SDK event, a JSON array of records and events, or NDJSON; found a body that could not be read as text'
  )
})

test('an unexpected error becomes a RetryError (retries are free: messageIds repeat), without secrets', () => {
  const error = toSegmentError(new TypeError('cannot read x of tok-123'), ['tok-123'])
  expect(error).toBeInstanceOf(globals.RetryError as typeof Error)
  expect(error.message).toBe(
    'Unexpected error in the LaunchDarkly source function (TypeError: cannot read x of [redacted]); Segment will retry the delivery'
  )
  expect(toSegmentError('thrown text', []).message).toBe(
    'Unexpected error in the LaunchDarkly source function (thrown text); Segment will retry the delivery'
  )
})

describe('with Web Crypto as the global crypto', () => {
  it('checks the ingest token and the signature of a whole delivery', async () => {
    const calls: unknown[] = []
    globals.Segment = {
      track: (m: unknown) => calls.push(m),
      page: (m: unknown) => calls.push(m),
      alias: (m: unknown) => calls.push(m)
    }
    const settings = { webhookSecret: signed.secret, ingestToken: 'ingest-7f3a' }
    const body = () => Promise.resolve(signed.rawBody)
    await expect(
      onRequest(request(body, signed.headers, 'http://127.0.0.1/?token=ingest-7f3a'), settings)
    ).resolves.toEqual({ emitted: 1, skipped: {}, rejected: [] })
    expect(calls).toHaveLength(1)
    await expect(
      onRequest(request(body, { 'x-ld-signature': 'ab'.repeat(32) }, 'http://127.0.0.1/?token=ingest-7f3a'), settings)
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Wrong X-LD-Signature: it is not the HMAC-SHA256 of the body keyed with the webhookSecret setting'
    })
    await expect(
      onRequest(request(body, signed.headers, 'http://127.0.0.1/?token=nope'), settings)
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Wrong ingest token: the token sent does not match the ingestToken setting'
    })
  })
})

describe("with Segment's cache.load", () => {
  afterEach(() => {
    delete globals.cache
  })

  it('deletes a failed load, in case the runtime would keep it', async () => {
    const { warmCache } = await import('../../../sources/launchdarkly/warm-cache')
    const kept = new Map<string, Promise<unknown>>()
    // A cache that keeps whatever the loader gave, failures included.
    globals.cache = {
      load: (key: string, _ttl: number, load: () => Promise<unknown>) => {
        if (!kept.has(key)) kept.set(key, load())
        return kept.get(key)
      },
      delete: (key: string) => kept.delete(key)
    }
    const cache = warmCache()
    await expect(cache.load('k', 1000, () => Promise.reject(new Error('503')))).rejects.toThrow('503')
    expect(await cache.load('k', 1000, async () => 'names')).toBe('names')
    expect(await cache.load('k', 1000, async () => 'other')).toBe('names')
  })
})
