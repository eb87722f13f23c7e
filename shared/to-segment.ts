// LaunchDarkly → Segment (SPEC 3.2–3.4, 3.8, 3.9): one delivery body in, Segment calls
// and a summary out. Variation names are the only thing that needs I/O, so the work is
// split: readDelivery converts everything it can, the caller looks up the flags that
// flagsToName lists, and finishDelivery adds the names.

import { auditEntryToCall } from './audit'
import { contextKeysOf, identityOf } from './contexts'
import { isoFromEpochMillis, readPath, SourceEvent } from './conversions'
import { Envelope, Item, readEnvelope } from './envelopes'
import { EventRejection, PayloadError } from './errors'
import { describe, isNonEmptyString, JsonObject, own } from './json'
import { isExportKind, isSkippedKind, SEGMENT_CALL } from './kinds'
import { Hash, MessageIds } from './message-id'
import { propertiesOf } from './schema'
import { SegmentCall } from './segment'

export interface ExportSettings {
  /** Used when a payload carries no project of its own. */
  readonly projectId?: string
  /** Used when a payload carries no environment of its own. */
  readonly environmentId?: string
  readonly includeCustomData?: boolean
  /** SHA-256 as lowercase hex; defaults to the portable implementation in sha256.ts. */
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

/** A feature evaluation whose variation name has to be looked up. */
export interface PendingName {
  readonly call: number
  readonly project: string
  readonly flagKey: string
  readonly variation: number
}

export interface Delivery {
  readonly form: Envelope['form']
  readonly pubsub: boolean
  readonly calls: readonly SegmentCall[]
  /** The body index of each call's event, for rejections an adapter finds later (e.g. Segment's 32 KB limit). */
  readonly indexes: readonly number[]
  readonly pendingNames: readonly PendingName[]
  readonly skipped: Readonly<Record<string, number>>
  readonly rejected: readonly Rejection[]
}

export type VariationNames = (project: string, flagKey: string, variation: number) => string | undefined

/**
 * Reads and converts one delivery. Throws PayloadError when the body is no known form,
 * and when every one of its events was rejected.
 */
export function readDelivery(body: string, settings: ExportSettings = {}): Delivery {
  const envelope = readEnvelope(body)
  if (envelope.form === 'audit') {
    return { form: 'audit', pubsub: false, calls: [auditEntryToCall(envelope.entry, settings.hash)], indexes: [0], pendingNames: [], skipped: {}, rejected: [] }
  }
  const ids = new MessageIds(settings.hash)
  const calls: SegmentCall[] = []
  const indexes: number[] = []
  const pendingNames: PendingName[] = []
  const skipped: Record<string, number> = {}
  const rejected: Rejection[] = []
  for (const item of envelope.items) {
    try {
      const result = convertItem(item, settings, ids)
      if (typeof result === 'string') {
        skipped[result] = (skipped[result] ?? 0) + 1
        continue
      }
      if (result.pending) pendingNames.push({ call: calls.length, ...result.pending })
      calls.push(result.call)
      indexes.push(item.index)
    } catch (error) {
      if (!(error instanceof EventRejection)) throw error
      rejected.push({ index: item.index, reason: error.message })
    }
  }
  if (envelope.items.length > 0 && rejected.length === envelope.items.length) {
    throw new PayloadError(`Every event of the delivery was rejected: ${describeRejections(rejected)}`)
  }
  return { form: envelope.form, pubsub: envelope.pubsub, calls, indexes, pendingNames, skipped, rejected }
}

/** The distinct flags whose variation names are needed, one entry per (project, flag). */
export function flagsToName(delivery: Delivery): Array<{ project: string; flagKey: string }> {
  const seen = new Map<string, { project: string; flagKey: string }>()
  for (const { project, flagKey } of delivery.pendingNames) seen.set(project + '\n' + flagKey, { project, flagKey })
  return [...seen.values()]
}

/** Adds looked-up variation names and summarises the delivery. */
export function finishDelivery(delivery: Delivery, names?: VariationNames): { calls: SegmentCall[]; summary: DeliverySummary } {
  const calls = delivery.calls.slice()
  if (names) {
    for (const pending of delivery.pendingNames) {
      const name = names(pending.project, pending.flagKey, pending.variation)
      if (typeof name === 'string' && name !== '') calls[pending.call] = withVariationName(calls[pending.call], name)
    }
  }
  return { calls, summary: { emitted: calls.length, skipped: delivery.skipped, rejected: delivery.rejected } }
}

/** The one log line per delivery (SPEC 3.8). */
export function summaryLine(summary: DeliverySummary): string {
  const skipped = Object.keys(summary.skipped).map((kind) => `${kind}=${summary.skipped[kind]}`)
  let line = `launchdarkly: emitted ${summary.emitted}, skipped ${skipped.length ? skipped.join(' ') : '0'}, rejected ${summary.rejected.length}`
  if (summary.rejected.length) line += ` (${describeRejections(summary.rejected)})`
  return line
}

export function describeRejections(rejected: readonly Rejection[]): string {
  const shown = rejected.slice(0, 20).map((r) => `event ${r.index}: ${r.reason}`)
  return shown.join('; ') + (rejected.length > 20 ? `; and ${rejected.length - 20} more` : '')
}

type Converted = { call: SegmentCall; pending?: Omit<PendingName, 'call'> }

/** A Segment call, or the kind when it is skipped. Throws EventRejection. */
function convertItem(item: Item, settings: ExportSettings, ids: MessageIds): Converted | string {
  if ('rejection' in item) throw new EventRejection(item.rejection)
  const { event, record } = item
  const kind = own(event, 'kind')
  if (typeof kind !== 'string') throw new EventRejection(`kind must be a string, found ${describe(kind)}`)
  if (isSkippedKind(kind)) return kind
  if (kind !== 'alias' && !isExportKind(kind)) throw new EventRejection(`unknown kind ${JSON.stringify(kind.slice(0, 40))}`)

  const environment = origin(record, 'environment', settings.environmentId, 'environmentId')
  const project = origin(record, 'project', settings.projectId, 'projectId')
  if (kind === 'alias') return { call: aliasCall(event, environment, ids) }

  const source: SourceEvent = {
    raw: event,
    environment,
    project,
    contextKeys: contextKeysOf(event),
    includeCustomData: settings.includeCustomData === true
  }
  let timestamp = ''
  const properties: JsonObject = {}
  for (const property of propertiesOf(kind)) {
    const value = property.convert.toSegment(property.ld === null ? undefined : readPath(event, property.ld), source)
    if (value === undefined) continue
    if (property.segment === 'timestamp') timestamp = value as string
    else properties[property.name] = value
  }
  const messageId = ids.forEvent(environment, event, properties.eventId as string | undefined)
  const shape = SEGMENT_CALL[kind]
  // Built field by field: the object spread this replaced (of two small objects) profiled
  // as the single most expensive line of a conversion, a fifth of its time.
  const identity = identityOf(source.contextKeys)
  const message: JsonObject = {}
  if (shape.event) message.event = shape.event
  if ('userId' in identity) message.userId = identity.userId
  else message.anonymousId = identity.anonymousId
  message.properties = properties
  message.timestamp = timestamp
  message.messageId = messageId
  const call = { type: shape.type, message } as SegmentCall

  const variation = properties.variation
  const pending = kind === 'feature' && properties.variationName === undefined && typeof variation === 'number'
  return pending ? { call, pending: { project, flagKey: properties.key as string, variation } } : { call }
}

/** The record's own value wins over the setting (SPEC 3.3). */
function origin(record: JsonObject | undefined, field: 'environment' | 'project', setting: string | undefined, settingName: string): string {
  const carried = record ? own(record, field) : undefined
  if (carried !== undefined && carried !== null) {
    if (!isNonEmptyString(carried)) throw new EventRejection(`record ${field} must be a non-empty string, found ${describe(carried)}`)
    return carried
  }
  if (isNonEmptyString(setting)) return setting
  throw new EventRejection(`no ${field}: the payload carries none and the ${settingName} setting is empty`)
}

/** Legacy SDKs' alias events link an anonymous key to a known one. */
function aliasCall(event: JsonObject, environment: string, ids: MessageIds): SegmentCall {
  const key = own(event, 'key')
  const previousKey = own(event, 'previousKey')
  if (!isNonEmptyString(key)) throw new EventRejection(`key (alias user key) must be a non-empty string, found ${describe(key)}`)
  if (!isNonEmptyString(previousKey)) throw new EventRejection(`previousKey must be a non-empty string, found ${describe(previousKey)}`)
  const timestamp = isoFromEpochMillis(own(event, 'creationDate'))
  const id = own(event, 'id')
  const messageId = ids.forEvent(environment, event, typeof id === 'string' ? id : undefined)
  return { type: 'alias', message: { userId: key, previousId: previousKey, timestamp, messageId } }
}

/** Keeps the schema's property order: the name goes right after the variation index. */
function withVariationName(call: SegmentCall, name: string): SegmentCall {
  if (call.type === 'alias') return call
  const properties: JsonObject = {}
  for (const key of Object.keys(call.message.properties)) {
    properties[key] = call.message.properties[key]
    if (key === 'variation') properties.variationName = name
  }
  return { ...call, message: { ...call.message, properties } } as SegmentCall
}
