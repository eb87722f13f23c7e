// A request with a time limit, on whatever the runtime offers (design §3.6, §5.4).

import { TimedOut, withTimeLimit } from '../../segment-functions/time-limit'

test('an answer in time is returned, and the request is handed a signal and the limit', async () => {
  let given: { signal: unknown; timeout: number } | undefined
  const answer = await withTimeLimit(1000, async (options) => {
    given = options
    return 'ok'
  })
  expect(answer).toBe('ok')
  expect(given?.timeout).toBe(1000)
  expect((given?.signal as AbortSignal).aborted).toBe(false)
})

test('past the limit: TimedOut (named TimeoutError, as HTTP clients name it), and the request is aborted', async () => {
  let signal: AbortSignal | undefined
  const never = withTimeLimit(30, (options) => {
    signal = options.signal as AbortSignal
    return new Promise<never>(() => undefined)
  })
  await expect(never).rejects.toEqual(new TimedOut(30))
  await expect(never).rejects.toMatchObject({ name: 'TimeoutError', message: 'no answer within 30 ms' })
  expect(signal?.aborted).toBe(true)
})

test("fetch's own AbortError is the time limit too; other errors pass through; no time left fails at once", async () => {
  const aborted = Object.assign(new Error('aborted'), { name: 'AbortError' })
  await expect(withTimeLimit(1000, () => Promise.reject(aborted))).rejects.toEqual(new TimedOut(1000))
  await expect(withTimeLimit(1000, () => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED')
  let called = false
  await expect(
    withTimeLimit(0, async () => {
      called = true
    })
  ).rejects.toEqual(new TimedOut(0))
  expect(called).toBe(false)
})
