import { IntegrationError, InvalidAuthenticationError } from '@segment/actions-core'
import type { DestinationDefinition } from '@segment/actions-core'
import { checkOrigins, DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL, goalsUrl, withOrigins } from './endpoints'
import type { Settings } from './generated-types'
import { presetsFor } from './presets'
import { settingsErrorFor } from './send'
import sendAliasEvent from './sendAliasEvent'
import sendClickEvent from './sendClickEvent'
import sendCustomEvent from './sendCustomEvent'
import sendFeatureEvent from './sendFeatureEvent'
import sendPageViewEvent from './sendPageViewEvent'
import { API_VERSION } from './versioning-info'
import { USER_AGENT } from './version'

const actions = { sendFeatureEvent, sendClickEvent, sendPageViewEvent, sendCustomEvent, sendAliasEvent }

const destination: DestinationDefinition<Settings> = {
  name: 'LaunchDarkly Events',
  slug: 'actions-launchdarkly-events',
  mode: 'cloud',
  description:
    "Send Segment events to LaunchDarkly as feature, click, page view and custom events, so LaunchDarkly experiments and metrics count them. Reads events in the schema of LaunchDarkly's Segment Data Export, and ordinary track and page calls.",
  authentication: {
    scheme: 'custom',
    fields: {
      clientSideId: {
        label: 'Client-side ID',
        description:
          'The client-side ID of the LaunchDarkly environment that receives the events. Find it in LaunchDarkly under Project settings → Environments.',
        type: 'string',
        required: true
      },
      eventsBaseUrl: {
        label: 'Events base URL',
        description:
          "Origin of LaunchDarkly's event ingestion API: https, a host and an optional port, nothing after (no path, query or credentials). Change it only to send through a LaunchDarkly Relay Proxy or to a LaunchDarkly instance other than the default one. Plain http is accepted only for a local host (localhost, 127.0.0.1, [::1]).",
        type: 'string',
        format: 'uri',
        required: false,
        default: DEFAULT_EVENTS_BASE_URL
      },
      sdkBaseUrl: {
        label: 'Client SDK base URL',
        description:
          "Origin of LaunchDarkly's client-side SDK API, used by Test connection to check the client-side ID: https, a host and an optional port, nothing after. Change it only for a LaunchDarkly Relay Proxy or a LaunchDarkly instance other than the default one. Plain http is accepted only for a local host (localhost, 127.0.0.1, [::1]).",
        type: 'string',
        format: 'uri',
        required: false,
        default: DEFAULT_SDK_BASE_URL
      }
    },
    testAuthentication: async (request, { settings }) => {
      // Both URLs are checked, so a bad events URL shows when the settings are saved.
      const url = settingsErrorFor(() => {
        checkOrigins(settings)
        return goalsUrl(withOrigins(settings))
      })
      const response = await request(url, { method: 'get', throwHttpErrors: false })
      if (response.status === 404) {
        throw new InvalidAuthenticationError(
          'LaunchDarkly has no environment with this client-side ID. Copy it from Project settings → Environments in LaunchDarkly.'
        )
      }
      if (!response.ok) {
        throw new IntegrationError(
          `LaunchDarkly could not check the client-side ID (HTTP ${response.status}); try again.`,
          'CHECK_FAILED',
          response.status
        )
      }
    }
  },
  extendRequest: () => ({
    headers: {
      'Content-Type': 'application/json',
      // The event format the actions build: context kinds and contextKeys.
      'X-LaunchDarkly-Event-Schema': API_VERSION,
      'User-Agent': USER_AGENT
    }
  }),
  presets: presetsFor(actions, {
    feature: 'sendFeatureEvent',
    click: 'sendClickEvent',
    pageview: 'sendPageViewEvent',
    custom: 'sendCustomEvent',
    alias: 'sendAliasEvent'
  }),
  actions
}

export default destination
