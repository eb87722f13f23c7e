// `--to segment` is one more target: the relay's outbox settles each call, and only a 2xx
// from Segment counts as sent. The mapping is checked here against a stand-in outbox with
// the contract replay needs (scripts/replay/targets/segment.ts); segment.test.ts runs the
// relay's own against a Segment stand-in.

import type { ReplayCall } from '../../../scripts/replay/deliveries'
import type { Settled } from '../../../shared'
import { SegmentOutbox, segmentTarget } from '../../../scripts/replay/targets/segment'

const call = (messageId: string): ReplayCall => ({
  type: 'track',
  message: { event: 'feature', userId: 'u', properties: {}, timestamp: '2026-01-01T00:00:00.000Z', messageId }
})

function outbox(answer: (call: ReplayCall) => Settled): SegmentOutbox & { submitted: ReplayCall[][]; closed: boolean } {
  return {
    description: '.data/outbox to https://api.segment.io',
    submitted: [],
    closed: false,
    async submit(calls) {
      this.submitted.push([...calls])
      return calls.map(answer)
    },
    async close() {
      this.closed = true
    }
  }
}

test('delivered calls are sent, dead-lettered ones rejected with Segment’s reason, pending ones failed (kept in the outbox)', async () => {
  const box = outbox((c) => {
    const id = c.message.messageId
    if (id === 'ld-2') return { settlement: 'refused', reason: 'Segment answered 400: message too large' }
    if (id === 'ld-3') return { settlement: 'retryable', reason: 'Segment answered 503 six times; kept in the outbox' }
    return { settlement: 'delivered' }
  })
  const target = segmentTarget(box, 2)
  const calls = [call('ld-1'), call('ld-2'), call('ld-3')]
  expect(await target.send({ calls })).toEqual([
    { settlement: 'delivered' },
    { settlement: 'refused', reason: 'Segment answered 400: message too large' },
    { settlement: 'retryable', reason: 'Segment answered 503 six times; kept in the outbox' }
  ])
  expect(box.submitted).toEqual([calls])
  expect(target.description).toBe('segment .data/outbox to https://api.segment.io')
  await target.close()
  expect(box.closed).toBe(true)
})

test('a call the outbox gave no answer for is not counted as sent', async () => {
  const box = outbox(() => ({ settlement: 'delivered' }))
  box.submit = async () => [{ settlement: 'delivered' }]
  const outcomes = await segmentTarget(box, 2).send({ calls: [call('ld-1'), call('ld-2')] })
  expect(outcomes[1]).toEqual({ settlement: 'retryable', reason: 'the outbox gave no answer for it' })
})
