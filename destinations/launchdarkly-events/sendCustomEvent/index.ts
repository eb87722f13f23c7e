import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Custom Events',
  description:
    'Send events to LaunchDarkly as custom events, for the custom and numeric metrics of its experiments. Any Segment track call can be one (see the "Track calls as custom events" preset).',
  defaultSubscription: 'type = "track" and event = "custom"',
  fields: fieldsFor('custom'),
  perform: (request, { settings, payload }) => sendEvent(request, 'custom', settings, payload),
  performBatch: (request, { settings, payload }) => sendEvents(request, 'custom', settings, payload)
}

export default action
