/**
 * The version of LaunchDarkly's event format this destination sends, in the
 * X-LaunchDarkly-Event-Schema header: schema 4 carries contexts as `contextKeys`.
 * API reference: https://launchdarkly.com/docs/sdk/concepts/events
 */
export const API_VERSION = '4'
