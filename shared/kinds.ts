// LaunchDarkly analytics event kinds and what becomes of each in Segment (design §3.2).

/** Kinds exported as Segment track/page calls; each has a destination action. */
export const EXPORT_KINDS = ['feature', 'click', 'pageview', 'custom'] as const
type ExportKinds = typeof EXPORT_KINDS
export type ExportKind = ExportKinds[number]

/**
 * Kinds that are counted as skipped, never an error. `click_pageview` is the JavaScript
 * SDK v3's note that a page matching a click goal was viewed: no goal was reached.
 */
export const SKIPPED_KINDS = ['index', 'identify', 'summary', 'debug', 'migration_op', 'click_pageview'] as const

export function isExportKind(kind: string): kind is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(kind)
}

/** `diagnostic`, `diagnostic-init` and any other diagnostic variant are skipped too. */
export function isSkippedKind(kind: string): boolean {
  return (SKIPPED_KINDS as readonly string[]).includes(kind) || kind.startsWith('diagnostic')
}

/** The Segment call each exported kind becomes; a page call carries no event name. */
export const SEGMENT_CALL: Record<ExportKind, { type: 'track' | 'page'; event?: string }> = {
  feature: { type: 'track', event: 'feature' },
  click: { type: 'track', event: 'click' },
  pageview: { type: 'page' },
  custom: { type: 'track', event: 'custom' }
}
