// The Segment source function for LaunchDarkly (SPEC 3, 4): one delivery in (SDK event
// batch, Data Export record, Pub/Sub push, NDJSON replay or audit-log webhook), Segment
// calls out. The conversion is shared/'s; this module authenticates, looks up variation
// names, emits, logs the summary line and fails only with Segment's error classes.

import { describeRejections, DeliverySummary, finishDelivery, flagsToName, readDelivery, summaryLine } from '../../shared/to-segment'
import { checkIngestToken, checkSignature, signatureOf } from './auth'
import { emit, withinSizeLimit } from './emit'
import { redact, SourceError, toSegmentError, UNREADABLE_BODY } from './errors'
import { apiClient } from './launchdarkly-api'
import { FunctionRequest, nodeSha256, runtimeFetch, segment } from './runtime'
import { readSettings, secretsOf, SourceSettings } from './settings'
import { lookupVariationNames } from './variation-names'
import { warmCache } from './warm-cache'

export async function onRequest(request: FunctionRequest, settings: unknown): Promise<DeliverySummary> {
  // Settings are read on every invocation: module state outlives them in a warm runtime.
  const config = readSettings(settings)
  const secrets = secretsOf(config)
  try {
    return await deliver(request, config, secrets)
  } catch (error) {
    throw toSegmentError(error, secrets)
  }
}

async function deliver(request: FunctionRequest, settings: SourceSettings, secrets: readonly string[]): Promise<DeliverySummary> {
  // Before the body is read: an unauthenticated caller gets nothing parsed or looked up.
  checkIngestToken(request, settings.ingestToken)
  const body = await readBody(request)

  const signature = signatureOf(request)
  if (settings.webhookSecret !== undefined && signature !== undefined) await checkSignature(body, signature, settings.webhookSecret)

  const delivery = readDelivery(body, {
    projectId: settings.projectId,
    environmentId: settings.environmentId,
    includeCustomData: settings.includeCustomData,
    hash: nodeSha256()
  })
  // Only audit-log entries are signed by LaunchDarkly; SDK batches and records are not.
  if (delivery.form === 'audit' && settings.webhookSecret !== undefined) await checkSignature(body, signature, settings.webhookSecret)

  // Every lookup finishes before anything is emitted: a retried delivery then re-emits
  // the same messages, which Segment drops as duplicates by messageId.
  const lookup = await lookupVariationNames(flagsToName(delivery), {
    settings,
    api: apiClient({ baseUrl: settings.apiBaseUrl, accessToken: settings.accessToken ?? '', fetch: runtimeFetch, now: Date.now }),
    cache: warmCache()
  })
  const { calls, summary } = finishDelivery(delivery, lookup.names)

  const { accepted, rejected: oversize } = withinSizeLimit(calls, delivery.indexes)
  const rejected = oversize.length ? [...summary.rejected, ...oversize].sort((a, b) => a.index - b.index) : summary.rejected
  const skipped = Object.keys(summary.skipped).length
  if (accepted.length === 0 && oversize.length > 0 && skipped === 0) {
    throw new SourceError('InvalidEventPayload', `Every event of the delivery was rejected: ${describeRejections(rejected)}`)
  }

  emit(segment(), accepted)
  // Returned to the caller (the local runtime shows it): reasons may quote the body.
  const result: DeliverySummary = {
    emitted: accepted.length,
    skipped: summary.skipped,
    rejected: secrets.length ? rejected.map((r) => ({ index: r.index, reason: redact(r.reason, secrets) })) : rejected
  }
  if (lookup.warnings.length) console.warn(redact(`launchdarkly: variation names unavailable: ${lookup.warnings.join('; ')}`, secrets))
  console.log(redact(summaryLine(result), secrets))
  return result
}

async function readBody(request: FunctionRequest): Promise<string> {
  let body: unknown
  try {
    body = await request.text()
  } catch {
    body = undefined
  }
  if (typeof body !== 'string') {
    throw new SourceError('InvalidEventPayload', UNREADABLE_BODY)
  }
  return body
}
