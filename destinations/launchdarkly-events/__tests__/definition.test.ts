// The destination's definition: fixed names (design §2), settings, headers, and fields that
// are derived from the export schema rather than restated.

import { createTestIntegration } from '@segment/actions-core'
import type { InputField } from '@segment/actions-core'
import destination from '..'
import { USER_AGENT } from '../version'
import { EXPORT_KINDS, isReadBack, propertiesOf, textOf } from '../mapping'
import type { ExportKind } from '../mapping'

const ACTION_OF: Record<ExportKind, string> = {
  feature: 'sendFeatureEvent',
  click: 'sendClickEvent',
  pageview: 'sendPageViewEvent',
  custom: 'sendCustomEvent'
}

test('name, slug, mode and the five actions', () => {
  expect(destination.name).toBe('LaunchDarkly Events')
  expect(destination.slug).toBe('actions-launchdarkly-events')
  expect(destination.mode).toBe('cloud')
  expect(Object.keys(destination.actions)).toEqual([
    'sendFeatureEvent',
    'sendClickEvent',
    'sendPageViewEvent',
    'sendCustomEvent',
    'sendAliasEvent'
  ])
})

test('settings: custom scheme, clientSideId required, base URLs with their defaults', () => {
  const authentication = destination.authentication
  expect(authentication?.scheme).toBe('custom')
  expect(authentication?.fields).toMatchObject({
    clientSideId: { type: 'string', required: true },
    eventsBaseUrl: { type: 'string', default: 'https://events.launchdarkly.com' },
    sdkBaseUrl: { type: 'string', default: 'https://clientsdk.launchdarkly.com' }
  })
  expect(authentication?.fields.clientSideId.description).toContain('Project settings → Environments')
})

test('every action and field is labelled and described for the Segment UI', () => {
  for (const action of Object.values(destination.actions)) {
    expect(action.title).toBeTruthy()
    expect(action.description).toBeTruthy()
    for (const field of Object.values(action.fields)) {
      expect(field.label).toBeTruthy()
      expect(field.description).toBeTruthy()
    }
  }
})

test('a User-Agent in the style of action-destinations: a product name and its version', () => {
  expect(USER_AGENT).toMatch(/^SegmentLaunchDarklyEvents\/\d+\.\d+\.\d+$/)
})

test('extendRequest adds the fixed headers', () => {
  const settings = { clientSideId: 'x' }
  expect(destination.extendRequest?.({ settings, payload: undefined })).toEqual({
    headers: { 'Content-Type': 'application/json', 'X-LaunchDarkly-Event-Schema': '4', 'User-Agent': USER_AGENT }
  })
})

describe.each(EXPORT_KINDS.map((kind) => [kind, ACTION_OF[kind]] as const))(
  '%s → %s: fields from the schema',
  (kind, slug) => {
    const fields = destination.actions[slug].fields as Record<string, InputField>
    const sent = propertiesOf(kind).filter(isReadBack)

    test('one field per property the way back reads, then the delivery fields', () => {
      expect(Object.keys(fields)).toEqual([...sent.map((p) => p.name), 'messageId', 'enable_batching', 'batch_size'])
    })

    test.each(sent.map((p) => [p.name, p] as const))(
      '%s: label, description and default from the schema',
      (name, property) => {
        const field = fields[name]
        expect(field.label).toBe(textOf(property).label)
        expect(field.description.startsWith(textOf(property).description)).toBe(true)
        const path = { '@path': `$.${property.segment}` }
        if (name === 'contextKeys') {
          expect(field.default).toEqual({
            '@if': {
              exists: { '@path': '$.properties.contextKeys' },
              then: { '@path': '$.properties.contextKeys' },
              else: {
                '@if': {
                  exists: { '@path': '$.anonymousId' },
                  then: {
                    user: {
                      '@if': {
                        exists: { '@path': '$.userId' },
                        then: { '@path': '$.userId' },
                        else: { '@path': '$.anonymousId' }
                      }
                    },
                    unauthenticatedUser: { '@path': '$.anonymousId' }
                  },
                  else: { user: { '@path': '$.userId' } }
                }
              }
            }
          })
        } else if (property.type === 'json') {
          expect(field).toMatchObject({ type: 'string', default: { '@json': { mode: 'encode', value: path } } })
        } else if (property.type === 'datetime') {
          // Text, so that an unreadable timestamp reaches the action (and becomes the time of sending).
          expect(field).toMatchObject({ type: 'string', default: path })
          expect(field.description).toContain('the time of sending')
        } else {
          expect(field).toMatchObject({ type: property.type, default: path })
        }
      }
    )

    test('required exactly where the reverse mapping needs the field', () => {
      expect(Object.keys(fields).filter((name) => fields[name].required === true)).toEqual(['key', 'contextKeys'])
    })

    test('the hidden messageId (payload ID) reads the Segment message', () => {
      expect(fields.messageId).toMatchObject({
        type: 'string',
        unsafe_hidden: true,
        default: { '@path': '$.messageId' }
      })
    })

    test('the action subscribes like its preset', () => {
      const preset = destination.presets?.find(
        (p) =>
          p.partnerAction === slug &&
          p.type === 'automatic' &&
          p.subscribe === destination.actions[slug].defaultSubscription
      )
      expect(preset).toBeDefined()
    })
  }
)

describe('sendAliasEvent: the legacy alias event', () => {
  const action = destination.actions.sendAliasEvent
  const fields = action.fields as Record<string, InputField>

  test('fields: userId, previousId (else anonymousId), timestamp, then the delivery fields', () => {
    expect(Object.keys(fields)).toEqual([
      'userId',
      'previousId',
      'timestamp',
      'messageId',
      'enable_batching',
      'batch_size'
    ])
    expect(fields.userId).toMatchObject({ type: 'string', required: true, default: { '@path': '$.userId' } })
    expect(fields.previousId).toMatchObject({
      type: 'string',
      required: true,
      default: {
        '@if': {
          exists: { '@path': '$.previousId' },
          then: { '@path': '$.previousId' },
          else: { '@path': '$.anonymousId' }
        }
      }
    })
    expect(fields.timestamp).toMatchObject({ type: 'string', required: false, default: { '@path': '$.timestamp' } })
  })

  test('off until added: no preset, a default subscription for identify and alias calls with a userId', () => {
    expect(destination.presets?.some((p) => p.partnerAction === 'sendAliasEvent')).toBe(false)
    expect(action.defaultSubscription).toBe('(type = "identify" or type = "alias") and userId != null')
    expect(action.description).toContain('predate contexts')
  })
})

test('each action validates its fields under its own schema key (titles are distinct)', () => {
  // actions-core caches payload schemas under "<destination>:<action title>".
  const titles = Object.values(destination.actions).map((a) => a.title)
  expect(new Set(titles).size).toBe(titles.length)
  expect(createTestIntegration(destination)).toBeDefined()
})
