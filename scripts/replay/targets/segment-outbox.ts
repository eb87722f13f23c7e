// The relay's outbox (runtime/outbox/outbox.ts) as the replay's SegmentOutbox. Calls are appended,
// as `{"type", …message}` lines, to an outbox folder of the replay's own (locked, so two
// replays never send the same files; the relay's folder is never touched) and sent under
// the relay's rules: batches of at most 500 KB, backoff with jitter or Retry-After, a
// refused call isolated by halving and dead-lettered. Each call is settled by where its
// line lies on disk, from the outbox's report on the batch that held it. The relay retries
// for ever; a replay gives up after `--retries` failed requests in a row and leaves what
// is unsent in the folder, where the next replay to the same source sends it first.

import { CallTooLarge, Outbox, OutboxFull, WriteFailed } from '../../../runtime'
import type { Appended, BatchReport } from '../../../runtime'
import { MAX_MESSAGE_BYTES, redact } from '../../../shared'
import type { Settled } from '../../../shared'
import type { ReplayCall } from '../deliveries'
import { lockFolder } from '../lock'
import type { RetryContext } from '../retry'
import { callLine } from './ndjson'
import type { SegmentOutbox } from './segment'
import { TargetError } from './target'

export interface SegmentOutboxOptions {
  /** The replay's outbox folder. */
  readonly dir: string
  readonly writeKey: string
  /** Segment's Tracking API origin (SEGMENT_HOST). */
  readonly host: string
  /** Held in the folder at most (LD_OUTBOX_MAX_BYTES's default). */
  readonly maxBytes: number
  /** Its policy: failed requests in a row before giving up, and the backoff; its log hears the outbox. */
  readonly retry: RetryContext
  /** Kept out of every line logged. */
  readonly secrets: readonly string[]
}

/** One submit's calls on disk, settled in order as batch reports cover them. */
interface Submission {
  readonly segment: string
  /** The offset just after each written call's line. */
  readonly ends: readonly number[]
  /** The index in the submit of each written call. */
  readonly slots: readonly number[]
  readonly settled: Settled[]
  /** Written calls settled so far. */
  next: number
  resolve(settled: Settled[]): void
}

const DELIVERED: Settled = { settlement: 'delivered' }
/** Statuses that refuse the call itself (the outbox halves a batch until it is alone); others refuse the request. */
const REFUSING_THE_CALL = new Set([400, 413])

export async function openSegmentOutbox(options: SegmentOutboxOptions): Promise<SegmentOutbox> {
  const { dir, host, retry, secrets } = options
  const url = `${host}/v1/batch`
  const open = new Set<Submission>()
  /** Why calls are settled as pending at once: set on giving up, cleared when Segment answers again. */
  let gaveUp: string | undefined

  const settleRest = (submission: Submission, settlement: Settled): void => {
    for (; submission.next < submission.ends.length; submission.next++)
      submission.settled[submission.slots[submission.next]] = settlement
    open.delete(submission)
    submission.resolve(submission.settled)
  }
  const giveUp = (reason: string): void => {
    gaveUp = `POST ${url}: ${redact(reason, secrets)}; kept in the replay's outbox`
    for (const submission of [...open]) settleRest(submission, { settlement: 'retryable', reason: gaveUp })
  }

  const onBatch = (report: BatchReport): void => {
    const why = report.reason ?? 'no answer'
    if (report.settlement === 'retryable') {
      if (retry.signal?.aborted) giveUp(`${why} (interrupted)`)
      else if (report.failures > retry.policy.retries) giveUp(`${why} (gave up after ${report.failures} attempts)`)
      return
    }
    gaveUp = undefined
    let settlement = DELIVERED
    if (report.settlement === 'refused') {
      const reason = redact(why, secrets)
      settlement =
        report.status !== undefined && REFUSING_THE_CALL.has(report.status)
          ? { settlement: 'refused', reason: `Segment refused it (${reason})` }
          : {
              settlement: 'retryable',
              reason: `Segment refused the request (${reason}): check SEGMENT_WRITE_KEY and SEGMENT_HOST; moved to the dead-letter file of the replay's outbox`
            }
    }
    for (const submission of [...open]) {
      if (submission.segment !== report.segment) continue
      while (submission.next < submission.ends.length && submission.ends[submission.next] <= report.to)
        submission.settled[submission.slots[submission.next++]] = settlement
      if (submission.next === submission.ends.length) settleRest(submission, settlement)
    }
  }

  /** Settles the calls as reports cover their lines; only offsets are kept, not the calls. */
  const follow = (
    appended: Appended,
    lengths: readonly number[],
    slots: readonly number[],
    settled: Settled[]
  ): Promise<Settled[]> => {
    let end = appended.from
    const ends = lengths.map((length) => (end += length))
    return new Promise((resolve) => {
      // Registered before the sender can report on these lines: that takes a read and a request.
      const submission: Submission = { segment: appended.segment, ends, slots, settled, next: 0, resolve }
      open.add(submission)
      if (gaveUp !== undefined) settleRest(submission, { settlement: 'retryable', reason: gaveUp })
    })
  }

  const lock = lockFolder(dir)
  let outbox: Outbox
  try {
    outbox = await Outbox.open({
      dir,
      writeKey: options.writeKey,
      host,
      maxBytes: options.maxBytes,
      retryBaseMs: retry.policy.baseMs,
      retryMaxMs: retry.policy.maxMs,
      log: (line) => retry.log(redact(line, secrets)),
      onBatch
    })
  } catch (error) {
    lock.release()
    const code = (error as NodeJS.ErrnoException).code
    throw new TargetError(`${dir} cannot be opened as an outbox (${code ?? String(error)})`)
  }
  // Ctrl+C: calls waiting out an outage are given up at once; a healthy Segment settles them.
  const onAbort = (): void => {
    const failing = outbox.stats().failing
    if (failing) giveUp(`${failing} (interrupted)`)
  }
  retry.signal?.addEventListener('abort', onAbort)

  return {
    description: `${dir} to ${url}`,
    async submit(calls: readonly ReplayCall[]): Promise<readonly Settled[]> {
      const settled: Settled[] = new Array(calls.length)
      const { lines, slots, lengths } = linesOf(calls, settled)
      if (lines.length === 0) return settled
      let appended: Appended | undefined
      try {
        appended = await outbox.append(lines)
      } catch (error) {
        const why = error instanceof WriteFailed || error instanceof OutboxFull ? error.message : String(error)
        for (const slot of slots)
          settled[slot] = { settlement: 'retryable', reason: `not written to the outbox (${why})` }
        return settled
      }
      return follow(appended as Appended, lengths, slots, settled)
    },
    async close(): Promise<void> {
      retry.signal?.removeEventListener('abort', onAbort)
      try {
        await outbox.close(0)
      } finally {
        for (const submission of [...open])
          settleRest(submission, {
            settlement: 'retryable',
            reason: "the replay stopped before Segment answered; kept in the replay's outbox"
          })
        lock.release()
      }
    }
  }
}

/**
 * The calls' lines, with the index and length (newline included) of each; a call the
 * outbox would refuse, which would fail the whole append, is settled in `settled` alone.
 */
function linesOf(
  calls: readonly ReplayCall[],
  settled: Settled[]
): { lines: string[]; slots: number[]; lengths: number[] } {
  const lines: string[] = []
  const slots: number[] = []
  const lengths: number[] = []
  calls.forEach((call, i) => {
    const line = callLine(call)
    const bytes = Buffer.byteLength(line)
    if (bytes > MAX_MESSAGE_BYTES) settled[i] = { settlement: 'refused', reason: new CallTooLarge(bytes).message }
    else {
      lines.push(line)
      slots.push(i)
      lengths.push(bytes + 1)
    }
  })
  return { lines, slots, lengths }
}
