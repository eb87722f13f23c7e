// The Segment source function for LaunchDarkly (design §3, §4): one delivery in (SDK
// event batch, Data Export record, Pub/Sub push, NDJSON replay or audit-log webhook),
// Segment calls out. The conversion is shared/'s; this module authenticates, looks up
// variation names, emits, logs the summary line and fails only with Segment's errors.

import { convertDelivery, now, readDelivery, redact, redactSummary, summaryLine } from '../../shared'
import type { DeliverySummary, FunctionRequest } from '../../shared'
import { checkIngestToken, checkSignature, SIGNATURE_HEADER, signatureOf } from './auth'
import { nodeSha256 } from '../../segment-functions/crypto'
import { emit } from './emit'
import { SourceError, toSegmentError } from './errors'
import { apiClient } from './launchdarkly-api'
import { segment, segmentFetch } from '../../segment-functions/globals'
import { NO_RAW_BODY_FOR_SIGNATURE, readBody } from './request-body'
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

async function deliver(
  request: FunctionRequest,
  settings: SourceSettings,
  secrets: readonly string[]
): Promise<DeliverySummary> {
  // Before the body is read: an unauthenticated caller gets nothing parsed or looked up.
  checkIngestToken(request, settings.ingestToken)
  const { text: body, raw } = await readBody(request)

  const signature = signatureOf(request)
  if (settings.webhookSecret !== undefined && signature !== undefined) {
    if (raw) await checkSignature(body, signature, settings.webhookSecret)
    else console.warn(`launchdarkly: ${SIGNATURE_HEADER} not checked before parsing: no raw body (request.text())`)
  }

  const delivery = readDelivery(body, {
    projectId: settings.projectId,
    environmentId: settings.environmentId,
    includeCustomData: settings.includeCustomData,
    hash: nodeSha256()
  })
  // Only audit-log entries are signed by LaunchDarkly; SDK batches and records are not.
  if (delivery.form === 'audit' && settings.webhookSecret !== undefined) {
    if (!raw) throw new SourceError('ValidationError', NO_RAW_BODY_FOR_SIGNATURE)
    await checkSignature(body, signature, settings.webhookSecret)
  }

  // Every lookup finishes before anything is emitted: a retried delivery then re-emits
  // the same messages, which Segment drops as duplicates by messageId.
  const lookup = await lookupVariationNames(delivery.flags, {
    settings,
    api: apiClient({
      baseUrl: settings.apiBaseUrl,
      accessToken: settings.accessToken ?? '',
      fetch: segmentFetch,
      now
    }),
    cache: warmCache()
  })
  const { calls, summary } = convertDelivery(delivery, lookup.names)
  emit(segment(), calls)

  // Returned to the caller (the local runtime shows it): reasons may quote the body.
  const result = redactSummary(summary, secrets)
  if (lookup.warnings.length)
    console.warn(redact(`launchdarkly: variation names unavailable: ${lookup.warnings.join('; ')}`, secrets))
  console.log(redact(summaryLine(result), secrets))
  return result
}
