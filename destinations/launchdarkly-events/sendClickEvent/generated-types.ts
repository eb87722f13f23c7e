// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * When the event happened. Sent to LaunchDarkly as creationDate (epoch milliseconds). An ISO-8601 date or epoch milliseconds; when it is missing or cannot be read as a date, the time of sending.
   */
  timestamp?: string
  /**
   * The flag key for feature events; the metric (goal) key for click, page view and custom events.
   */
  key: string
  /**
   * The LaunchDarkly context as {contextKind: contextKey}, for example {"user": "user-123", "org": "org-9"}. Defaults to the event's contextKeys property, else {"user": userId or else anonymousId, "unauthenticatedUser": anonymousId} (the second key only when the event has an anonymousId), as Segment's LaunchDarkly destination keys it.
   */
  contextKeys: {
    [k: string]: unknown
  }
  /**
   * Version of LaunchDarkly's export schema the event is in (1, the only version there is). An event of any other version is refused rather than read by the rules of version 1.
   */
  version?: number
  /**
   * URL of the page where the click or page view happened.
   */
  url?: string
  /**
   * CSS selector of the element that was clicked.
   */
  selector?: string
  /**
   * The Segment messageId. The request header X-LaunchDarkly-Payload-ID is derived from the messageIds of a batch, so a batch that Segment retries carries the same ID and LaunchDarkly drops the repeat.
   */
  messageId?: string
  /**
   * When enabled, Segment sends events to LaunchDarkly in batches: one request per batch.
   */
  enable_batching?: boolean
  /**
   * Maximum number of events in one request to LaunchDarkly. A batch LaunchDarkly finds too large is sent again in smaller pieces, sized by its bytes.
   */
  batch_size?: number
}
