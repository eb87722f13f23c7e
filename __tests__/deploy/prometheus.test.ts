// deploy/prometheus/alerts.yaml (docs/operations.md "Alerts"): every metric an alert
// reads is one the relay exposes, and every label value it matches is one the relay
// writes; docs/relay.md names every metric the relay exposes.

import { readFileSync } from 'fs'
import { join } from 'path'
import { parse } from 'yaml'
import { METRIC_PREFIX, RelayMetrics } from '../../runtime/metrics'
import type { DeliveryRecord } from '../../runtime/feed'

const ROOT = join(__dirname, '..', '..')

interface Rule {
  alert: string
  expr: string
  for?: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

const rules = (
  parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'alerts.yaml'), 'utf8')) as {
    groups: Array<{ name: string; rules: Rule[] }>
  }
).groups.flatMap((group) => group.rules)

/** A relay's /metrics after a delivery, a refusal, each batch outcome and each forward result. */
async function exposition(): Promise<string> {
  const stats = { records: 1, bytes: 10, oldestAgeMs: 1000, deadLettered: 1, maxBytes: 100 }
  const metrics = new RelayMetrics({ outbox: () => stats })
  const record: DeliveryRecord = {
    time: '',
    method: 'POST',
    route: '/bulk',
    status: 202,
    ms: 1,
    emitted: 0,
    skipped: {},
    rejected: [],
    calls: []
  }
  metrics.record(record)
  metrics.record({ ...record, status: 503 })
  for (const settlement of ['delivered', 'refused', 'retryable'] as const)
    metrics.batch({ segment: 's', from: 0, to: 1, settlement, failures: 0, calls: 1 })
  metrics.forward('sent')
  metrics.forward('failed')
  return metrics.text()
}

test('the alerts use only metrics and label values the relay exposes', async () => {
  const text = await exposition()
  const series = text.split('\n').filter((line) => line.startsWith(METRIC_PREFIX))
  expect(rules.map((r) => r.alert)).toEqual([
    'LdSegmentOutboxFilling',
    'LdSegmentOutboxFull',
    'LdSegmentOldestRecordTooOld',
    'LdSegmentDeadLettersGrowing',
    'LdSegmentBatchesFailing',
    'LdSegmentDeliveriesRefused',
    'LdSegmentForwardsFailing'
  ])
  for (const rule of rules) {
    const selectors = [...rule.expr.matchAll(/\b(ld_[a-z_]+)(\{[^}]*\})?/g)]
    expect([rule.alert, selectors.length > 0]).toEqual([rule.alert, true])
    for (const [, name, matchers] of selectors) {
      const pairs = [...(matchers ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, label, value]) => `${label}="${value}"`)
      const matching = series.filter(
        (line) => (line.startsWith(name + ' ') || line.startsWith(name + '{')) && pairs.every((p) => line.includes(p))
      )
      expect([rule.alert, name, pairs, matching.length > 0]).toEqual([rule.alert, name, pairs, true])
    }
    expect(rule.labels.severity).toMatch(/^(warning|critical)$/)
    expect(rule.annotations.summary).toBeTruthy()
  }
})

test('docs/relay.md names every metric the relay exposes, and none of the old ld_relay_ names outside the upgrade note', async () => {
  const doc = readFileSync(join(ROOT, 'docs', 'relay.md'), 'utf8')
  const names = new Set(
    (await exposition())
      .split('\n')
      .filter((line) => line.startsWith('# TYPE ' + METRIC_PREFIX))
      .map((line) => line.split(' ')[2])
  )
  expect(names.size).toBeGreaterThanOrEqual(10)
  for (const name of names) expect([name, doc.includes(`\`${name}`)]).toEqual([name, true])
  const withoutNote = doc.replace(/<!-- upgrade:start -->[\s\S]*?<!-- upgrade:end -->/, '')
  expect(withoutNote).not.toContain('ld_relay_')
})
