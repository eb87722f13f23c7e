// A delivery converted exactly as the source function converts it: shared's readDelivery,
// the function's variation-name lookup, then convertDelivery, with the function's settings
// (design §4). Only the reporting differs: the function fails a delivery whose events
// were all rejected (design §3.8), while a replay reports each record on its own line.

import * as nodeCrypto from 'node:crypto'
import { convertDelivery, NothingExported, PayloadError, readDelivery, sha256From, sha256Hex } from '../../shared'
import type { ExportSettings, ReadDelivery, VariationNames } from '../../shared'
import type { SourceSettings } from '../../sources/launchdarkly/settings'
import type { Delivery, Rejected, ReplayCall } from './deliveries'
import type { NameLookup } from './names'

export interface Converted {
  readonly calls: readonly ReplayCall[]
  /** The input line of each call. */
  readonly lines: readonly number[]
  readonly skipped: Readonly<Record<string, number>>
  readonly rejected: readonly Rejected[]
}

/** Node's SHA-256, as the function takes it from the runtime: the same output as shared/'s own, faster. */
const nodeSha256 = sha256From(nodeCrypto) ?? sha256Hex

export function exportSettingsOf(settings: SourceSettings): ExportSettings {
  return {
    projectId: settings.projectId,
    environmentId: settings.environmentId,
    includeCustomData: settings.includeCustomData,
    hash: nodeSha256
  }
}

/**
 * Converts one delivery; Segment calls read as such pass through. `names` (when an access
 * token is set) may throw ApiUnavailable: the caller retries.
 */
export async function convert(delivery: Delivery, settings: ExportSettings, names?: NameLookup): Promise<Converted> {
  if ('calls' in delivery) return { calls: delivery.calls, lines: delivery.lines, skipped: {}, rejected: [] }
  const lineOf = (index: number): number => delivery.lines[index] ?? delivery.lines[0]
  let read: ReadDelivery
  try {
    read = readDelivery(delivery.body, settings)
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error
    return { calls: [], lines: [], skipped: {}, rejected: [{ line: delivery.lines[0], reason: error.message }] }
  }
  const found = names && read.flags.length > 0 ? await names(read.flags) : undefined
  const { calls, summary } = convertEach(read, found)

  const rejectedAt = new Set(summary.rejected.map((r) => r.index))
  const lines: number[] = []
  for (const item of read.items) {
    if (!('skipped' in item) && !rejectedAt.has(item.index)) lines.push(lineOf(item.index))
  }
  return {
    calls,
    lines,
    skipped: summary.skipped,
    rejected: summary.rejected.map((r) => ({ line: lineOf(r.index), reason: r.reason }))
  }
}

/** The function fails a delivery that exports nothing; a replay reports each of its events instead. */
function convertEach(read: ReadDelivery, names: VariationNames | undefined): ReturnType<typeof convertDelivery> {
  try {
    return convertDelivery(read, names)
  } catch (error) {
    if (!(error instanceof NothingExported)) throw error
    return { calls: [], summary: error.summary }
  }
}
