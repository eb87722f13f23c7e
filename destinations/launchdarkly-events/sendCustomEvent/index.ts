import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { subscriptionFor } from '../presets'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Custom Events',
  description:
    'Send events to LaunchDarkly as custom events, for the custom and numeric metrics of its experiments. Any Segment track call can be one (see the "Track calls as custom events" preset).',
  defaultSubscription: subscriptionFor('custom'),
  fields: fieldsFor('custom'),
  perform: (request, data) => sendEvent(request, 'custom', data),
  performBatch: (request, data) => sendEvents(request, 'custom', data)
}

export default action
