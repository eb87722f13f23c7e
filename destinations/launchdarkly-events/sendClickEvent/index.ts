import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Click Events',
  description: 'Send clicks to LaunchDarkly as click events, for the click metrics (goals) of its experiments.',
  defaultSubscription: 'type = "track" and event = "click"',
  fields: fieldsFor('click'),
  perform: (request, { settings, payload }) => sendEvent(request, 'click', settings, payload),
  performBatch: (request, { settings, payload }) => sendEvents(request, 'click', settings, payload)
}

export default action
