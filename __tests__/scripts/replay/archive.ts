// Generated LaunchDarkly Data Export archives for the replay tests and bench: NDJSON of
// records as a Kinesis, Pub/Sub or storage export holds them, about 260 bytes each.

import { closeSync, openSync, writeSync } from 'node:fs'

const KINDS = ['feature', 'feature', 'feature', 'custom', 'pageview', 'click'] as const

/** Record `i` of an archive: the same `i` always gives the same record. */
export function archiveRecord(i: number): Record<string, unknown> {
  const kind = KINDS[i % KINDS.length]
  const event: Record<string, unknown> = {
    kind,
    creationDate: 1795654789876 + i * 37,
    contextKeys: i % 5 === 0 ? { user: `user-${i % 997}`, org: `org-${i % 13}` } : { user: `user-${i % 997}` },
    key: kind === 'feature' ? `flag-${i % 50}` : kind === 'custom' ? 'checkout-completed' : `goal-${i % 7}`
  }
  if (kind === 'feature') {
    event.value = i % 2 === 0
    event.variation = i % 2
    event.version = 7 + (i % 3)
    event.reason = { kind: 'RULE_MATCH', ruleIndex: i % 4, inExperiment: i % 10 === 0 }
  } else if (kind === 'custom') event.metricValue = (i % 1000) / 10
  else event.url = `https://shop.example.com/products/${i % 300}`
  event.id = `evt-${i.toString(36).padStart(8, '0')}-${(i * 7919) % 100000}`
  return { project: 'proj-archive', environment: 'env-archive', event, version: 2 }
}

/** Records `from` to `to` (excluded), one JSON line each. */
export function archiveLines(from: number, to: number): string {
  let text = ''
  for (let i = from; i < to; i++) text += JSON.stringify(archiveRecord(i)) + '\n'
  return text
}

/** Writes an archive of `count` records to `path`, a few thousand lines at a time. */
export function writeArchive(path: string, count: number): void {
  const fd = openSync(path, 'w')
  try {
    for (let i = 0; i < count; i += 5000) writeSync(fd, archiveLines(i, Math.min(count, i + 5000)))
  } finally {
    closeSync(fd)
  }
}
