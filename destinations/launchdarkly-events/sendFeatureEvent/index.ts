import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { subscriptionFor } from '../presets'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Feature Events',
  description:
    'Send flag evaluations to LaunchDarkly as feature events, for example evaluations exported from another LaunchDarkly environment, so that experiments and flag insights count them.',
  defaultSubscription: subscriptionFor('feature'),
  fields: fieldsFor('feature'),
  perform: (request, data) => sendEvent(request, 'feature', data),
  performBatch: (request, data) => sendEvents(request, 'feature', data)
}

export default action
