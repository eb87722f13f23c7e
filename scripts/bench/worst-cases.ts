// The bodies maxBodyMs is measured over: each as close to Segment's 512 KiB body limit as
// its pattern allows, chosen for what they cost the function rather than for realism.
// Elements that are each rejected, or lines that each fail to parse, multiply the
// per-item cost of a rejection by the largest count a body can hold; deep nesting tests
// the parsers' and walkers' stack; the feature delivery is the most real work a valid
// body can ask for.

import { MAX_BODY_BYTES } from '../../shared'

export interface WorstCase {
  readonly name: string
  readonly body: string
  /** How the function must answer: emitting this many calls, or failing with this error. */
  readonly expect: { readonly calls: number } | { readonly error: 'InvalidEventPayload' }
}

const CREATION_DATE = 1795654789876

/**
 * Feature events as the Node server SDK sends them (inline contexts, reasons, versions),
 * varied so that no two are identical, filling a JSON array to just under the limit.
 */
export function featureEventsBody(): { body: string; events: number } {
  const parts: string[] = []
  let bytes = 2 // the brackets
  for (let i = 0; ; i++) {
    const event = {
      kind: 'feature',
      creationDate: CREATION_DATE + i,
      context:
        i % 3 === 0
          ? { kind: 'multi', user: { key: `user-${i}`, name: 'Ada' }, org: { key: `org-${i % 97}` } }
          : { kind: 'user', key: `user-${i}`, name: 'Ada', _meta: { redactedAttributes: ['email'] } },
      key: `flag-${i % 53}`,
      value: i % 2 === 0,
      variation: i % 2,
      version: 7,
      reason:
        i % 5 === 0
          ? { kind: 'FALLTHROUGH', inExperiment: true }
          : { kind: 'RULE_MATCH', ruleIndex: 0, ruleId: 'rule-1' },
      default: false
    }
    const text = JSON.stringify(event)
    const added = Buffer.byteLength(text) + (parts.length ? 1 : 0)
    if (bytes + added >= MAX_BODY_BYTES) break
    parts.push(text)
    bytes += added
  }
  return { body: '[' + parts.join(',') + ']', events: parts.length }
}

/** `open` + as many `element`s joined by `separator` as fit + `close`, within the limit. */
function filled(open: string, element: (i: number) => string, separator: string, close: string): string {
  const parts: string[] = []
  let bytes = Buffer.byteLength(open) + Buffer.byteLength(close)
  for (let i = 0; ; i++) {
    const text = element(i)
    const added = Buffer.byteLength(text) + (parts.length ? separator.length : 0)
    if (bytes + added > MAX_BODY_BYTES) break
    parts.push(text)
    bytes += added
  }
  return open + parts.join(separator) + close
}

const GOOD_EVENT = JSON.stringify({
  kind: 'custom',
  creationDate: CREATION_DATE,
  contextKeys: { user: 'user-good' },
  key: 'good-metric'
})

/** One good event first, so that the delivery succeeds and its answer lists the rest. */
const afterAGoodOne = (element: (i: number) => string) => (i: number) => i === 0 ? GOOD_EVENT : element(i)

export function worstCases(): WorstCase[] {
  const feature = featureEventsBody()
  const depth = (MAX_BODY_BYTES >> 1) - 1
  return [
    { name: 'feature events', body: feature.body, expect: { calls: feature.events } },
    {
      name: 'zeros',
      body: filled('[', () => '0', ',', ']'),
      expect: { error: 'InvalidEventPayload' }
    },
    {
      name: 'a good event, then zeros',
      body: filled(
        '[',
        afterAGoodOne(() => '0'),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then {}',
      body: filled(
        '[',
        afterAGoodOne(() => '{}'),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then kinds that are not strings',
      body: filled(
        '[',
        afterAGoodOne(() => '{"kind":1}'),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then distinct unknown kinds',
      body: filled(
        '[',
        afterAGoodOne((i) => `{"kind":"k${i}"}`),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then events without a context',
      body: filled(
        '[',
        afterAGoodOne(() => '{"kind":"custom","key":"m"}'),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then events without a creationDate',
      body: filled(
        '[',
        afterAGoodOne(() => '{"kind":"custom","key":"m","userKey":"u"}'),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'a good event, then distinct long context kinds',
      body: filled(
        '[',
        afterAGoodOne((i) => `{"kind":"custom","context":{"kind":"k${i}${'x'.repeat(2000)}"}}`),
        ',',
        ']'
      ),
      expect: { calls: 1 }
    },
    {
      name: 'distinct diagnostic kinds',
      body: filled('[', (i) => `{"kind":"diagnostic-${i}"}`, ',', ']'),
      expect: { calls: 0 }
    },
    {
      name: 'NDJSON: a good line, then junk lines',
      body: filled(
        '',
        afterAGoodOne(() => '{'),
        '\n',
        ''
      ),
      expect: { calls: 1 }
    },
    {
      name: 'NDJSON: only junk lines',
      body: filled('', () => 'x', '\n', ''),
      expect: { error: 'InvalidEventPayload' }
    },
    {
      name: 'nested arrays',
      body: '['.repeat(depth) + ']'.repeat(depth),
      expect: { error: 'InvalidEventPayload' }
    },
    {
      name: 'a good event and one nested in its value',
      body:
        '[' +
        GOOD_EVENT +
        ',' +
        GOOD_EVENT.replace('"key"', `"data":${'['.repeat(depth - 400)}${']'.repeat(depth - 400)},"key"`) +
        ']',
      expect: { calls: 1 }
    }
  ]
}
