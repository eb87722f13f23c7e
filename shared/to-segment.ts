// LaunchDarkly → Segment (design §3.2–3.4, 3.8, 3.9): one delivery body in, Segment calls
// and a summary out. Variation names are the only part that needs I/O, so it takes two
// steps: readDelivery reads the body into events and lists the flags whose variation
// names they need; the caller looks those up; convertDelivery converts every event once,
// with the names in hand, and decides the delivery's outcome.

import { auditEntryToCall } from './audit'
import { ContextKeys, contextKeysOf, identityOf } from './contexts'
import { isoFromEpochMillis, readPath, SourceEvent } from './conversions'
import { Envelope, Item, readEnvelope } from './envelopes'
import { EventRejection, PayloadError } from './errors'
import { describe, isNonEmptyString, JsonObject, own } from './lib/json'
import { utf8Length } from './lib/utf8'
import { ExportKind, isExportKind, isSkippedKind, SEGMENT_CALL } from './kinds'
import { Hash, MessageIds } from './message-id'
import { propertiesOf } from './schema'
import { SegmentCall } from './segment'
import { MAX_MESSAGE_BYTES } from './segment-functions'

export interface ExportSettings {
  /** Used when a payload carries no project of its own. */
  readonly projectId?: string
  /** Used when a payload carries no environment of its own. */
  readonly environmentId?: string
  readonly includeCustomData?: boolean
  /** SHA-256 as lowercase hex; defaults to the portable implementation in lib/sha256.ts. */
  readonly hash?: Hash
}

export interface Rejection {
  readonly index: number
  readonly reason: string
}

export interface DeliverySummary {
  readonly emitted: number
  readonly skipped: Readonly<Record<string, number>>
  readonly rejected: readonly Rejection[]
}

/** A flag of a project, whose variation names an event needs. */
export interface FlagRef {
  readonly project: string
  readonly flagKey: string
}

/** The name of variation `variation` of a flag, when it is known. */
export type VariationNames = (project: string, flagKey: string, variation: number) => string | undefined

/** One element of a delivery after reading: what convertDelivery does with it. */
type ReadItem =
  | { readonly index: number; readonly skipped: string }
  | { readonly index: number; readonly rejection: string }
  /** Audit entries need no lookup: they are converted as they are read. */
  | { readonly index: number; readonly call: SegmentCall }
  | { readonly index: number; readonly event: ReadEvent }

interface ReadEvent {
  readonly kind: ExportKind | 'alias'
  readonly raw: JsonObject
  readonly environment: string
  readonly project: string
  readonly contextKeys?: ContextKeys
  /** Set for feature events whose variation name is to be looked up. */
  readonly named?: { readonly flagKey: string; readonly variation: number }
}

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
  const flags = new Map<string, FlagRef>()
  const items = envelope.items.map((item): ReadItem => {
    try {
      const read = readItem(item, settings)
      if ('event' in read && read.event.named) {
        const { project } = read.event
        const { flagKey } = read.event.named
        flags.set(project + '\n' + flagKey, { project, flagKey })
      }
      return read
    } catch (error) {
      if (!(error instanceof EventRejection)) throw error
      return { index: item.index, rejection: error.message }
    }
  })
  return { form: envelope.form, pubsub: envelope.pubsub, flags: [...flags.values()], items, settings }
}

/**
 * Converts every event of a read delivery, with the variation names looked up for its
 * flags, and decides the outcome: each event is emitted, skipped or rejected (Segment's
 * 32 KB message limit included). Throws PayloadError when events were rejected and none
 * was emitted, skipped ones or not: a sender must hear about a misconfiguration.
 */
export function convertDelivery(delivery: ReadDelivery, names?: VariationNames): ConvertedDelivery {
  const ids = new MessageIds(delivery.settings.hash)
  const includeCustomData = delivery.settings.includeCustomData === true
  const calls: SegmentCall[] = []
  const skipped: Record<string, number> = {}
  const rejected: Rejection[] = []
  for (const item of delivery.items) {
    if ('skipped' in item) {
      skipped[item.skipped] = (skipped[item.skipped] ?? 0) + 1
      continue
    }
    try {
      if ('rejection' in item) throw new EventRejection(item.rejection)
      const call = 'call' in item ? item.call : toCall(item.event, includeCustomData, ids, names)
      const bytes = utf8Length(JSON.stringify(call.message))
      if (bytes > MAX_MESSAGE_BYTES) {
        throw new EventRejection(
          `the Segment message would be ${bytes} bytes, over Segment's limit of ${MAX_MESSAGE_BYTES} bytes (32 KB)`
        )
      }
      calls.push(call)
    } catch (error) {
      if (!(error instanceof EventRejection)) throw error
      rejected.push({ index: item.index, reason: error.message })
    }
  }
  if (rejected.length > 0 && calls.length === 0) {
    const kinds = Object.keys(skipped)
    if (kinds.length === 0)
      throw new PayloadError(`Every event of the delivery was rejected: ${describeRejections(rejected)}`)
    const others = kinds.map((kind) => `${kind}=${skipped[kind]}`).join(' ')
    throw new PayloadError(
      `No event of the delivery was exported: ${describeRejections(
        rejected
      )} (the others were of kinds that are not exported: ${others})`
    )
  }
  return { calls, summary: { emitted: calls.length, skipped, rejected } }
}

/** The one log line per delivery (design §3.8). */
export function summaryLine(summary: DeliverySummary): string {
  const skipped = Object.keys(summary.skipped).map((kind) => `${kind}=${summary.skipped[kind]}`)
  let line = `launchdarkly: emitted ${summary.emitted}, skipped ${skipped.length ? skipped.join(' ') : '0'}, rejected ${
    summary.rejected.length
  }`
  if (summary.rejected.length) line += ` (${describeRejections(summary.rejected)})`
  return line
}

export function describeRejections(rejected: readonly Rejection[]): string {
  const shown = rejected.slice(0, 20).map((r) => `event ${r.index}: ${r.reason}`)
  return shown.join('; ') + (rejected.length > 20 ? `; and ${rejected.length - 20} more` : '')
}

/**
 * What an element of the body is: a skipped kind, or an event with its origin and
 * context. Throws EventRejection, in the order kind, environment, project, context.
 */
function readItem(item: Item, settings: ExportSettings): ReadItem {
  if ('rejection' in item) return item
  const { event, record, index } = item
  const kind = own(event, 'kind')
  if (typeof kind !== 'string') throw new EventRejection(`kind must be a string, found ${describe(kind)}`)
  if (isSkippedKind(kind)) return { index, skipped: kind }
  if (kind !== 'alias' && !isExportKind(kind))
    throw new EventRejection(`unknown kind ${JSON.stringify(kind.slice(0, 40))}`)

  const environment = origin(record, 'environment', settings.environmentId, 'environmentId')
  const project = origin(record, 'project', settings.projectId, 'projectId')
  if (kind === 'alias') return { index, event: { kind, raw: event, environment, project } }
  const contextKeys = contextKeysOf(event)
  return {
    index,
    event: {
      kind,
      raw: event,
      environment,
      project,
      contextKeys,
      named: kind === 'feature' ? nameToLookUp(event) : undefined
    }
  }
}

/** A feature event needs a looked-up name when it carries a variation index but no name. */
function nameToLookUp(event: JsonObject): ReadEvent['named'] {
  const carried = own(event, 'variationName')
  if (typeof carried === 'string' && carried !== '') return undefined
  const flagKey = own(event, 'key')
  const variation = own(event, 'variation')
  if (!isNonEmptyString(flagKey) || !Number.isInteger(variation) || (variation as number) < 0) return undefined
  return { flagKey, variation: variation as number }
}

/** The record's own value wins over the setting (design §3.3). */
function origin(
  record: JsonObject | undefined,
  field: 'environment' | 'project',
  setting: string | undefined,
  settingName: string
): string {
  const carried = record ? own(record, field) : undefined
  if (carried !== undefined && carried !== null) {
    if (!isNonEmptyString(carried))
      throw new EventRejection(`record ${field} must be a non-empty string, found ${describe(carried)}`)
    return carried
  }
  if (isNonEmptyString(setting)) return setting
  throw new EventRejection(`no ${field}: the payload carries none and the ${settingName} setting is empty`)
}

/** The Segment call of one event, its properties read from the schema. Throws EventRejection. */
function toCall(
  read: ReadEvent,
  includeCustomData: boolean,
  ids: MessageIds,
  names: VariationNames | undefined
): SegmentCall {
  if (read.kind === 'alias') return aliasCall(read.raw, read.environment, ids)
  const { kind, raw, named } = read
  const name = named && names ? names(read.project, named.flagKey, named.variation) : undefined
  const source: SourceEvent = {
    raw,
    environment: read.environment,
    project: read.project,
    contextKeys: read.contextKeys as ContextKeys,
    includeCustomData,
    variationName: name === '' ? undefined : name
  }
  let timestamp = ''
  const properties: JsonObject = {}
  for (const property of propertiesOf(kind)) {
    const value = property.convert.toSegment(property.ld === null ? undefined : readPath(raw, property.ld), source)
    if (value === undefined) continue
    if (property.segment === 'timestamp') timestamp = value as string
    else properties[property.name] = value
  }
  const messageId = ids.forEvent(read.environment, raw, properties.eventId as string | undefined)
  const shape = SEGMENT_CALL[kind]
  // Field by field rather than spreads: this runs once per event.
  const identity = identityOf(source.contextKeys)
  const message: JsonObject = {}
  if (shape.event) message.event = shape.event
  if ('userId' in identity) message.userId = identity.userId
  else message.anonymousId = identity.anonymousId
  message.properties = properties
  message.timestamp = timestamp
  message.messageId = messageId
  return { type: shape.type, message } as SegmentCall
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
