// What people read about each property of the export schema (schema.ts): its label and
// description in the Segment UI (the destination's fields) and its rule in the README's
// mapping table. Kept apart so that this text stays out of the deployed source function,
// which converts by the schema but never shows it.

import type { PropertyName, SchemaProperty } from './schema'
import type { AliasField } from './to-launchdarkly'

export interface PropertyText {
  readonly label: string
  /** For the person mapping fields in the Segment UI. */
  readonly description: string
  /** The rule in one line, for the README's mapping table. */
  readonly rule: string
}

export const SCHEMA_TEXT: Readonly<Record<PropertyName, PropertyText>> = {
  timestamp: {
    label: 'Timestamp',
    description: 'When the event happened. Sent to LaunchDarkly as creationDate (epoch milliseconds).',
    rule: 'ISO-8601 of `creationDate` (epoch ms)'
  },
  environment: {
    label: 'LaunchDarkly environment',
    description:
      "Client-side ID of the LaunchDarkly environment the event came from. Events from the destination's own environment are not sent back to it.",
    rule: "the record's `environment`, else the `environmentId` setting"
  },
  project: {
    label: 'LaunchDarkly project',
    description: 'ID of the LaunchDarkly project the event came from.',
    rule: "the record's `project`, else the `projectId` setting"
  },
  key: {
    label: 'Key',
    description: 'The flag key for feature events; the metric (goal) key for click, page view and custom events.',
    rule: '`key`'
  },
  contextKeys: {
    label: 'Context keys',
    description:
      'The LaunchDarkly context as {contextKind: contextKey}, for example {"user": "user-123", "org": "org-9"}.',
    rule: '`{kind: key}` for every kind of `context` / `contextKeys` / legacy `user`, `userKey`'
  },
  eventId: {
    label: 'Event ID',
    description: "The LaunchDarkly event ID, present for events from LaunchDarkly's Data Export.",
    rule: '`id`, only when the input has one'
  },
  version: {
    label: 'Export schema version',
    description:
      "Version of LaunchDarkly's export schema the event is in (1, the only version there is). An event of any other version is refused rather than read by the rules of version 1.",
    rule: "the record's `version`, else `1`"
  },
  value: {
    label: 'Flag value',
    description: 'The value the flag evaluation served: any JSON value.',
    rule: '`value`, any JSON; absent becomes `null`'
  },
  flagVersion: {
    label: 'Flag version',
    description: 'Version of the flag configuration that was evaluated.',
    rule: '`version`, omitted when absent'
  },
  variation: {
    label: 'Variation index',
    description: "Index of the variation served. Empty when the SDK served the application's fallback value.",
    rule: '`variation`, omitted when absent'
  },
  variationName: {
    label: 'Variation name',
    description: 'Name of the variation served (export only; LaunchDarkly events carry the index).',
    rule: "the input's `variationName`, else looked up with the REST API; omitted when unknown"
  },
  reasonKind: {
    label: 'Evaluation reason',
    description:
      'Why the flag served this variation: OFF, FALLTHROUGH, TARGET_MATCH, RULE_MATCH, PREREQUISITE_FAILED or ERROR.',
    rule: '`reason.kind`, omitted when there is no reason'
  },
  inExperiment: {
    label: 'In experiment',
    description: 'Whether this evaluation is part of an experiment.',
    rule: '`true` when `reason.inExperiment` is `true`, else `false` (always present)'
  },
  prereqOf: {
    label: 'Prerequisite of',
    description: 'When this flag was evaluated as a prerequisite, the key of the flag that required it.',
    rule: '`prereqOf`, omitted when absent'
  },
  default: {
    label: 'Served fallback value',
    description: "True when the SDK served the application's fallback value instead of a variation.",
    rule: "`true` when the event has no `variation`, else `false`; LaunchDarkly's own `default` (the fallback value) is not exported"
  },
  url: {
    label: 'URL',
    description: 'URL of the page where the click or page view happened.',
    rule: '`url`'
  },
  selector: {
    label: 'CSS selector',
    description: 'CSS selector of the element that was clicked.',
    rule: '`selector`'
  },
  metricValue: {
    label: 'Metric value',
    description: 'Numeric value for LaunchDarkly numeric metrics (for example revenue).',
    rule: '`metricValue` when a finite number (0 included), else omitted'
  },
  data: {
    label: 'Custom data',
    description: 'Additional data attached to the custom event.',
    rule: "`data`, only with the `includeCustomData` setting (LaunchDarkly's own export drops it)"
  }
}

/** The text of a property of EXPORT_SCHEMA. */
export function textOf(property: SchemaProperty): PropertyText {
  return SCHEMA_TEXT[property.name as PropertyName]
}

/** The alias action's fields (to-launchdarkly.ts, ALIAS_FIELDS), as the Segment UI shows them. */
export const ALIAS_TEXT: Readonly<Record<AliasField['name'], Pick<PropertyText, 'label' | 'description'>>> = {
  userId: {
    label: 'User key',
    description: 'The key the user is known by now, usually the Segment userId. Sent as key, of context kind user.'
  },
  previousId: {
    label: 'Previous key',
    description:
      'The key the user had while anonymous: the previousId of an alias call, else the anonymousId of an identify call. Sent as previousKey, of context kind anonymousUser.'
  },
  timestamp: {
    label: 'Timestamp',
    description: 'When the user was identified. Sent to LaunchDarkly as creationDate (epoch milliseconds).'
  }
}
