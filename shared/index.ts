// The core mapping module: the only code that knows the LaunchDarkly ⇄ Segment export
// schema, and the one way into it (sources, destinations, runtime and scripts import
// this file, never a file beside it). Pure: no I/O, no Segment or LaunchDarkly runtime
// objects.
//
// Module-level state: three memos kept for speed, each bounded and none holding
// settings, so that a warm runtime shared by deliveries stays correct:
// * conversions.ts remembers the last creationDate it formatted (one number, one string);
// * lib/json.ts keeps the quoted form of up to 1,024 short object keys;
// * lib/sha256.ts reuses one scratch buffer of at most 64 KiB.

export * from './errors'
export * from './kinds'
export * from './schema'
export * from './segment'
export * from './segment-functions'
export { canonicalJson, describe, isObject, own, MAX_DEPTH } from './lib/json'
export type { JsonObject } from './lib/json'
export { sha256Hex } from './lib/sha256'
export { utf8Length } from './lib/utf8'
export { redact } from './lib/redact'
export { ttlCache } from './lib/ttl-cache'
export type { TtlCache, TtlEntries } from './lib/ttl-cache'
export { contextKeysOf, canonicalKey, identityOf, checkedContextKeys } from './contexts'
export type { ContextKeys } from './contexts'
export { MessageIds, auditMessageId, payloadIdFor } from './message-id'
export type { Hash } from './message-id'
export { readEnvelope, EXPECTED_FORMS } from './envelopes'
export type { Envelope, Item } from './envelopes'
export { AUDIT_ANONYMOUS_ID, auditEntryToCall, isAuditEntry } from './audit'
export * from './to-segment'
export { toLaunchDarklyEvent, isEcho } from './to-launchdarkly'
export type { LaunchDarklyEvent } from './to-launchdarkly'
