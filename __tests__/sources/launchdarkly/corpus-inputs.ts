// The captured fixtures and every source case of the adversarial corpus as deliveries to
// the BUILT function, and what it emits for them: the messageIds that
// message-ids.golden.json holds (design §3.9; written from the function as it was before
// messageIds escaped `|` and `%`, issue 20), and the calls the tracking plan must accept.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { RecordedCall } from '../../../runtime/sandbox/calls'
import { loadFunction } from '../../../runtime/sandbox/instance'
import type { Delivery, FunctionSettings } from '../../../runtime/sandbox/instance'
import audit from '../../fixtures/audit-webhook-signature.json'
import sdkFixture from '../../fixtures/node-server-sdk-bulk.json'
import { SDK_FIXTURE_SETTINGS } from '../../fixtures/node-server-sdk-bulk.expected'
import { bodyOf, DEFAULT_SETTINGS, loadCases } from '../../adversarial/corpus'
import { BUILT, ensureBuilt } from './helpers'

export const GOLDEN = path.join(__dirname, '..', '..', 'fixtures', 'message-ids.golden.json')

/** Listed id by id up to this many calls; larger deliveries by count, first, last and a digest of all. */
const LISTED = 40

export interface Input {
  readonly name: string
  readonly delivery: Delivery
  readonly settings: FunctionSettings
}

export function corpusInputs(): Input[] {
  const inputs: Input[] = [
    {
      name: 'fixture: node-server-sdk-bulk',
      delivery: { body: JSON.stringify(sdkFixture.body), headers: sdkFixture.headers, url: '/bulk' },
      settings: SDK_FIXTURE_SETTINGS
    },
    {
      name: 'fixture: audit-webhook-signature',
      delivery: { body: audit.rawBody, headers: audit.headers },
      settings: { ...DEFAULT_SETTINGS, webhookSecret: audit.secret }
    }
  ]
  for (const c of loadCases()) {
    if (!c.source) continue
    const { request, settings } = c.source
    inputs.push({
      name: `corpus: ${c.name}`,
      delivery: { body: bodyOf(request), headers: request.headers ?? {}, url: request.url ?? '/' },
      settings: settings ?? DEFAULT_SETTINGS
    })
  }
  return inputs
}

export type GoldenIds = string[] | { count: number; first: string; last: string; sha256: string }

function summarized(ids: string[], sha256: (text: string) => string): GoldenIds {
  if (ids.length <= LISTED) return ids
  return { count: ids.length, first: ids[0], last: ids[ids.length - 1], sha256: sha256(ids.join('\n')) }
}

/** The calls each input's delivery emits, by input name; each input in a cold function. */
export async function callsOf(inputs: readonly Input[]): Promise<Map<string, readonly RecordedCall[]>> {
  await ensureBuilt()
  const code = readFileSync(BUILT, 'utf8')
  const out = new Map<string, readonly RecordedCall[]>()
  for (const input of inputs) {
    const result = await loadFunction(code, { filename: 'launchdarkly.js' }).invoke(input.delivery, input.settings)
    out.set(input.name, result.calls)
  }
  return out
}

/** The messageIds each input's delivery emits, by input name. */
export async function messageIdsOf(
  inputs: readonly Input[],
  sha256: (text: string) => string
): Promise<Record<string, GoldenIds>> {
  const out: Record<string, GoldenIds> = {}
  for (const [name, calls] of await callsOf(inputs)) {
    out[name] = summarized(
      calls.map((call) => String(call.message.messageId)),
      sha256
    )
  }
  return out
}
