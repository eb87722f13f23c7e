// The adversarial corpus: one JSON file per case in ./cases, each with its hostile input
// and its expected outcome, run through the built source function (source.test.ts) and,
// where the case has a `destination` part, through the destination (destination.test.ts).
//
// A case file:
//
//   {
//     "name": "<same as the file name>",
//     "class": "<which class of bad input: see CLASSES>",
//     "description": "<what the input is and why the outcome is right>",
//     "source": {                                   (optional)
//       "request": {
//         "body": "<text>" | "bodyJson": <any JSON, sent as its text> |
//         "bodyBase64": "<bytes, decoded as UTF-8 like an HTTP body>" |
//         "generate": {"name": "<a GENERATORS key>", ...its options},
//         "headers": {...}, "url": "/bulk?token=..."
//       },
//       "settings": {...},                          (default DEFAULT_SETTINGS)
//       "repeat": 2,                                (deliver the same request again: a retry)
//       "expect": {"ok": true, "calls": N, "emittedKeys": [...], "emittedContextKeys": [...],
//                  "logIncludes": [...],
//                  "sameMessageIds": [[i, j], ...]}
//               | {"error": "InvalidEventPayload", "messageIncludes": [...]}
//     },
//     "destination": {                              (optional)
//       "action": "sendCustomEvent", "preset": "<preset name>", "mapping": {...},
//       "settings": {...}, "events": [<Segment events>], "replies": [202, ...],
//       "repeat": 2,                                (Segment retries the batch)
//       "expect": {"requests": N, "statuses": [202, 400, ...], "sentKeys": [...],
//                  "messagesInclude": {"<index>": "<text>"}}
//     }
//   }
//
// Large bodies are made by named generators below rather than stored.

import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { SETTINGS } from '../../sources/launchdarkly/settings'

export const CASES_DIR = path.join(__dirname, 'cases')

export const DEFAULT_SETTINGS = { projectId: 'proj-1', environmentId: 'env-1' }

/** The settings that must never show up in a log line or an error (design §3.7, 4.1). */
export const SECRET_SETTINGS = SETTINGS.filter((setting) => setting.sensitive).map((setting) => setting.name)

/** Every class the issue asks the corpus to cover; a test checks each has a case. */
export const CLASSES = [
  'invalid JSON',
  'truncated gzip',
  'empty body',
  'wrong content type',
  'over the limit',
  'deeply nested',
  'huge array',
  'prototype keys',
  'numbers as strings',
  'NaN and Infinity',
  'keys that are not strings',
  'bad context keys',
  'unknown kinds',
  'mixed good and bad',
  'wrong signature',
  'token in the wrong place',
  'oversize event',
  'duplicate delivery',
  'not a known form',
  'secret echo'
] as const
export type CaseClass = (typeof CLASSES)[number]

export interface SourceRequest {
  body?: string
  bodyJson?: unknown
  bodyBase64?: string
  generate?: { name: keyof typeof GENERATORS } & Record<string, unknown>
  headers?: Record<string, string>
  url?: string
}

export type SourceExpect =
  | {
      ok: true
      calls: number
      emittedKeys?: Array<string | null>
      /** properties.contextKeys of every emitted call, in order. */
      emittedContextKeys?: Array<Record<string, string>>
      logIncludes?: string[]
      /** Pairs of call indexes that carry the same messageId (by default all differ). */
      sameMessageIds?: Array<[number, number]>
    }
  | { error: 'InvalidEventPayload' | 'ValidationError' | 'RetryError' | 'EventNotSupported'; messageIncludes: string[] }

export interface SourcePart {
  request: SourceRequest
  settings?: Record<string, unknown>
  repeat?: number
  expect: SourceExpect
}

export interface DestinationPart {
  action: 'sendFeatureEvent' | 'sendClickEvent' | 'sendPageViewEvent' | 'sendCustomEvent'
  /** Map with this preset's mapping (default: the action's default mapping). */
  preset?: string
  /** Mapping entries over the default or preset mapping. */
  mapping?: Record<string, unknown>
  settings?: Record<string, unknown>
  /** Segment events; `{"$number": "NaN" | "Infinity" | "-Infinity"}` stands for what JSON cannot hold. */
  events: Array<Record<string, unknown>>
  /** One reply status per request the destination is expected to make, in order. */
  replies: number[]
  /** Deliver the same batch again (Segment's retry): the payload ID must repeat. */
  repeat?: number
  expect: {
    requests: number
    /** One per event: the multistatus status of the batch path. */
    statuses: number[]
    /** The `key` of every LaunchDarkly event sent, in order, over all requests. */
    sentKeys?: string[]
    /** Text the status message of the event at that index includes. */
    messagesInclude?: Record<string, string>
  }
}

export interface Case {
  name: string
  class: CaseClass
  description: string
  source?: SourcePart
  destination?: DestinationPart
}

export function loadCases(): Case[] {
  return readdirSync(CASES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = JSON.parse(readFileSync(path.join(CASES_DIR, file), 'utf8')) as Case
      if (parsed.name !== file.replace(/\.json$/, ''))
        throw new Error(`${file}: name ${JSON.stringify(parsed.name)} does not match the file name`)
      if (!(CLASSES as readonly string[]).includes(parsed.class))
        throw new Error(`${file}: unknown class ${JSON.stringify(parsed.class)}`)
      if (!parsed.source && !parsed.destination) throw new Error(`${file}: neither a source nor a destination part`)
      return parsed
    })
}

const CREATION_DATE = 1795654789876

/** A valid SDK feature event; `i` makes it distinct. */
function featureEvent(i: number): Record<string, unknown> {
  return {
    kind: 'feature',
    creationDate: CREATION_DATE + i,
    context: { kind: 'user', key: `user-${i}` },
    key: `flag-${i % 50}`,
    value: true,
    variation: 0,
    version: 3
  }
}

const GOOD_CUSTOM = {
  kind: 'custom',
  creationDate: CREATION_DATE,
  contextKeys: { user: 'user-good' },
  key: 'good-metric',
  metricValue: 1
}

/**
 * A JSON array of distinct feature events, padded with whitespace (which JSON allows) to
 * exactly `bytes` bytes. Returns the body and how many events it holds.
 */
function featureArrayOfSize(bytes: number): { body: string; events: number } {
  const parts: string[] = []
  let size = 2
  for (let i = 0; ; i++) {
    const text = JSON.stringify(featureEvent(i))
    const added = text.length + (parts.length ? 1 : 0)
    if (size + added > bytes) break
    parts.push(text)
    size += added
  }
  return { body: '[' + parts.join(',') + ' '.repeat(bytes - size) + ']', events: parts.length }
}

/** `{"a":{"a":…1…}}`, `depth` levels, written as text (JSON.stringify itself overflows the stack on it). */
function nestedObjects(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
}

type Options = Record<string, unknown>
const num = (options: Options, name: string): number => {
  const value = options[name]
  if (typeof value !== 'number') throw new Error(`generator option ${name} must be a number`)
  return value
}

/** Bodies too large to store in a case file, made on demand (always the same text). */
export const GENERATORS = {
  /** Feature events filling exactly `bytes` bytes (e.g. the limit, or one byte over it). */
  featureArrayOfSize: (o: Options): string => featureArrayOfSize(num(o, 'bytes')).body,
  /** Fewer characters than the limit, more UTF-8 bytes: a custom event whose data is `chars` × "€" (3 bytes each). */
  multibyteCustomData: (o: Options): string =>
    JSON.stringify([{ ...GOOD_CUSTOM, key: 'multibyte', data: '€'.repeat(num(o, 'chars')) }]),
  /** `[[[…]]]`, `depth` levels: no event anywhere. */
  nestedArrays: (o: Options): string => '['.repeat(num(o, 'depth')) + ']'.repeat(num(o, 'depth')),
  /** A good custom event, then one whose data nests `depth` objects deep. */
  deeplyNestedData: (o: Options): string =>
    '[' +
    JSON.stringify(GOOD_CUSTOM) +
    ',' +
    JSON.stringify({ ...GOOD_CUSTOM, key: 'deep', data: null }).replace('null', nestedObjects(num(o, 'depth'))) +
    ']',
  /**
   * Data Export records (which carry event ids, so no canonical JSON is computed): a
   * good one, then one whose custom data or flag value nests `depth` objects deep.
   */
  deeplyNestedRecord: (o: Options): string => {
    const record = (event: object): string =>
      JSON.stringify({ project: 'p-rec', environment: 'e-rec', event, version: 2 })
    const deep =
      o.field === 'value'
        ? record({
            kind: 'feature',
            creationDate: CREATION_DATE,
            context: { key: 'u' },
            key: 'deep-value',
            value: null,
            variation: 0,
            id: 'evt-deep'
          })
        : record({ ...GOOD_CUSTOM, key: 'deep-data', data: null, id: 'evt-deep' })
    return (
      '[' +
      record({ ...GOOD_CUSTOM, id: 'evt-good' }) +
      ',' +
      deep.replace('null', nestedObjects(num(o, 'depth'))) +
      ']'
    )
  },
  /** A JSON array of `count` copies of `element`. */
  arrayOf: (o: Options): string => '[' + new Array(num(o, 'count')).fill(JSON.stringify(o.element)).join(',') + ']',
  /** A good custom event, then `count` copies of `element`, then another good one. */
  goodAroundMany: (o: Options): string =>
    '[' +
    [
      JSON.stringify(GOOD_CUSTOM),
      ...new Array(num(o, 'count')).fill(JSON.stringify(o.element)),
      JSON.stringify({ ...GOOD_CUSTOM, key: 'good-last' })
    ].join(',') +
    ']',
  /** A good custom event and one carrying `bytes` bytes of custom data. */
  bigCustomData: (o: Options): string =>
    JSON.stringify([GOOD_CUSTOM, { ...GOOD_CUSTOM, key: 'big-data', data: { blob: 'x'.repeat(num(o, 'bytes')) } }]),
  /** Only the event carrying `bytes` bytes of custom data. */
  onlyBigCustomData: (o: Options): string =>
    JSON.stringify([{ ...GOOD_CUSTOM, key: 'big-data', data: { blob: 'x'.repeat(num(o, 'bytes')) } }]),
  /** A good custom event and a feature event serving a `bytes`-long string. */
  bigFlagValue: (o: Options): string =>
    JSON.stringify([GOOD_CUSTOM, { ...featureEvent(1), key: 'big-value', value: 'v'.repeat(num(o, 'bytes')) }]),
  /** A good custom event and a custom event whose key is `chars` long. */
  longKey: (o: Options): string => JSON.stringify([GOOD_CUSTOM, { ...GOOD_CUSTOM, key: 'k'.repeat(num(o, 'chars')) }])
} satisfies Record<string, (options: Options) => string>

/** The body text of a case's request, as the function receives it. */
export function bodyOf(request: SourceRequest): string {
  if (request.body !== undefined) return request.body
  if ('bodyJson' in request) return JSON.stringify(request.bodyJson)
  // Bytes that are not UTF-8 arrive as the runtime decodes them: with U+FFFD for bad bytes.
  if (request.bodyBase64 !== undefined) return Buffer.from(request.bodyBase64, 'base64').toString('utf8')
  if (request.generate) {
    const { name, ...options } = request.generate
    const generator = GENERATORS[name]
    if (!generator) throw new Error(`unknown generator ${name}`)
    return generator(options)
  }
  throw new Error('the request has no body, bodyJson, bodyBase64 or generate')
}

/** The values of the case's secret settings: none may be echoed. */
export function secretsOf(settings: Record<string, unknown> | undefined): string[] {
  return SECRET_SETTINGS.map((name) => settings?.[name]).filter(
    (value): value is string => typeof value === 'string' && value.trim() !== ''
  )
}

/** Length of the secret fragments looked for: a truncated secret is still a leak. */
const FRAGMENT = 16

/** The secrets of which `text` holds the whole or any FRAGMENT-long piece. */
export function echoedSecrets(texts: readonly string[], secrets: readonly string[]): string[] {
  return secrets.filter((secret) => {
    const size = Math.min(FRAGMENT, secret.length)
    for (let i = 0; i + size <= secret.length; i++) {
      const piece = secret.slice(i, i + size)
      if (texts.some((text) => text.includes(piece))) return true
    }
    return false
  })
}

/** Case files are JSON: `{"$number": "NaN"}` and the infinities stand for those numbers. */
export function reviveNumbers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveNumbers)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  if (entries.length === 1 && entries[0][0] === '$number') {
    const special: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }
    if (typeof entries[0][1] === 'string' && entries[0][1] in special) return special[entries[0][1]]
  }
  // defineProperty keeps a "__proto__" key an own property, as JSON.parse made it.
  const out: Record<string, unknown> = {}
  for (const [key, item] of entries)
    Object.defineProperty(out, key, {
      value: reviveNumbers(item),
      enumerable: true,
      writable: true,
      configurable: true
    })
  return out
}

/** Names and count of the own properties of the built-in prototypes, to see they are untouched. */
export function prototypeFingerprint(): string {
  return [Object, Array, Function, String, Number, Boolean, Promise, Error]
    .map((ctor) => `${ctor.name}:${Reflect.ownKeys(ctor.prototype).map(String).sort().join(',')}`)
    .join('|')
}
