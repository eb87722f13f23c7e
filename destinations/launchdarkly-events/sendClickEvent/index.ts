import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { subscriptionFor } from '../presets'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Click Events',
  description: 'Send clicks to LaunchDarkly as click events, for the click metrics (goals) of its experiments.',
  defaultSubscription: subscriptionFor('click'),
  fields: fieldsFor('click'),
  perform: (request, data) => sendEvent(request, 'click', data),
  performBatch: (request, data) => sendEvents(request, 'click', data)
}

export default action
