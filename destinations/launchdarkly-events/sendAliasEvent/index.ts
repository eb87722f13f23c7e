import type { ActionDefinition } from '@segment/actions-core'
import { fieldsFor } from '../fields'
import type { Settings } from '../generated-types'
import { subscriptionFor } from '../presets'
import { sendEvent, sendEvents } from '../send'
import type { Payload } from './generated-types'

const action: ActionDefinition<Settings, Payload> = {
  title: 'Send Alias Events',
  description:
    "Link an anonymous user to the user they became, with LaunchDarkly's legacy alias event, from identify calls (anonymousId to userId) and alias calls (previousId to userId). Only for environments whose LaunchDarkly SDKs predate contexts: with contexts, LaunchDarkly links the two through the events' context keys instead, so this action has no preset and is off until you add it as a mapping.",
  defaultSubscription: subscriptionFor('alias'),
  fields: fieldsFor('alias'),
  perform: (request, data) => sendEvent(request, 'alias', data),
  performBatch: (request, data) => sendEvents(request, 'alias', data)
}

export default action
