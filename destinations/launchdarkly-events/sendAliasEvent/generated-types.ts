// Generated file. DO NOT MODIFY IT BY HAND.

export interface Payload {
  /**
   * The key the user is known by now, usually the Segment userId. Sent as key, of context kind user.
   */
  userId: string
  /**
   * The key the user had while anonymous: the previousId of an alias call, else the anonymousId of an identify call. Sent as previousKey, of context kind anonymousUser.
   */
  previousId: string
  /**
   * When the user was identified. Sent to LaunchDarkly as creationDate (epoch milliseconds). An ISO-8601 date or epoch milliseconds; when it is missing or cannot be read as a date, the time of sending.
   */
  timestamp?: string
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
