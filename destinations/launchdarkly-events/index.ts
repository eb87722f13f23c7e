import { defaultValues, IntegrationError, InvalidAuthenticationError } from '@segment/actions-core'
import type { DestinationDefinition, Preset } from '@segment/actions-core'
import { DEFAULT_EVENTS_BASE_URL, DEFAULT_SDK_BASE_URL, goalsUrl } from './endpoints'
import { asJsonText } from './fields'
import type { Settings } from './generated-types'
import sendClickEvent from './sendClickEvent'
import sendCustomEvent from './sendCustomEvent'
import sendFeatureEvent from './sendFeatureEvent'
import sendPageViewEvent from './sendPageViewEvent'
import { USER_AGENT } from './version'

const actions = { sendFeatureEvent, sendClickEvent, sendPageViewEvent, sendCustomEvent }

/** A preset that subscribes like its action's default subscription, with its default mapping. */
function presetOf(name: string, partnerAction: keyof typeof actions): Preset {
  const action = actions[partnerAction]
  if (!action.defaultSubscription) throw new Error(`${partnerAction} has no default subscription`)
  return {
    name,
    subscribe: action.defaultSubscription,
    partnerAction,
    mapping: defaultValues(action.fields),
    type: 'automatic'
  }
}

const presets: Preset[] = [
  presetOf('Feature events', 'sendFeatureEvent'),
  presetOf('Click events', 'sendClickEvent'),
  presetOf('Page view events', 'sendPageViewEvent'),
  presetOf('Custom events', 'sendCustomEvent'),
  {
    // Every other track call becomes a custom event named after it, as LaunchDarkly's SDKs'
    // track(key, context, data, metricValue) would have sent it.
    name: 'Track calls as custom events',
    subscribe: 'type = "track" and event != "feature" and event != "click" and event != "custom"',
    partnerAction: 'sendCustomEvent',
    mapping: {
      ...defaultValues(sendCustomEvent.fields),
      key: { '@path': '$.event' },
      metricValue: {
        '@if': {
          exists: { '@path': '$.properties.revenue' },
          then: { '@path': '$.properties.revenue' },
          else: { '@path': '$.properties.value' }
        }
      },
      data: asJsonText({ '@path': '$.properties' })
    },
    type: 'automatic'
  }
]

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
          "Base URL of LaunchDarkly's event ingestion API. Change it only to send through a LaunchDarkly Relay Proxy or to a LaunchDarkly instance other than the default one.",
        type: 'string',
        required: false,
        default: DEFAULT_EVENTS_BASE_URL
      },
      sdkBaseUrl: {
        label: 'Client SDK base URL',
        description:
          "Base URL of LaunchDarkly's client-side SDK API, used to check the client-side ID. Change it only for a LaunchDarkly Relay Proxy or a LaunchDarkly instance other than the default one.",
        type: 'string',
        required: false,
        default: DEFAULT_SDK_BASE_URL
      }
    },
    testAuthentication: async (request, { settings }) => {
      const response = await request(goalsUrl(settings), { method: 'get', throwHttpErrors: false })
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
      'X-LaunchDarkly-Event-Schema': '4',
      'User-Agent': USER_AGENT
    }
  }),
  presets,
  actions
}

export default destination
