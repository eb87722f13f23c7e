// The core module's error vocabulary. Adapters translate these into their runtime's
// classes: the source function into Segment's InvalidEventPayload, the destination into
// actions-core's PayloadValidationError.

/** A delivery that cannot be read at all (design §3.8): empty, too large, or of no known form. */
export class PayloadError extends Error {
  readonly code = 'invalid_payload'
  constructor(message: string) {
    super(message)
    this.name = 'PayloadError'
  }
}

/** One event that cannot be converted; the rest of its delivery still goes out. */
export class EventRejection extends Error {
  readonly code = 'invalid_event'
  constructor(message: string) {
    super(message)
    this.name = 'EventRejection'
  }
}

/** Mapped Segment fields that cannot make a LaunchDarkly event (Segment → LaunchDarkly). */
export class MappingError extends Error {
  readonly code = 'invalid_fields'
  constructor(message: string) {
    super(message)
    this.name = 'MappingError'
  }
}
