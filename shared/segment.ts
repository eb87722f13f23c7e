// The Segment calls the source side emits, as plain data (no Segment runtime objects).

import { JsonObject } from './lib/json'

export type Identity = { userId: string } | { anonymousId: string }

export type SegmentCall =
  | {
      type: 'track'
      message: Identity & { event: string; properties: JsonObject; timestamp: string; messageId: string }
    }
  | { type: 'page'; message: Identity & { properties: JsonObject; timestamp: string; messageId: string } }
  | { type: 'alias'; message: { userId: string; previousId: string; timestamp: string; messageId: string } }
