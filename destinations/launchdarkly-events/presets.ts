// The presets, derived from the declaration of which Segment message becomes which
// LaunchDarkly event (message-rules.ts): its conditions as FQL subscriptions, its field
// sources as mapping directives.

import { defaultValues, IntegrationError } from '@segment/actions-core'
import type { ActionDefinition, JSONObject, Preset } from '@segment/actions-core'
import type { ExportKind } from './mapping'
import { fieldMapping } from './directives'
import type { Settings } from './generated-types'
import { Condition, ROUTES, sourcesOf } from './message-rules'

/** Segment's subscription language for a condition. */
export function toFql(condition: Condition): string {
  const type = `type = "${condition.type}"`
  if ('event' in condition) return `${type} and event = "${condition.event}"`
  if ('eventNoneOf' in condition) return [type, ...condition.eventNoneOf.map((e) => `event != "${e}"`)].join(' and ')
  return `${type} and properties.${condition.propertyExists} exists`
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Actions = Record<string, ActionDefinition<Settings, any>>

/** One automatic preset per route, bound to the action of its kind. */
export function presetsFor(actions: Actions, actionOf: Record<ExportKind, string>): Preset[] {
  return ROUTES.map((route) => {
    const partnerAction = actionOf[route.kind]
    const mapping = defaultValues(actions[partnerAction].fields) as JSONObject
    for (const [property, source] of sourcesOf(route)) {
      if (route.fields?.[property.name]) mapping[property.name] = fieldMapping(property, source) as JSONObject
    }
    for (const [field, source] of Object.entries(route.fields ?? {})) if (source === null) delete mapping[field]
    return { name: route.name, subscribe: toFql(route.when), partnerAction, mapping, type: 'automatic' }
  })
}

/** An action's default subscription: its kind's preset in the export schema. */
export function subscriptionFor(kind: ExportKind): string {
  const route = ROUTES.find((r) => r.kind === kind && r.schemaShaped)
  if (!route) throw new IntegrationError(`No export-schema route for ${kind} events.`, 'INVALID_DEFINITION', 500)
  return toFql(route.when)
}
