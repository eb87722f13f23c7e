// The counts of a replay and its closing report: read, emitted, sent, skipped by kind,
// rejected and failed by reason with where the first few were, seconds.

import { redact } from '../../shared'

/** Reasons kept apart; any further one is counted under OTHER_REASONS. */
const MAX_REASONS = 100
const OTHER_REASONS = 'other reasons'
/** Locations kept per reason. */
const FIRST_PLACES = 5

export interface ReasonCount {
  readonly reason: string
  readonly count: number
  /** `input:line` of the first few. */
  readonly first: readonly string[]
}

export interface ReplaySummary {
  /** Records read: NDJSON lines and array elements (a Pub/Sub push counts once). */
  readonly read: number
  /** Segment calls converted or passed through. */
  readonly emitted: number
  /** Calls the target acknowledged. */
  readonly sent: number
  readonly skipped: Readonly<Record<string, number>>
  readonly rejected: { readonly count: number; readonly reasons: readonly ReasonCount[] }
  /** Calls left unsent by a transport failure: a rerun with --resume sends them. */
  readonly failed: { readonly count: number; readonly reasons: readonly ReasonCount[] }
  readonly inputs: number
  readonly seconds: number
  readonly target: string
  readonly dryRun: boolean
  readonly interrupted: boolean
  readonly checkpoint?: string
}

/** Counts by reason; reasons may quote input, so secrets are taken out as they come in. */
export class Reasons {
  private readonly byReason = new Map<string, { count: number; first: string[] }>()
  count = 0

  constructor(private readonly secrets: readonly string[]) {}

  add(text: string, where: string, count = 1): void {
    this.count += count
    const reason = this.secrets.length ? redact(text, this.secrets) : text
    const key = this.byReason.has(reason) || this.byReason.size < MAX_REASONS ? reason : OTHER_REASONS
    let entry = this.byReason.get(key)
    if (!entry) {
      entry = { count: 0, first: [] }
      this.byReason.set(key, entry)
    }
    entry.count += count
    if (entry.first.length < FIRST_PLACES) entry.first.push(where)
  }

  /** Most frequent first. */
  list(): ReasonCount[] {
    return [...this.byReason]
      .map(([reason, { count, first }]) => ({ reason, count, first }))
      .sort((a, b) => b.count - a.count)
  }
}

export class Tally {
  read = 0
  emitted = 0
  sent = 0
  inputs = 0
  readonly skipped: Record<string, number> = {}
  readonly rejected: Reasons
  readonly failed: Reasons

  constructor(secrets: readonly string[]) {
    this.rejected = new Reasons(secrets)
    this.failed = new Reasons(secrets)
  }

  skip(kinds: Readonly<Record<string, number>>): void {
    for (const kind of Object.keys(kinds)) this.skipped[kind] = (this.skipped[kind] ?? 0) + kinds[kind]
  }

  summary(extra: Pick<ReplaySummary, 'seconds' | 'target' | 'dryRun' | 'interrupted' | 'checkpoint'>): ReplaySummary {
    return {
      read: this.read,
      emitted: this.emitted,
      sent: this.sent,
      skipped: { ...this.skipped },
      rejected: { count: this.rejected.count, reasons: this.rejected.list() },
      failed: { count: this.failed.count, reasons: this.failed.list() },
      inputs: this.inputs,
      ...extra
    }
  }
}

const n = (value: number): string => value.toLocaleString('en-US')

/** The closing report for people. */
export function summaryText(summary: ReplaySummary): string {
  const lines = [
    `replay: read ${n(summary.read)} records from ${n(summary.inputs)} input${
      summary.inputs === 1 ? '' : 's'
    } in ${summary.seconds.toFixed(1)} s; emitted ${n(summary.emitted)}; ` +
      (summary.dryRun ? 'dry run: nothing sent' : `sent ${n(summary.sent)} to ${summary.target}`)
  ]
  const skipped = Object.keys(summary.skipped)
  if (skipped.length)
    lines.push(`  skipped (kinds not exported): ${skipped.map((k) => `${k}=${n(summary.skipped[k])}`).join(' ')}`)
  const reasons = (title: string, group: ReplaySummary['rejected']): void => {
    if (group.count === 0) return
    lines.push(`  ${title} ${n(group.count)}:`)
    for (const r of group.reasons.slice(0, 20))
      lines.push(`    ${n(r.count)} × ${r.reason} (${r.first.join(', ')}${r.count > r.first.length ? ', …' : ''})`)
    if (group.reasons.length > 20) lines.push(`    and ${group.reasons.length - 20} more reasons`)
  }
  reasons('rejected', summary.rejected)
  reasons('failed, not sent', summary.failed)
  if (summary.interrupted) lines.push('  interrupted: what was not acknowledged was left for --resume')
  if (summary.checkpoint && (summary.failed.count > 0 || summary.interrupted))
    lines.push(`  to continue: the same command with --resume (checkpoint ${summary.checkpoint})`)
  return lines.join('\n')
}
