// `npm run replay` end to end, in process: real files, real HTTP to stand-ins on
// 127.0.0.1 that run the BUILT source function, and what a user relies on: the
// function's exact messages and messageIds, every event once, the report.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fixture from '../../fixtures/node-server-sdk-bulk.json'
import { archiveLines, archiveRecord } from './archive'
import { ENV, functionCalls, readLines, run, SETTINGS } from './harness'
import { standIn } from '../../stand-in'
import { ensureBuilt, webhookStandIn } from './stand-in'

// Archives of thousands of records through the built function, beside other suites.
jest.setTimeout(30_000)

let dir: string
beforeAll(async () => {
  await ensureBuilt()
  dir = mkdtempSync(join(tmpdir(), 'ld-replay-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const path = (name: string): string => join(dir, name)

/** SDK events without ids, some identical: their messageIds hang on the per-delivery duplicate counter. */
function idlessEvents(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    kind: i % 3 === 0 ? 'custom' : 'feature',
    creationDate: 1795654789876 + (i % 4),
    context: { kind: 'user', key: `user-${i % 5}` },
    key: i % 3 === 0 ? 'purchase' : 'new-checkout',
    ...(i % 3 === 0 ? {} : { value: true, variation: 0, version: 3 })
  }))
}

describe('messageIds are the built function’s', () => {
  it('a captured /bulk body (a JSON array file) gives exactly the calls the function gives for it', async () => {
    const file = path('bulk.json')
    writeFileSync(file, JSON.stringify(fixture.body, null, 2))
    const { summary, code } = await run([file, '--to', 'ndjson', path('bulk-out.ndjson')])
    const expected = await functionCalls(JSON.stringify(fixture.body))
    expect(expected).toHaveLength(15)
    expect(readLines(path('bulk-out.ndjson'))).toEqual(expected)
    expect(summary).toMatchObject({ read: 24, emitted: 15, sent: 15, rejected: { count: 0 }, failed: { count: 0 } })
    expect(summary.skipped).toEqual({ debug: 1, identify: 2, index: 5, summary: 1 })
    expect(code).toBe(0)
  })

  it('an NDJSON body the function took whole gives the same ids, duplicates without ids included', async () => {
    const events = idlessEvents(60)
    const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n'
    writeFileSync(path('idless.ndjson'), text)
    await run([path('idless.ndjson'), '--to', 'ndjson', path('idless-out.ndjson')])
    const expected = await functionCalls(text)
    const ids = expected.map((c) => (c as { messageId: string }).messageId)
    expect(new Set(ids).size).toBe(60)
    expect(readLines(path('idless-out.ndjson'))).toEqual(expected)
  })

  it('Pub/Sub pushes, one per line, each give what the function gave for that push', async () => {
    const pushes = [0, 1, 2].map((i) => ({
      message: { data: Buffer.from(archiveLines(i * 3, i * 3 + 3)).toString('base64'), messageId: `m${i}` },
      subscription: 'projects/p/subscriptions/launchdarkly'
    }))
    writeFileSync(path('pubsub.ndjson'), pushes.map((p) => JSON.stringify(p)).join('\n'))
    const { summary } = await run([path('pubsub.ndjson'), '--to', 'ndjson', path('pubsub-out.ndjson')])
    const expected: unknown[] = []
    for (const push of pushes) expected.push(...(await functionCalls(JSON.stringify(push))))
    expect(expected).toHaveLength(9)
    expect(readLines(path('pubsub-out.ndjson'))).toEqual(expected)
    expect(summary.read).toBe(3)
  })

  it('to a webhook: the function, given the deliveries replay posts, emits exactly what --to ndjson wrote, each event once', async () => {
    const archive = path('mixed.ndjson')
    // Records with ids and SDK events without, identical ones included; over 512 KiB, so several deliveries.
    const idless = idlessEvents(30).map((e) => JSON.stringify(e))
    let text = ''
    for (let i = 0; i < 2500; i++)
      text += JSON.stringify(archiveRecord(i)) + '\n' + (i % 100 === 0 ? idless.join('\n') + '\n' : '')
    writeFileSync(archive, text)
    await run([archive, '--to', 'ndjson', path('mixed-out.ndjson')])
    const written = readLines(path('mixed-out.ndjson'))
    expect(written).toHaveLength(2500 + 25 * 30)

    const standIn = await webhookStandIn(SETTINGS)
    try {
      const { summary, code } = await run([
        archive,
        '--to',
        'url',
        `${standIn.url}/sources/launchdarkly`,
        '--checkpoint',
        path('mixed.checkpoint.json')
      ])
      expect(code).toBe(0)
      expect(standIn.received.length).toBeGreaterThan(1)
      for (const r of standIn.received) {
        expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(512 * 1024)
        expect(r.headers['content-type']).toBe('application/json')
        expect(Array.isArray(JSON.parse(r.body))).toBe(true)
      }
      // Deliveries run four at a time: compared in messageId order.
      const byId = (calls: Array<Record<string, unknown>>): unknown[] =>
        [...calls].sort((a, b) => String(a.messageId).localeCompare(String(b.messageId)))
      expect(byId(standIn.calls)).toEqual(byId(written))
      expect(summary).toMatchObject({ read: 3250, emitted: 3250, sent: 3250 })
    } finally {
      await standIn.close()
    }
  })
})

describe('inputs', () => {
  it('reads gzip by its content, whatever its name, and folders in name order', async () => {
    const folder = path('exports')
    mkdirSync(join(folder, '2024-01-02'), { recursive: true })
    writeFileSync(join(folder, '2024-01-01.ndjson'), archiveLines(0, 10))
    writeFileSync(join(folder, '2024-01-02', 'part-1.gz'), gzipSync(archiveLines(10, 20)))
    // Named like plain NDJSON, yet gzip: told by its first bytes.
    writeFileSync(
      join(folder, '2024-01-03.ndjson'),
      Buffer.concat([gzipSync(archiveLines(20, 25)), gzipSync(archiveLines(25, 30))])
    )
    writeFileSync(join(folder, '.DS_Store'), 'not an input')
    const { summary } = await run([folder, '--to', 'ndjson', path('folder-out.ndjson')])
    const expected = await functionCalls(archiveLines(0, 30))
    expect(readLines(path('folder-out.ndjson'))).toEqual(expected)
    expect(summary).toMatchObject({ inputs: 3, read: 30, emitted: 30, sent: 30 })
  })

  it('rejects a bad line alone, with its line number, and sends the others', async () => {
    const lines = archiveLines(0, 8).trim().split('\n')
    lines[2] = '{"project": "p", "event": {"kind": "feature", '
    lines[4] = JSON.stringify({ ...archiveRecord(4), pad: 'x'.repeat(40_000) })
    lines[6] = JSON.stringify({
      ...archiveRecord(6),
      event: { ...(archiveRecord(6).event as object), kind: 'mystery' }
    })
    writeFileSync(path('bad.ndjson'), lines.join('\n'))
    const { summary, code } = await run([path('bad.ndjson'), '--to', 'ndjson', path('bad-out.ndjson'), '--json'])
    expect(code).toBe(0)
    expect(summary).toMatchObject({ read: 8, emitted: 5, sent: 5, failed: { count: 0, reasons: [] } })
    const where = (line: number): string => `${path('bad.ndjson')}:${line}`
    expect(summary.rejected).toEqual({
      count: 3,
      reasons: [
        { reason: 'line is not valid JSON', count: 1, first: [where(3)] },
        { reason: 'line is longer than 32768 bytes', count: 1, first: [where(5)] },
        { reason: 'unknown kind "mystery"', count: 1, first: [where(7)] }
      ]
    })
    expect(readLines(path('bad-out.ndjson')).map((c) => (c.properties as { eventId: string }).eventId)).toEqual(
      [0, 1, 3, 5, 7].map((i) => (archiveRecord(i).event as { id: string }).id)
    )
  })

  it('passes the relay’s outbox and dead-letter lines (Segment calls) through unchanged', async () => {
    const calls = (await functionCalls(archiveLines(0, 5))).map((c) => JSON.stringify(c))
    writeFileSync(path('dead-letters.ndjson'), calls.join('\n') + '\n')
    const { summary } = await run([path('dead-letters.ndjson'), '--to', 'ndjson', path('dead-out.ndjson')])
    expect(readFileSync(path('dead-out.ndjson'), 'utf8')).toBe(calls.join('\n') + '\n')
    expect(summary).toMatchObject({ read: 5, emitted: 5, sent: 5 })
  })

  it('off a terminal, prints a plain progress line every few seconds', async () => {
    // Three deliveries, the rate spreading them over about half a second; a line every 50 ms.
    writeFileSync(path('slow.ndjson'), archiveLines(0, 4000))
    const args = [path('slow.ndjson'), '--to', 'ndjson', path('slow-out.ndjson'), '--rate', '8000']
    const { stderr } = await run(args, ENV, { progressIntervalMs: 50 })
    expect(stderr).toMatch(
      /^replay: \d+% \(\d\.\d of 1\.1 MB\), ETA \d+ s; read [\d,]+, emitted [\d,]+, rejected 0; [\d,]+ events\/s$/m
    )
  })

  it('--dry-run converts and counts, and writes nothing', async () => {
    writeFileSync(path('dry.ndjson'), archiveLines(0, 12))
    const { summary } = await run([path('dry.ndjson'), '--dry-run', '--to', 'ndjson', path('dry-out.ndjson')])
    expect(summary).toMatchObject({ read: 12, emitted: 12, sent: 0, dryRun: true, target: 'dry run' })
    expect(() => readFileSync(path('dry-out.ndjson'))).toThrow(/ENOENT/)
    expect(() => readFileSync(path('dry-out.ndjson.checkpoint.json'))).toThrow(/ENOENT/)
  })
})

describe('to a webhook', () => {
  it('backs off on a 429, honouring Retry-After, then sends the same delivery once', async () => {
    writeFileSync(path('retry.ndjson'), archiveLines(0, 20))
    const standIn = await webhookStandIn(SETTINGS, (n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '1' }, body: 'slow down' } : 'function'
    )
    try {
      const { summary, code, stderr } = await run([
        path('retry.ndjson'),
        '--to',
        'url',
        standIn.url,
        '--checkpoint',
        path('retry.checkpoint.json')
      ])
      expect(standIn.received).toHaveLength(2)
      expect(standIn.received[1].body).toBe(standIn.received[0].body)
      expect(standIn.received[1].at - standIn.received[0].at).toBeGreaterThanOrEqual(900)
      expect(stderr).toContain('HTTP 429: slow down; retrying in 1.0 s (attempt 2 of 9)')
      expect(standIn.calls).toEqual(await functionCalls(archiveLines(0, 20)))
      expect(summary).toMatchObject({ emitted: 20, sent: 20, failed: { count: 0 } })
      expect(code).toBe(0)
    } finally {
      await standIn.close()
    }
  })

  it('warns once when the function’s summary counts differently: its settings are not these', async () => {
    writeFileSync(
      path('settings.ndjson'),
      idlessEvents(6)
        .map((e) => JSON.stringify(e))
        .join('\n')
    )
    // The webhook's function has no environment: the SDK events (which carry none) are rejected there.
    const standIn = await webhookStandIn({ projectId: 'proj-1' })
    try {
      const args = [
        path('settings.ndjson'),
        '--to',
        'url',
        standIn.url,
        '--checkpoint',
        path('settings.checkpoint.json')
      ]
      const { summary, stderr } = await run(args)
      expect(standIn.received).toHaveLength(1)
      expect(summary.rejected.reasons.map((r) => r.reason)).toEqual([
        expect.stringMatching(
          /^the webhook refused the delivery \(HTTP 400\): Every event of the delivery was rejected: event 0: no environment/
        )
      ])
      expect(stderr).toBe('')
    } finally {
      await standIn.close()
    }
    const counting = await webhookStandIn(SETTINGS, () => ({
      status: 202,
      body: '{"emitted":1,"skipped":{},"rejected":[]}'
    }))
    try {
      const args = [
        path('settings.ndjson'),
        '--to',
        'url',
        counting.url,
        '--checkpoint',
        path('settings.checkpoint.json')
      ]
      const { stderr } = await run(args)
      expect(stderr).toBe(
        `replay: the webhook's function emitted 1 calls for a delivery converted here to 6: are its settings the ones given here (LD_* variables, options)?\n`
      )
    } finally {
      await counting.close()
    }
  })

  it('--rate spreads deliveries so the average stays under the rate', async () => {
    writeFileSync(path('rate.ndjson'), archiveLines(0, 4000))
    const standIn = await webhookStandIn(SETTINGS, () => ({ status: 202 }))
    try {
      const args = [path('rate.ndjson'), '--to', 'url', standIn.url, '--rate', '5000', '--concurrency', '4']
      const started = Date.now()
      const { summary } = await run([...args, '--checkpoint', path('rate.checkpoint.json')])
      const elapsed = Date.now() - started
      const sizes = standIn.received.map((r) => (JSON.parse(r.body) as unknown[]).length)
      expect(sizes).toHaveLength(3)
      // The last delivery leaves no sooner than the rate allows the events before it: 5 per ms.
      expect(elapsed).toBeGreaterThanOrEqual((sizes[0] + sizes[1]) / 5)
      expect(summary.sent).toBe(4000)
    } finally {
      await standIn.close()
    }
  })

  it('gives up after its retries: exit 1, the events counted as failed', async () => {
    writeFileSync(path('down.ndjson'), archiveLines(0, 4))
    const standIn = await webhookStandIn(SETTINGS, () => ({ status: 503, headers: { 'Retry-After': '0' } }))
    try {
      const { summary, code } = await run([
        path('down.ndjson'),
        '--to',
        'url',
        standIn.url,
        '--retries',
        '2',
        '--checkpoint',
        path('down.checkpoint.json')
      ])
      expect(standIn.received).toHaveLength(3)
      expect(code).toBe(1)
      expect(summary.sent).toBe(0)
      expect(summary.failed).toEqual({
        count: 4,
        reasons: [
          {
            reason: 'HTTP 503 (gave up after 3 attempts)',
            count: 4,
            first: [1, 2, 3, 4].map((l) => `${path('down.ndjson')}:${l}`)
          }
        ]
      })
    } finally {
      await standIn.close()
    }
  })

  it('does not post Segment calls (relay files) to a source function: they are rejected, nothing is sent', async () => {
    const calls = await functionCalls(archiveLines(0, 2))
    writeFileSync(path('calls.ndjson'), calls.map((c) => JSON.stringify(c)).join('\n'))
    const standIn = await webhookStandIn(SETTINGS)
    try {
      const args = [path('calls.ndjson'), '--to', 'url', standIn.url, '--checkpoint', path('calls.checkpoint.json')]
      const { summary, code } = await run(args)
      expect(standIn.received).toEqual([])
      expect(code).toBe(0)
      expect(summary.rejected.reasons).toEqual([
        {
          reason:
            'already a Segment call (a relay file): a source function cannot take it; use --to ndjson or --to segment',
          count: 2,
          first: [`${path('calls.ndjson')}:1`, `${path('calls.ndjson')}:2`]
        }
      ])
    } finally {
      await standIn.close()
    }
  })

  it('never shows the URL’s token, even when the webhook echoes it', async () => {
    const token = 'ingest-token-0123456789abcdef'
    writeFileSync(path('token.ndjson'), archiveLines(0, 3))
    const standIn = await webhookStandIn(SETTINGS, (_, r) => ({ status: 401, body: `wrong token in ${r.path}` }))
    try {
      const { summary, code, stderr } = await run([
        path('token.ndjson'),
        '--to',
        'url',
        `${standIn.url}/?token=${token}`,
        '--checkpoint',
        path('token.checkpoint.json')
      ])
      expect(standIn.received[0].path).toBe(`/?token=${token}`)
      expect(code).toBe(1)
      const shown = JSON.stringify(summary) + stderr
      expect(shown).not.toContain(token.slice(0, 8))
      expect(summary.target).toBe(`url ${standIn.url}/?token=[redacted]`)
      expect(summary.failed.reasons[0].reason).toBe(
        'the webhook refused the request (HTTP 401): wrong token in /?token=[redacted]; check the token in the URL or LD_INGEST_TOKEN'
      )
    } finally {
      await standIn.close()
    }
  })
})

describe('variation names', () => {
  it('are looked up through the REST API once per flag per run, with the access token', async () => {
    const api = await standIn((req) => {
      const flag = /^\/api\/v2\/flags\/my-project\/(flag-\d+)$/.exec(req.path)?.[1]
      return {
        status: flag ? 200 : 404,
        body: flag ? { key: flag, variations: [{ name: `${flag} on` }, { name: `${flag} off` }] } : {}
      }
    })
    try {
      // Records without names, over several deliveries.
      const lines = archiveLines(0, 4000)
      writeFileSync(path('names.ndjson'), lines)
      // The records name their project: the projectKey setting applies to every project.
      const env = {
        LD_ACCESS_TOKEN: 'api-0123456789',
        LD_PROJECT_KEY: 'my-project',
        LD_API_BASE_URL: api.url
      }
      const { summary } = await run([path('names.ndjson'), '--to', 'ndjson', path('names-out.ndjson')], env)
      expect(summary.sent).toBe(4000)
      expect(api.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`).sort()).toEqual(
        Array.from({ length: 50 }, (_, i) => `GET /api/v2/flags/my-project/flag-${i} api-0123456789`).sort()
      )
      const feature = readLines(path('names-out.ndjson')).find((c) => c.event === 'feature') as {
        properties: { key: string; variation: number; variationName: string }
      }
      expect(feature.properties.variationName).toBe(
        `${feature.properties.key} ${feature.properties.variation ? 'off' : 'on'}`
      )
    } finally {
      await api.close()
    }
  })
})
