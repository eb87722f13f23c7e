import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { subscriptionFor } from '../presets'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Page View Events',
  description:
    "Send page calls to LaunchDarkly as page view events, for the page view metrics (goals) of its experiments. The metric key comes from the page call's key property.",
  defaultSubscription: subscriptionFor('pageview'),
  fields: fieldsFor('pageview'),
  perform: (request, data) => sendEvent(request, 'pageview', data),
  performBatch: (request, data) => sendEvents(request, 'pageview', data)
}

export default action
