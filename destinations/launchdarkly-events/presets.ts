// The presets and the actions' default subscriptions, derived from the declaration of which
// Segment message becomes which LaunchDarkly event (message-rules.ts): its conditions as FQL
// subscriptions, its field sources as mapping directives.

import { defaultValues, IntegrationError } from '@segment/actions-core'
import type { ActionDefinition, JSONObject, Preset } from '@segment/actions-core'
import type { LaunchDarklyKind } from './mapping'
import { fieldMapping } from './directives'
import type { Settings } from './generated-types'
import { actionRoute, Condition, ROUTES, sourcesOf } from './message-rules'

/** Segment's subscription language for a condition. */
export function toFql(condition: Condition): string {
  // FQL's own spelling of "userId exists"; `userId exists` does not parse as that.
  if ('types' in condition) return `(${condition.types.map((t) => `type = "${t}"`).join(' or ')}) and userId != null`
  const type = `type = "${condition.type}"`
  if ('event' in condition) return `${type} and event = "${condition.event}"`
  if ('eventNoneOf' in condition) return [type, ...condition.eventNoneOf.map((e) => `event != "${e}"`)].join(' and ')
  return `${type} and properties.${condition.propertyExists} exists`
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Actions = Record<string, ActionDefinition<Settings, any>>

/** One automatic preset per route that is one (message-rules.ts), bound to the action of its kind. */
export function presetsFor(actions: Actions, actionOf: Record<LaunchDarklyKind, string>): Preset[] {
  return ROUTES.filter((route) => route.preset).map((route) => {
    const partnerAction = actionOf[route.kind]
    const mapping = defaultValues(actions[partnerAction].fields) as JSONObject
    for (const [field, source] of sourcesOf(route)) {
      if (route.fields?.[field.name]) mapping[field.name] = fieldMapping(field, source) as JSONObject
    }
    for (const [field, source] of Object.entries(route.fields ?? {})) if (source === null) delete mapping[field]
    return { name: route.name, subscribe: toFql(route.when), partnerAction, mapping, type: 'automatic' }
  })
}

/** An action's default subscription: its own route's (the export schema's, or the alias route's). */
export function subscriptionFor(kind: LaunchDarklyKind): string {
  const route = actionRoute(kind)
  if (!route) throw new IntegrationError(`No route of its own for ${kind} events.`, 'INVALID_DEFINITION', 500)
  return toFql(route.when)
}
