// Request snapshots in the action-destinations style: for each action, the request a
// fully mapped event and a minimal one produce, and a batch. Inputs are fixed, so the
// payload IDs are too, and so is the time of sending (an event without a timestamp is sent
// with it); a change to what LaunchDarkly receives shows up as a snapshot diff.

import { createTestIntegration } from '@segment/actions-core'
import type { SegmentEvent } from '@segment/actions-core'
import destination from '..'
import {
  exportedPage,
  exportedTrack,
  interceptBulk,
  launchDarklyHeaders,
  segmentEvent,
  settings,
  TIMESTAMP
} from './__helpers__'

const FULL: Record<string, SegmentEvent> = {
  sendFeatureEvent: exportedTrack('feature', 'snap-feature-full', {
    key: 'checkout-flow',
    eventId: 'evt-9',
    value: { layout: 'b', steps: [1, 2] },
    flagVersion: 42,
    variation: 1,
    variationName: 'Treatment',
    reasonKind: 'RULE_MATCH',
    inExperiment: true,
    prereqOf: 'new-checkout',
    default: false,
    contextKeys: { user: 'user-123', org: 'org-9' }
  }),
  sendClickEvent: exportedTrack('click', 'snap-click-full', {
    key: 'buy-button',
    url: 'https://shop.example.com/cart',
    selector: 'button#buy'
  }),
  sendPageViewEvent: exportedPage('snap-page-full', { key: 'cart-page', url: 'https://shop.example.com/cart' }),
  sendCustomEvent: exportedTrack('custom', 'snap-custom-full', {
    key: 'purchase',
    metricValue: 129.95,
    data: { items: 3, coupon: null }
  }),
  sendAliasEvent: segmentEvent({
    type: 'alias',
    messageId: 'snap-alias-full',
    timestamp: TIMESTAMP,
    userId: 'user-123',
    previousId: 'anon-7'
  })
}

const MINIMAL: Record<string, SegmentEvent> = {
  sendFeatureEvent: segmentEvent({
    type: 'track',
    event: 'feature',
    messageId: 'snap-feature-min',
    timestamp: TIMESTAMP,
    anonymousId: 'anon-1',
    properties: { key: 'f' }
  }),
  sendClickEvent: segmentEvent({
    type: 'track',
    event: 'click',
    messageId: 'snap-click-min',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { key: 'c' }
  }),
  sendPageViewEvent: segmentEvent({
    type: 'page',
    messageId: 'snap-page-min',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { key: 'p' }
  }),
  sendCustomEvent: segmentEvent({
    type: 'track',
    event: 'custom',
    messageId: 'snap-custom-min',
    timestamp: TIMESTAMP,
    userId: 'u-1',
    properties: { key: 'k' }
  }),
  // No timestamp: sent with the time of sending.
  sendAliasEvent: segmentEvent({
    type: 'identify',
    messageId: 'snap-alias-min',
    timestamp: undefined,
    userId: 'u-1',
    anonymousId: 'anon-1'
  })
}

const SENT_AT = 1800000000000
beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(SENT_AT))
afterEach(() => jest.restoreAllMocks())

describe.each(Object.keys(destination.actions))('%s', (slug) => {
  test('all fields', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction(slug, { event: FULL[slug], settings, useDefaultMappings: true })
    expect({ headers: launchDarklyHeaders(requests[0]), body: requests[0].body }).toMatchSnapshot()
  })

  test('required fields', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testAction(slug, {
      event: MINIMAL[slug],
      settings,
      useDefaultMappings: true
    })
    expect({ headers: launchDarklyHeaders(requests[0]), body: requests[0].body }).toMatchSnapshot()
  })

  test('a batch', async () => {
    const requests = interceptBulk([202])
    await createTestIntegration(destination).testBatchAction(slug, {
      events: [FULL[slug], MINIMAL[slug]],
      settings,
      useDefaultMappings: true
    })
    expect({ headers: launchDarklyHeaders(requests[0]), body: requests[0].body }).toMatchSnapshot()
  })
})

test('Track calls as custom events', async () => {
  const requests = interceptBulk([202])
  const mapping = destination.presets?.find((p) => p.name === 'Track calls as custom events')?.mapping
  await createTestIntegration(destination).testAction('sendCustomEvent', {
    event: segmentEvent({
      type: 'track',
      event: 'Order Completed',
      messageId: 'snap-track',
      timestamp: TIMESTAMP,
      userId: 'u-1',
      properties: { order_id: 'o-1', revenue: 25, currency: 'EUR', products: [{ sku: 'A', quantity: 2 }] }
    }),
    settings,
    mapping
  })
  expect({ headers: launchDarklyHeaders(requests[0]), body: requests[0].body }).toMatchSnapshot()
})
