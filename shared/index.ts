// The core mapping module: the only code that knows the LaunchDarkly ⇄ Segment export
// schema, and the one way into it (sources, destinations, runtime and scripts import
// this file, never a file beside it). Pure: no I/O, no Segment or LaunchDarkly runtime
// objects.
//
// The language's built-ins the function bundles call on a delivery's path are read once,
// from lib/builtins.ts (why: there), never as globals inside a function.
//
// Module-level state: four memos kept for speed, each bounded and none holding
// settings, so that a warm runtime shared by deliveries stays correct:
// * conversions.ts remembers the last second of a creationDate it formatted;
// * envelopes.ts keeps the reason text for each type of non-object element (a handful);
// * lib/canonical-json.ts and lib/sha256.ts each reuse one buffer of at most 64 KiB.

export * from './errors'
export * from './kinds'
export * from './schema'
export { isReadBack, reverseOf, SCHEMA_REVERSE } from './schema-reverse'
export { SCHEMA_FORWARD } from './schema-forward'
export type { ReverseRule } from './schema-reverse'
export { ALIAS_TEXT, SCHEMA_TEXT, textOf } from './schema-text'
export { ruleFor, trackingPlan } from './tracking-plan'
export type { TrackingPlan, TrackingPlanRule } from './tracking-plan'
export type { PropertyText } from './schema-text'
export * from './segment'
export * from './functions-contract'
export * from './lib/builtins'
export { describe, isObject, jsonSurelyWithin, own, ownAt, MAX_DEPTH } from './lib/json'
export { canonicalJsonBytes } from './lib/canonical-json'
export { isJsonText } from './lib/json-syntax'
export type { JsonObject } from './lib/json'
export { hexOf, sha256Hex, sha256From } from './lib/sha256'
export type { HashingCrypto, Sha256 } from './lib/sha256'
export { utf8Length } from './lib/utf8'
export { explanationOf, firstAndMore, parseJsonOrUndefined } from './lib/text'
export type { Settled, Settlement } from './settlement'
export { redact } from './lib/redact'
export { ttlCache } from './lib/ttl-cache'
export type { TtlCache, TtlEntries } from './lib/ttl-cache'
export { contextKeysOf, canonicalKey, identify, checkedContextKeys } from './contexts'
export type { ContextKeys } from './contexts'
export { MessageIds, auditMessageId, payloadIdFor } from './message-id'
export type { Hash } from './message-id'
export { readEnvelope, EXPECTED_FORMS } from './envelopes'
export type { Envelope, Item } from './envelopes'
export { AUDIT_ANONYMOUS_ID, auditEntryToCall, isAuditEntry } from './audit'
export * from './to-segment'
export {
  describeRejections,
  MAX_COUNTED_REASONS,
  MAX_LISTED_REJECTIONS,
  MAX_REASON_LENGTH,
  MAX_SKIPPED_KINDS,
  NothingExported,
  OTHER_SKIPPED_KINDS,
  redactSummary,
  rejectedCount,
  summaryLine
} from './summary'
export type { DeliverySummary, ReasonCount, Rejection } from './summary'
export { ALIAS_FIELDS, toLaunchDarklyEvent, isEcho } from './to-launchdarkly'
export type { AliasField, LaunchDarklyEvent, LaunchDarklyKind } from './to-launchdarkly'
