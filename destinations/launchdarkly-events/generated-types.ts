// Generated file. DO NOT MODIFY IT BY HAND.

export interface Settings {
  /**
   * The client-side ID of the LaunchDarkly environment that receives the events. Find it in LaunchDarkly under Project settings → Environments.
   */
  clientSideId: string
  /**
   * Base URL of LaunchDarkly's event ingestion API. Change it only to send through a LaunchDarkly Relay Proxy or to a LaunchDarkly instance other than the default one. Requests use https; plain http is kept only for a local host (localhost, 127.0.0.1, [::1]).
   */
  eventsBaseUrl?: string
  /**
   * Base URL of LaunchDarkly's client-side SDK API, used to check the client-side ID. Change it only for a LaunchDarkly Relay Proxy or a LaunchDarkly instance other than the default one. Requests use https; plain http is kept only for a local host (localhost, 127.0.0.1, [::1]).
   */
  sdkBaseUrl?: string
}
