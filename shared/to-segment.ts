// LaunchDarkly → Segment (design §3.2–3.4, 3.8, 3.9): one delivery body in, Segment calls
// and a summary out. Variation names are the only part that needs I/O, so it takes two
// steps: readDelivery reads the body into events and lists the flags whose variation
// names they need; the caller looks those up; convertDelivery converts every event once,
// with the names in hand, and decides the delivery's outcome.

import { auditEntryToCall } from './audit'
import { ContextKeys, contextKeysOf, identify } from './contexts'
import { isoFromEpochMillis } from './conversions'
import { Envelope, Item, positionOf, readEnvelope } from './envelopes'
import { EventRejection } from './errors'
import { isInteger, NativeMap, NativeSet, toJson } from './lib/builtins'
import { describe, isNonEmptyString, JsonObject, jsonSurelyWithin, own } from './lib/json'
import { utf8Length } from './lib/utf8'
import { ExportKind, isExportKind, isSkippedKind, SEGMENT_CALL } from './kinds'
import { Hash, MessageIds } from './message-id'
import { EXPORT_SCHEMA_VERSION } from './schema'
import { ForwardEvent, writeProperties } from './schema-forward'
import { SegmentCall } from './segment'
import { MAX_MESSAGE_BYTES } from './functions-contract'
import { DeliverySummary, describeRejections, NothingExported, skippedKinds, SummaryTally } from './summary'

export interface ExportSettings {
  /** Used when a payload carries no project of its own. */
  readonly projectId?: string
  /** Used when a payload carries no environment of its own. */
  readonly environmentId?: string
  readonly includeCustomData?: boolean
  /** SHA-256 as lowercase hex; defaults to the portable implementation in lib/sha256.ts. */
  readonly hash?: Hash
}

/** A flag of a project, whose variation names an event needs. */
export interface FlagRef {
  readonly project: string
  readonly flagKey: string
}

/** The name of variation `variation` of a flag, when it is known. */
export type VariationNames = (project: string, flagKey: string, variation: number) => string | undefined

/** An event to convert, with its origin and context. */
interface ReadEvent {
  readonly index: number
  readonly kind: ExportKind | 'alias'
  readonly raw: JsonObject
  readonly environment: string
  readonly project: string
  /** Absent for alias events. */
  readonly contextKeys: ContextKeys | undefined
  readonly schemaVersion: number
  /** Set for feature events whose variation name is to be looked up. */
  readonly flagKey: string | undefined
  readonly variation: number | undefined
}

/** One element of a delivery after reading: what convertDelivery does with it. */
type ReadItem =
  | ReadEvent
  | { readonly index: number; readonly skipped: string }
  /** A reason the event is rejected; notAnEvent (from the envelope) is said after its position. */
  | { readonly index: number; readonly rejection: string }
  | { readonly index: number; readonly notAnEvent: string }
  /** Audit entries need no lookup: they are converted as they are read. */
  | { readonly index: number; readonly call: SegmentCall }

export interface ReadDelivery {
  readonly form: Envelope['form']
  readonly pubsub: boolean
  /** The distinct flags whose variation names the events need, one entry per (project, flag). */
  readonly flags: readonly FlagRef[]
  readonly items: readonly ReadItem[]
  readonly settings: ExportSettings
}

export interface ConvertedDelivery {
  readonly calls: SegmentCall[]
  readonly summary: DeliverySummary
}

/** Reads one delivery body. Throws PayloadError when it is no known form. */
export function readDelivery(body: string, settings: ExportSettings = {}): ReadDelivery {
  const envelope = readEnvelope(body)
  if (envelope.form === 'audit') {
    return {
      form: 'audit',
      pubsub: false,
      flags: [],
      items: [{ index: 0, call: auditEntryToCall(envelope.entry, settings.hash) }],
      settings
    }
  }
  // Flags by project, then key: no key text built per event.
  const named = new NativeMap<string, Set<string>>()
  const flags: FlagRef[] = []
  const items = envelope.items.map((item): ReadItem => {
    try {
      const read = readItem(item, settings)
      if ('flagKey' in read && read.flagKey !== undefined) {
        const { project, flagKey } = read
        let keys = named.get(project)
        if (!keys) named.set(project, (keys = new NativeSet()))
        if (!keys.has(flagKey)) {
          keys.add(flagKey)
          flags.push({ project, flagKey })
        }
      }
      return read
    } catch (error) {
      if (!(error instanceof EventRejection)) throw error
      return { index: item.index, rejection: error.message }
    }
  })
  return { form: envelope.form, pubsub: envelope.pubsub, flags, items, settings }
}

/**
 * Converts every event of a read delivery, with the variation names looked up for its
 * flags, and decides the outcome: each event is emitted, skipped or rejected (Segment's
 * 32 KB message limit included). Throws NothingExported (a PayloadError) when events were
 * rejected and none was emitted, skipped ones or not: a sender must hear about a
 * misconfiguration.
 */
export function convertDelivery(delivery: ReadDelivery, names?: VariationNames): ConvertedDelivery {
  const ids = new MessageIds(delivery.settings.hash)
  const includeCustomData = delivery.settings.includeCustomData === true
  const calls: SegmentCall[] = []
  const tally = new SummaryTally()
  const { form } = delivery
  for (const item of delivery.items) {
    if ('raw' in item || 'call' in item) {
      try {
        calls.push('call' in item ? checkSize(item.call) : toCall(item, includeCustomData, ids, names))
      } catch (error) {
        if (!(error instanceof EventRejection)) throw error
        tally.reject(item.index, error.message)
      }
    } else if ('skipped' in item) tally.skip(item.skipped)
    else if ('rejection' in item) tally.reject(item.index, item.rejection)
    else tally.reject(item.index, item.notAnEvent, positionOf(form, item.index))
  }
  const summary = tally.summary(calls.length)
  if (tally.rejectedCount > 0 && calls.length === 0) {
    const others = skippedKinds(summary)
    if (others === '')
      throw new NothingExported(`Every event of the delivery was rejected: ${describeRejections(summary)}`, summary)
    throw new NothingExported(
      `No event of the delivery was exported: ${describeRejections(
        summary
      )} (the others were of kinds that are not exported: ${others})`,
      summary
    )
  }
  return { calls, summary }
}

/** The call, within Segment's limit on one message (design §3.8). Throws EventRejection. */
function checkSize(call: SegmentCall): SegmentCall {
  // Written out only when a cheap upper bound cannot rule the limit out.
  if (jsonSurelyWithin(call.message, MAX_MESSAGE_BYTES)) return call
  const bytes = utf8Length(toJson(call.message))
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new EventRejection(
      `the Segment message would be ${bytes} bytes, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)`
    )
  }
  return call
}

/**
 * What an element of the body is: a skipped kind, or an event with its origin and
 * context, or rejected, in the order kind, environment, project, context.
 */
function readItem(item: Item, settings: ExportSettings): ReadItem {
  if ('notAnEvent' in item) return item
  const { event, record, index } = item
  const kind = own(event, 'kind')
  // Returned rather than thrown: a thrown error costs microseconds, and a body can hold
  // tens of thousands of these.
  if (typeof kind !== 'string') return { index, rejection: `kind must be a string, found ${describe(kind)}` }
  if (isSkippedKind(kind)) return { index, skipped: kind }
  if (kind !== 'alias' && !isExportKind(kind)) return { index, rejection: `unknown kind ${toJson(kind.slice(0, 40))}` }

  const environment = origin(record, 'environment', settings.environmentId)
  // Both named at once when both are missing: a newcomer fixes both in one go.
  if (environment === undefined) throw new EventRejection(noOrigin(origin(record, 'project', settings.projectId, true)))
  const project = origin(record, 'project', settings.projectId)
  if (project === undefined)
    throw new EventRejection('no project: the payload carries none and the projectId setting is empty')
  // Every field set, in one order: one object shape for all events.
  const contextKeys = kind === 'alias' ? undefined : contextKeysOf(event)
  const named = kind === 'feature' && needsName(event)
  return {
    index,
    kind,
    raw: event,
    environment,
    project,
    contextKeys,
    schemaVersion: record === undefined ? EXPORT_SCHEMA_VERSION : recordVersion(record),
    flagKey: named ? (event.key as string) : undefined,
    variation: named ? (event.variation as number) : undefined
  }
}

/** A feature event needs a looked-up name when it carries a variation index but no name. */
function needsName(event: JsonObject): boolean {
  const carried = own(event, 'variationName')
  if (typeof carried === 'string' && carried !== '') return false
  const variation = own(event, 'variation')
  return isNonEmptyString(own(event, 'key')) && isInteger(variation) && (variation as number) >= 0
}

/**
 * The record's own value wins over the setting (design §3.3); undefined when neither has
 * one. A carried value of the wrong type is rejected, unless `lenient` (a second look).
 */
function origin(
  record: JsonObject | undefined,
  field: 'environment' | 'project',
  setting: string | undefined,
  lenient = false
): string | undefined {
  const carried = record ? own(record, field) : undefined
  if (carried !== undefined && carried !== null) {
    if (isNonEmptyString(carried) || lenient) return carried as string
    throw new EventRejection(`record ${field} must be a non-empty string, found ${describe(carried)}`)
  }
  return isNonEmptyString(setting) ? setting : undefined
}

/** A Data Export record's schema version; a record without one is of the current version. */
function recordVersion(record: JsonObject): number {
  const version = own(record, 'version')
  if (version === undefined || version === null) return EXPORT_SCHEMA_VERSION
  if (isInteger(version) && (version as number) >= 0) return version as number
  throw new EventRejection(`record version must be a non-negative integer, found ${describe(version)}`)
}

function noOrigin(project: string | undefined): string {
  return project === undefined
    ? 'no environment or project: the payload has neither, and the environmentId setting and the projectId setting are empty'
    : 'no environment: the payload carries none and the environmentId setting is empty'
}

/**
 * What a message holds besides its properties, at most, in bytes of JSON: its keys, quotes
 * and commas, the event name, the timestamp (27 characters for the widest year) and the
 * messageId (35), all ASCII.
 */
const MESSAGE_FRAME_BYTES = 160

/** The Segment call of one event, its properties read from the schema. Throws EventRejection. */
function toCall(
  read: ReadEvent,
  includeCustomData: boolean,
  ids: MessageIds,
  names: VariationNames | undefined
): SegmentCall {
  const { kind, raw } = read
  if (kind === 'alias') return checkSize(aliasCall(raw, read.environment, ids))
  const shape = SEGMENT_CALL[kind]
  // Field by field rather than spreads: this runs once per event.
  const message: JsonObject = {}
  if (shape.event) message.event = shape.event
  const identity = identify(message, read.contextKeys as ContextKeys)
  const name =
    read.flagKey !== undefined && names ? names(read.project, read.flagKey, read.variation as number) : undefined
  const bytes = writeProperties(
    message,
    kind,
    read as ReadEvent & ForwardEvent,
    includeCustomData,
    name === '' ? undefined : name,
    MAX_MESSAGE_BYTES
  )
  message.messageId = ids.forEvent(
    read.environment,
    raw,
    (message.properties as JsonObject).eventId as string | undefined
  )
  const call = { type: shape.type, message } as SegmentCall
  // The bound summed over the properties as they were set: the message is walked, and
  // written, only when it may be over the limit.
  return bytes + MESSAGE_FRAME_BYTES + identity.length * 6 <= MAX_MESSAGE_BYTES ? call : checkSize(call)
}

/** Legacy SDKs' alias events link an anonymous key to a known one. */
function aliasCall(event: JsonObject, environment: string, ids: MessageIds): SegmentCall {
  const key = own(event, 'key')
  const previousKey = own(event, 'previousKey')
  if (!isNonEmptyString(key))
    throw new EventRejection(`key (alias user key) must be a non-empty string, found ${describe(key)}`)
  if (!isNonEmptyString(previousKey))
    throw new EventRejection(`previousKey must be a non-empty string, found ${describe(previousKey)}`)
  const timestamp = isoFromEpochMillis(own(event, 'creationDate'))
  const id = own(event, 'id')
  const messageId = ids.forEvent(environment, event, typeof id === 'string' ? id : undefined)
  return { type: 'alias', message: { userId: key, previousId: previousKey, timestamp, messageId } }
}
