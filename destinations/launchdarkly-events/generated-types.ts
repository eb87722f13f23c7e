// Generated file. DO NOT MODIFY IT BY HAND.

export interface Settings {
  /**
   * The client-side ID of the LaunchDarkly environment that receives the events. Find it in LaunchDarkly under Project settings → Environments.
   */
  clientSideId: string
  /**
   * Origin of LaunchDarkly's event ingestion API: https, a host and an optional port, nothing after (no path, query or credentials). Change it only to send through a LaunchDarkly Relay Proxy or to a LaunchDarkly instance other than the default one. Plain http is accepted only for a local host (localhost, 127.0.0.1, [::1]).
   */
  eventsBaseUrl?: string
  /**
   * Origin of LaunchDarkly's client-side SDK API, used by Test connection to check the client-side ID: https, a host and an optional port, nothing after. Change it only for a LaunchDarkly Relay Proxy or a LaunchDarkly instance other than the default one. Plain http is accepted only for a local host (localhost, 127.0.0.1, [::1]).
   */
  sdkBaseUrl?: string
}
