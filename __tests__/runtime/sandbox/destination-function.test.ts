// The sandbox as a destination function's runtime (design §5.4): the globals Segment gives
// one (no `Segment`), handlers called by name, EventNotSupported for a missing one.

import { loadFunction } from '../../../runtime/sandbox/instance'

const CODE = `
async function onTrack(event, settings) {
  return { type: typeof Segment, fetch: typeof fetch, crypto: typeof crypto.createHash, event, settings }
}
async function onBatch(events) {
  throw new RetryError('try again: ' + events.length)
}
`

test('a destination function has the Functions globals but Segment, and gets its arguments as JSON copies', async () => {
  const fn = loadFunction(CODE, { kind: 'destination' })
  const event = { type: 'track', event: 'x', when: new Date(0) }
  const result = await fn.call('onTrack', [event, { clientSideId: 'c' }])
  expect(result).toMatchObject({
    ok: true,
    returned: {
      type: 'undefined',
      fetch: 'function',
      crypto: 'function',
      event: { type: 'track', event: 'x', when: '1970-01-01T00:00:00.000Z' },
      settings: { clientSideId: 'c' }
    }
  })
})

test("a handler the code lacks is EventNotSupported, as Segment answers; a handler's error keeps its class", async () => {
  const fn = loadFunction(CODE, { kind: 'destination' })
  expect(await fn.call('onIdentify', [{ type: 'identify' }, {}])).toMatchObject({
    ok: false,
    error: { name: 'EventNotSupported', message: 'onIdentify is not defined in the function' }
  })
  expect(await fn.call('onBatch', [[1, 2], {}])).toMatchObject({
    ok: false,
    error: { name: 'RetryError', message: 'try again: 2' }
  })
})

test('code with none of the handlers does not load as a destination function; a source function needs onRequest', () => {
  expect(() => loadFunction('async function onRequest() {}', { kind: 'destination' })).toThrow(
    'The function code defines none of the handlers onTrack, onPage, onIdentify, onScreen, onGroup, onAlias, onDelete, onBatch'
  )
  expect(() => loadFunction(CODE)).toThrow('The function code does not define a top-level onRequest(request, settings)')
})

test('requestText: false gives the request only what Segment documents', async () => {
  const code = 'async function onRequest(request) { return { text: typeof request.text, body: await request.json() } }'
  for (const [requestText, text] of [
    [true, 'function'],
    [false, 'undefined']
  ] as const) {
    const result = await loadFunction(code, { requestText }).invoke({ body: '{"a":1}' }, {})
    expect(result).toMatchObject({ ok: true, returned: { text, body: { a: 1 } } })
  }
})
