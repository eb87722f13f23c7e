// What the Segment UI shows for each of the destination function's settings (settings.ts
// declares them). Kept apart so that this text stays out of the deployed function: the
// build writes it to dist/destinations/launchdarkly-events.settings.json, and the deploy sends it.

import type { SettingDeclaration } from '../../shared'
import { SETTINGS, SettingName } from './settings'

export const SETTING_TEXT: Readonly<Record<SettingName, { readonly label: string; readonly description: string }>> = {
  clientSideId: {
    label: 'LaunchDarkly client-side ID',
    description:
      'The client-side ID of the LaunchDarkly environment that receives the events. Find it in LaunchDarkly under Project settings → Environments.'
  },
  eventsBaseUrl: {
    label: 'LaunchDarkly events base URL',
    description:
      "Base URL of LaunchDarkly's event ingestion API. Leave empty for https://events.launchdarkly.com; change it only for a LaunchDarkly Relay Proxy or another LaunchDarkly instance. Requests use https; plain http is kept only for a local host."
  },
  sendTrackAsCustom: {
    label: 'Send other track calls as custom events',
    description:
      "On (the default when unset): every track call whose event is not feature, click or custom becomes a LaunchDarkly custom event keyed by the event name, with metricValue from properties.revenue or properties.value. Off: only events in the schema of LaunchDarkly's Segment Data Export are sent."
  },
  sendAliasEvents: {
    label: 'Send alias events (legacy SDKs)',
    description:
      "Off (the default when unset): identify and alias calls are not sent. On: an identify call with a userId and an anonymousId, or an alias call with a userId and a previousId, becomes LaunchDarkly's legacy alias event, linking the anonymous user to the known one. Turn it on only for an environment whose SDKs predate contexts: with contexts, each event's context keys link the two."
  }
}

/** The settings as the Segment UI declares them; defaults are applied by the function itself. */
export const SETTING_DECLARATIONS: readonly SettingDeclaration[] = SETTINGS.map(
  ({ name, type, required, sensitive }) => ({ name, ...SETTING_TEXT[name], type, required, sensitive })
)
