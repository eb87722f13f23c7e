// What the Segment UI shows for each of the source function's settings (settings.ts
// declares them). Kept apart so that this text stays out of the deployed function: the
// build writes it to dist/sources/launchdarkly.settings.json, and the deploy sends it.

import type { SettingDeclaration } from '../../shared'
import { SETTINGS, SettingName } from './settings'

export const SETTING_TEXT: Readonly<Record<SettingName, { readonly label: string; readonly description: string }>> = {
  projectId: {
    label: 'LaunchDarkly project ID',
    description:
      "ID of the LaunchDarkly project the events belong to (its _id in LaunchDarkly's REST API, the value LaunchDarkly's Data Export sends as project). Used when a delivery names no project: needed for SDK event batches; Data Export records carry their own."
  },
  environmentId: {
    label: 'LaunchDarkly environment ID (client-side ID)',
    description:
      "Client-side ID of the LaunchDarkly environment the events come from, shown with the environment's SDK keys in LaunchDarkly's project settings. Used when a delivery names no environment: needed for SDK event batches; Data Export records carry their own."
  },
  projectKey: {
    label: 'LaunchDarkly project key',
    description:
      'Key of the LaunchDarkly project (for example "default"), used to look up variation names. Optional: when empty, the key is found from the project ID with the access token.'
  },
  accessToken: {
    label: 'LaunchDarkly API access token',
    description:
      'A LaunchDarkly API access token with the Reader role. When set, feature events get the name of the variation served (variationName), looked up from the LaunchDarkly REST API and cached for a few minutes. Leave empty to send feature events without variation names.'
  },
  apiBaseUrl: {
    label: 'LaunchDarkly API base URL',
    description:
      "Base URL of the LaunchDarkly REST API for variation-name lookups. Leave empty for https://app.launchdarkly.com; change it only for LaunchDarkly's federal or EU instances or a proxy."
  },
  webhookSecret: {
    label: 'Audit-log webhook signing secret',
    description:
      'The secret of the LaunchDarkly audit-log webhook (Integrations → Webhooks, with "Sign this webhook" on). When set, audit-log entries must carry a valid X-LD-Signature header. Segment may re-serialize the body of deployed functions, which breaks signatures: prefer the ingest token for deployed functions.'
  },
  ingestToken: {
    label: 'Ingest token',
    description:
      'A secret of your choosing. When set, every delivery must carry it, either in the webhook URL as ?token=<ingest token> or as the header Authorization: Bearer <ingest token>; anything else is refused.'
  },
  includeCustomData: {
    label: 'Include custom event data',
    description:
      "Export the data attached to LaunchDarkly custom events as properties.data. Off by default, like LaunchDarkly's own Data Export, which drops it."
  }
}

/** The settings as the Segment UI declares them (none is required: each has a use without it). */
export const SETTING_DECLARATIONS: readonly SettingDeclaration[] = SETTINGS.map(({ name, type, sensitive }) => ({
  name,
  ...SETTING_TEXT[name],
  type,
  required: false,
  sensitive
}))
