import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Page View Events',
  description:
    "Send page calls to LaunchDarkly as page view events, for the page view metrics (goals) of its experiments. The metric key comes from the page call's key property.",
  // Only page calls that name a LaunchDarkly metric: without a key there is nothing to count.
  defaultSubscription: 'type = "page" and properties.key exists',
  fields: fieldsFor('pageview'),
  perform: (request, { settings, payload }) => sendEvent(request, 'pageview', settings, payload),
  performBatch: (request, { settings, payload }) => sendEvents(request, 'pageview', settings, payload)
}

export default action
