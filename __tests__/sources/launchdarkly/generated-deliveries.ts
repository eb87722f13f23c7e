// Generated deliveries for the emitted-calls golden file (emitted-calls-golden.test.ts):
// bodies no case file holds, made from a seeded generator so that they are the same text
// on every run. They reach the paths a conversion takes: every exported kind and alias
// events, every way an event names its context, Data Export records (with ids, versions,
// and `|` or `%` in ids and environments), repeats of identical events, unicode of every
// width (lone surrogates, control characters, U+2028), numbers JSON writes in exponent
// form, values nested just under and just over the depth limit, NDJSON and Pub/Sub.

import type { Delivery, FunctionSettings } from '../../../runtime/sandbox/instance'

export interface GeneratedDelivery {
  readonly name: string
  readonly delivery: Delivery
  readonly settings: FunctionSettings
  /** Whether its feature events' variation names are looked up (the test serves them). */
  readonly lookup: boolean
}

/** A small seeded generator (mulberry32): the same sequence on every run and machine. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Characters that each take another path through quoting, escaping or UTF-8. */
const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyz0123456789-_. ',
  '|',
  '%',
  ':',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ß',
  '中',
  '\u2028',
  '\ufeff',
  '😀',
  '\ud800',
  '\udc00',
  '\uffff'
]

/** Numbers JSON writes each its own way: integers, fractions, exponents, -0, the extremes. */
const NUMBERS = [0, -0, 1, -1, 42, 0.1, 1.5e-7, 1e21, 123456789012345680000, 5e-324, 1.7976931348623157e308, -2.5]

class Generator {
  readonly #next: () => number
  constructor(seed: number) {
    this.#next = random(seed)
  }

  int(below: number): number {
    return Math.floor(this.#next() * below)
  }

  chance(p: number): boolean {
    return this.#next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]
  }

  /** Mostly plain ASCII, sometimes any character of ALPHABET. */
  text(maxLength = 12, plain = 0.7): string {
    const length = 1 + this.int(maxLength)
    let out = ''
    for (let i = 0; i < length; i++) out += this.chance(plain) ? this.pick(ALPHABET.slice(0, 36)) : this.pick(ALPHABET)
    return out
  }

  /** A key LaunchDarkly would accept as a context kind. */
  kindName(): string {
    return this.pick(['user', 'org', 'device', 'account', 'team.a', 'x_y-z'])
  }

  json(depth: number): Json {
    const roll = this.int(depth > 0 ? 8 : 5)
    switch (roll) {
      case 0:
        return null
      case 1:
        return this.chance(0.5)
      case 2:
        return this.pick(NUMBERS)
      case 3:
      case 4:
        return this.text(16, 0.5)
      case 5:
      case 6: {
        const object: { [key: string]: Json } = {}
        const keys = this.int(5)
        // Defined rather than assigned: no key may reach the prototype.
        for (let i = 0; i < keys; i++)
          Object.defineProperty(object, this.text(6, 0.6), {
            value: this.json(depth - 1),
            enumerable: true,
            writable: true,
            configurable: true
          })
        return object
      }
      default:
        return Array.from({ length: this.int(4) }, () => this.json(depth - 1))
    }
  }
}

/** `levels` arrays or objects around a leaf, built without recursion. */
function nested(levels: number, objects: boolean): Json {
  let value: Json = 'leaf'
  for (let i = 0; i < levels; i++) value = objects ? { n: value } : [value]
  return value
}

const BASE_DATE = 1795654789876

/** One way an event names its context, or a broken one now and then. */
function contextOf(g: Generator, i: number): Record<string, Json> {
  const key = (): string => (g.chance(0.8) ? `user-${g.int(40)}` : g.text(10, 0.6))
  switch (g.int(9)) {
    case 0:
      return { context: { kind: 'user', key: key(), name: g.text(), _meta: { redactedAttributes: ['email'] } } }
    case 1:
      return { context: { kind: g.kindName(), key: key() } }
    case 2: {
      const context: { [key: string]: Json } = { kind: 'multi' }
      const kinds = 1 + g.int(3)
      for (let k = 0; k < kinds; k++) context[g.kindName()] = { key: key(), attribute: g.text() }
      return { context }
    }
    case 3:
      return { contextKeys: g.chance(0.5) ? { user: key() } : { [g.kindName()]: key(), [g.kindName()]: key() } }
    case 4:
      return { user: { key: key(), custom: { plan: g.text() } } }
    case 5:
      return g.chance(0.5) ? { userKey: key() } : { userKey: key(), contextKind: 'anonymousUser' }
    case 6:
      return { contextKeys: { anonymousUser: key() } }
    case 7:
      return { context: { key: key() } }
    default:
      // Rejected: no context, an invalid kind, or an empty key.
      return i % 3 === 0 ? {} : i % 3 === 1 ? { context: { kind: 'multi' } } : { context: { kind: 'user', key: '' } }
  }
}

function creationDate(g: Generator, i: number): Json {
  const roll = g.int(20)
  if (roll === 0) return g.pick([null, 'yesterday', 1.5, -1, 8.64e15, 8.64e15 + 1])
  // Events of a burst share their second; now and then a jump.
  return BASE_DATE + (roll === 1 ? g.int(1e9) : i * g.int(400))
}

function featureFields(g: Generator): Record<string, Json> {
  const fields: Record<string, Json> = { key: g.chance(0.9) ? `flag-${g.int(12)}` : g.text(8) }
  if (g.chance(0.9)) fields.value = g.json(3)
  if (g.chance(0.85)) fields.variation = g.chance(0.95) ? g.int(4) : g.pick([-1, 1.5, '2'])
  if (g.chance(0.8)) fields.version = g.chance(0.95) ? 1 + g.int(90) : 'seven'
  if (g.chance(0.7))
    fields.reason = g.chance(0.5)
      ? { kind: 'RULE_MATCH', ruleIndex: g.int(3), ruleId: g.text(6) }
      : { kind: g.pick(['FALLTHROUGH', 'OFF', 'TARGET_MATCH', 'ERROR']), inExperiment: g.chance(0.5) }
  if (g.chance(0.2)) fields.prereqOf = g.text(8)
  if (g.chance(0.3)) fields.default = g.json(1)
  if (g.chance(0.2)) fields.variationName = g.chance(0.8) ? g.text(10) : ''
  if (g.chance(0.05)) fields.trackEvents = true
  return fields
}

function eventOf(g: Generator, i: number): Record<string, Json> {
  const kind = g.pick(['feature', 'feature', 'feature', 'custom', 'custom', 'click', 'pageview', 'alias', 'identify'])
  const event: Record<string, Json> = { kind, creationDate: creationDate(g, i) }
  if (kind === 'alias') {
    return {
      ...event,
      key: g.chance(0.9) ? `user-${g.int(40)}` : '',
      previousKey: g.text(10),
      contextKind: 'user',
      previousContextKind: 'anonymousUser'
    }
  }
  Object.assign(event, contextOf(g, i))
  if (kind === 'identify') return event
  if (kind === 'feature') Object.assign(event, featureFields(g))
  else event.key = g.chance(0.95) ? g.text(10) : g.pick([null, 7, ''])
  if (kind === 'custom') {
    if (g.chance(0.6)) event.metricValue = g.chance(0.9) ? g.pick(NUMBERS) : 'NaN'
    if (g.chance(0.6)) event.data = g.json(3)
  }
  if (kind === 'click' || kind === 'pageview') event.url = g.chance(0.9) ? `https://example.com/${g.text(8)}` : 9
  if (kind === 'click') event.selector = g.chance(0.9) ? `#${g.text(6)}` : false
  return event
}

/** A Data Export record around an event: ids and environments, `|` and `%` among them. */
function recordOf(g: Generator, event: Record<string, Json>): Record<string, Json> {
  const record: Record<string, Json> = { event: { ...event } }
  if (g.chance(0.7)) (record.event as Record<string, Json>).id = g.chance(0.8) ? g.text(14, 0.5) : g.pick(NUMBERS)
  if (g.chance(0.8)) record.environment = g.chance(0.6) ? `env-${g.int(3)}` : g.text(10, 0.4)
  if (g.chance(0.8)) record.project = g.chance(0.6) ? 'proj-r' : g.text(10, 0.4)
  if (g.chance(0.5)) record.version = g.chance(0.9) ? g.pick([1, 2, 0]) : -3
  return record
}

/** The element as written into the body: keys shuffled now and then (canonical JSON sorts them). */
function shuffled(g: Generator, value: Record<string, Json>): Record<string, Json> {
  if (!g.chance(0.3)) return value
  const keys = Object.keys(value)
  for (let i = keys.length - 1; i > 0; i--) {
    const j = g.int(i + 1)
    ;[keys[i], keys[j]] = [keys[j], keys[i]]
  }
  return Object.fromEntries(keys.map((key) => [key, value[key]]))
}

function elementsOf(g: Generator, count: number, records: boolean): Array<Record<string, Json>> {
  const elements: Array<Record<string, Json>> = []
  for (let i = 0; i < count; i++) {
    // Identical events repeat: their ids count the repeats.
    if (elements.length > 0 && g.chance(0.12)) {
      elements.push(shuffled(g, g.pick(elements)))
      continue
    }
    const event = eventOf(g, i)
    elements.push(records && g.chance(0.7) ? recordOf(g, event) : event)
  }
  return elements
}

const SETTINGS_VARIANTS: readonly FunctionSettings[] = [
  { projectId: 'proj-1', environmentId: 'env-1' },
  { projectId: 'proj|1', environmentId: 'env|%7C' },
  { projectId: 'proj-1', environmentId: 'env-%25', includeCustomData: true },
  { projectId: 'pröj', environmentId: 'énv 😀', includeCustomData: 'true' },
  { environmentId: 'env-only' }
]

const json = (value: unknown): Delivery => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
  url: '/bulk'
})

/** The same deliveries on every call. */
export function generatedDeliveries(): GeneratedDelivery[] {
  const out: GeneratedDelivery[] = []
  const add = (name: string, delivery: Delivery, settings: FunctionSettings, lookup = false): void => {
    out.push({ name: `generated: ${name}`, delivery, settings, lookup })
  }
  for (let n = 0; n < 48; n++) {
    const g = new Generator(0x22_0000 + n)
    const elements = elementsOf(g, 1 + g.int(n % 8 === 0 ? 60 : 14), n % 2 === 1)
    add(`mixed ${n}`, json(elements), SETTINGS_VARIANTS[n % SETTINGS_VARIANTS.length])
  }
  const g = new Generator(22)
  add('one event alone', json(eventOf(g, 0)), SETTINGS_VARIANTS[0])
  add('one record alone', json(recordOf(g, eventOf(g, 1))), SETTINGS_VARIANTS[1])
  const lines = elementsOf(g, 12, true)
    .map((element) => JSON.stringify(element))
    .join('\n')
  add('NDJSON', { body: lines + '\n{broken\n', headers: {}, url: '/' }, SETTINGS_VARIANTS[2])
  add(
    'Pub/Sub push',
    json({
      message: { data: Buffer.from(JSON.stringify(elementsOf(g, 8, true)), 'utf8').toString('base64') },
      subscription: 'projects/p/subscriptions/s'
    }),
    SETTINGS_VARIANTS[0]
  )
  // Values nested just within the limit (100 levels below the event) and just past it.
  const deep = (levels: number, objects: boolean, field: 'value' | 'data'): Record<string, Json> => ({
    kind: field === 'value' ? 'feature' : 'custom',
    creationDate: BASE_DATE,
    context: { kind: 'user', key: `deep-${levels}` },
    key: `deep-${levels}-${objects ? 'objects' : 'arrays'}`,
    [field]: nested(levels, objects)
  })
  add(
    'deep nesting',
    json([98, 99, 100, 101].flatMap((levels) => [deep(levels, true, 'value'), deep(levels, false, 'data')])),
    SETTINGS_VARIANTS[2]
  )
  add(
    'deep nesting in records with ids',
    json(
      [99, 100, 101].map((levels, i) => ({
        environment: 'env-deep',
        project: 'proj-deep',
        event: { ...deep(levels, i % 2 === 0, 'value'), id: `deep|${levels}%` }
      }))
    ),
    SETTINGS_VARIANTS[0]
  )
  // `|` and `%` in ids and environments, each placement of them.
  const ids = ['a|b', 'a%7Cb', 'a%b', '|', '%', '%25', 'x|y|z', '']
  add(
    'ids and environments with | and %',
    json(
      ids.flatMap((id, i) => [
        {
          environment: `e|${i}`,
          project: 'p',
          event: { kind: 'custom', creationDate: BASE_DATE, key: 'k', id, contextKeys: { user: 'u' } }
        },
        {
          environment: `e%${i}`,
          project: 'p%',
          event: { kind: 'custom', creationDate: BASE_DATE, key: 'k', contextKeys: { user: 'u' } }
        }
      ])
    ),
    SETTINGS_VARIANTS[1]
  )
  // Variation names looked up from the REST API (the test serves every flag's names).
  for (let n = 0; n < 3; n++) {
    const gn = new Generator(0x22_1000 + n)
    add(`with looked-up names ${n}`, json(elementsOf(gn, 20, n === 2)), SETTINGS_VARIANTS[0], true)
  }
  return out
}
