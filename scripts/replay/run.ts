// A replay from start to end: inputs read as streams, records grouped into deliveries,
// each converted as the source function would and handed to the target, a few in flight
// at most; acknowledgements are counted and checkpointed strictly in input order, so a
// resumed run starts right after the last delivery that was acknowledged with all before it.

import { createHash } from 'node:crypto'
import { join, resolve } from 'node:path'
import { DEFAULT_OUTBOX_MAX_BYTES } from '../../runtime'
import type { SourceSettings } from '../../sources/launchdarkly/settings'
import { secretsOf } from '../../sources/launchdarkly/settings'
import { Checkpoint, Start } from './checkpoint'
import { Converted, convert, exportSettingsOf } from './convert'
import type { Delivery } from './deliveries'
import { Input, listInputs } from './inputs'
import { ApiUnavailable, nameLookup } from './names'
import { pacer } from './pacer'
import { InputProgress, Progress, startProgress } from './progress'
import { deliveriesOf, ReadListener } from './read'
import type { Form } from './records'
import { Attempt, RetryContext, RetryPolicy, withRetries } from './retry'
import { ReplaySummary, Tally } from './summary'
import { ndjsonTarget } from './targets/ndjson'
import { segmentTarget } from './targets/segment'
import { openSegmentOutbox } from './targets/segment-outbox'
import { every, Outcome, Target, TargetError } from './targets/target'
import { parseWebhookUrl, urlSecrets, urlTarget } from './targets/url'

export type TargetSpec =
  | { readonly kind: 'ndjson'; readonly path: string }
  | { readonly kind: 'url'; readonly url: string }
  /**
   * `host`: Segment's Tracking API origin (SEGMENT_HOST); `writeKey` comes from SEGMENT_WRITE_KEY
   * only; `dataDir`: the relay's data folder (LD_SEGMENT_DATA_DIR), which holds the replay's outbox.
   */
  | { readonly kind: 'segment'; readonly writeKey: string; readonly host: string; readonly dataDir: string }

export interface ReplayOptions {
  readonly inputs: readonly string[]
  readonly target: TargetSpec
  readonly dryRun: boolean
  readonly resume: boolean
  readonly checkpointPath?: string
  /** Events per second, on average. */
  readonly rate?: number
  /** Deliveries in flight at once (the webhook and Segment targets); undefined: DEFAULT_CONCURRENCY. */
  readonly concurrency?: number
  readonly retry: RetryPolicy
  readonly settings: SourceSettings
}

export interface ReplayIO {
  /** Progress, retries and warnings. */
  readonly stderr: NodeJS.WriteStream
  /** Aborted on Ctrl+C: reading stops, what is in flight settles, the checkpoint is kept. */
  readonly signal?: AbortSignal
  readonly progressIntervalMs?: number
}

/**
 * Deliveries in flight. The outbox sends one batch at a time, so two keep it busy (one sent
 * while the next is converted); more only hold more calls in memory.
 */
export const DEFAULT_CONCURRENCY = { url: 4, segment: 2 } as const

/** A replay's own output, the default target when SEGMENT_WRITE_KEY is unset. */
export const DEFAULT_OUTPUT = '.data/replay.ndjson'
/** `--to segment`: the replay's outbox folder (and default checkpoint) in the data folder, + a digest of host and write key. */
export const SEGMENT_DIR_PREFIX = 'replay-segment-'

interface Settled {
  readonly converted?: Converted
  readonly outcomes: readonly Outcome[]
  /** Why nothing of the delivery was sent, when it failed before its target answered. */
  readonly failure?: string
}

interface Job {
  readonly input: Input
  readonly progress: InputProgress
  readonly form: Form
  /** Undefined for the marker that ends an input. */
  readonly delivery?: Delivery
  readonly settled: Promise<Settled>
}

export async function replay(options: ReplayOptions, io: ReplayIO): Promise<ReplaySummary> {
  const started = Date.now()
  const secrets = secretsOf(options.settings)
  const plan = targetPlan(options)
  secrets.push(...plan.secrets)

  const inputs = listInputs(options.inputs, plan.exclude)
  const fromStdin = inputs.some((input) => input.path === undefined)
  if (fromStdin && options.resume) throw new TargetError('--resume cannot continue standard input (-)')
  // A resumed run checks its checkpoint against the inputs before anything is touched.
  const checkpointing = !options.dryRun && !fromStdin
  const resumed = checkpointing && options.resume ? Checkpoint.load(plan.checkpointPath, plan.id) : undefined
  const starts: Start[] = resumed ? resumed.plan(inputs) : inputs.map(() => ({ from: 'start' }))

  const tally = new Tally(secrets)
  const reading = inputs.map((input, i) => {
    const progress = new InputProgress(input.size)
    const start = starts[i]
    progress.finished = 'from' in start && start.from === 'done'
    return progress
  })
  const bytesTotal = fromStdin ? undefined : inputs.reduce((sum, input) => sum + (input.size ?? 0), 0)
  const progress: Progress = startProgress(
    io.stderr,
    () => ({
      bytesRead: reading.reduce((sum, input) => sum + input.bytes, 0),
      bytesTotal,
      read: tally.read,
      emitted: tally.emitted,
      rejected: tally.rejected.count
    }),
    io.progressIntervalMs
  )
  const log = (line: string): void => progress.log(`replay: ${line}`)
  if (options.resume && checkpointing && !resumed)
    log(`no checkpoint at ${plan.checkpointPath}: starting from the beginning`)
  const signal = io.signal
  const retry: RetryContext = { policy: options.retry, log, signal }
  const settings = exportSettingsOf(options.settings)
  const names = nameLookup(options.settings, log)
  const pace = pacer(options.rate, signal)

  let target: Target | undefined
  let checkpoint: Checkpoint | undefined
  try {
    target = options.dryRun ? undefined : await plan.open(resumed?.mark?.outputBytes, retry)
    // A fresh checkpoint records the output's length before this run wrote to it.
    checkpoint =
      resumed ?? (checkpointing ? Checkpoint.fresh(plan.checkpointPath, plan.id, target?.mark?.()) : undefined)
  } catch (error) {
    progress.stop()
    await target?.close()
    throw error
  }
  const concurrency = Math.max(1, target?.concurrency ?? 1)
  let broken = false
  const queue: Job[] = []

  const settle = async (delivery: Delivery, input: Input): Promise<Settled> => {
    try {
      const conversion = await withRetries(
        `variation names for ${input.name}`,
        async (): Promise<Attempt<Converted>> => {
          try {
            return { done: await convert(delivery, settings, names) }
          } catch (error) {
            if (error instanceof ApiUnavailable) return { retry: error.message }
            throw error
          }
        },
        retry
      )
      if ('gaveUp' in conversion) return { outcomes: [], failure: conversion.gaveUp }
      const converted = conversion.done
      if (!target || converted.calls.length === 0) return { converted, outcomes: [] }
      if (!(await pace(converted.calls.length)))
        return {
          converted,
          outcomes: every(converted, { settlement: 'retryable', reason: 'interrupted before it was sent' })
        }
      const body = 'body' in delivery ? delivery.body : undefined
      return { converted, outcomes: await target.send({ calls: converted.calls, body }) }
    } catch (error) {
      return { outcomes: [], failure: `unexpected error: ${(error as Error).message ?? String(error)}` }
    }
  }

  /** Counts the oldest job and checkpoints it, unless something before it failed. */
  const commitOldest = async (): Promise<void> => {
    const job = queue.shift() as Job
    const settled = await job.settled
    const where = (line: number): string => `${job.input.name}:${line}`
    const { converted, outcomes, failure } = settled
    if (failure !== undefined && job.delivery) {
      const lines = job.delivery.lines
      tally.failed.add(failure, where(lines[0]), lines.length)
    }
    if (converted) {
      const { calls, lines, skipped, rejected } = converted
      tally.emitted += calls.length
      tally.skip(skipped)
      for (const r of rejected) tally.rejected.add(r.reason, where(r.line))
      outcomes.forEach((outcome, i) => {
        if (outcome.settlement === 'delivered') tally.sent++
        else if (outcome.settlement === 'refused') tally.rejected.add(outcome.reason, where(lines[i]))
        else tally.failed.add(outcome.reason, where(lines[i]))
      })
    }
    if (failure !== undefined || outcomes.some((outcome) => outcome.settlement === 'retryable')) broken = true
    if (broken) return
    if (job.delivery) {
      job.progress.acked = job.delivery.end.offset
      checkpoint?.advance(job.input, job.form, job.delivery.end, target?.mark?.())
    } else {
      job.progress.finished = true
      checkpoint?.finish(job.input, target?.mark?.())
    }
  }

  const submit = async (job: Omit<Job, 'settled'>, settled: Promise<Settled>): Promise<void> => {
    queue.push({ ...job, settled })
    while (queue.length >= concurrency || (queue.length > 0 && broken)) await commitOldest()
  }
  const stopping = (): boolean => broken || signal?.aborted === true

  try {
    for (let i = 0; i < inputs.length && !stopping(); i++) {
      const input = inputs[i]
      const start = starts[i]
      if ('from' in start && start.from === 'done') continue
      tally.inputs++
      const listener: ReadListener = {
        record: () => tally.read++,
        rejected: (r) => tally.rejected.add(r.reason, `${input.name}:${r.line}`)
      }
      for await (const read of deliveriesOf(input, 'form' in start ? start : undefined, reading[i], listener)) {
        const job = { input, progress: reading[i], form: read.form }
        if ('delivery' in read) await submit({ ...job, delivery: read.delivery }, settle(read.delivery, input))
        else await submit(job, Promise.resolve({ outcomes: [] }))
        if (stopping()) break
      }
    }
    while (queue.length > 0) await commitOldest()
  } finally {
    progress.stop()
    await target?.close()
  }

  return tally.summary({
    seconds: Math.round((Date.now() - started) / 100) / 10,
    target: target?.description ?? 'dry run',
    dryRun: options.dryRun,
    interrupted: signal?.aborted === true,
    checkpoint: checkpoint?.path
  })
}

interface TargetPlan {
  /** Stored in the checkpoint: which target its acknowledgements are from (no secret). */
  readonly id: string
  readonly checkpointPath: string
  /** Real paths the inputs must not include (the output and the checkpoint). */
  readonly exclude: string[]
  readonly secrets: string[]
  open(resumeBytes: number | undefined, retry: RetryContext): Target | Promise<Target>
}

/** The target's secrets: the URL's query values and credentials; the write key, also as its Authorization header carries it. */
export function secretsOfTarget(spec: TargetSpec): string[] {
  if (spec.kind === 'segment') {
    // Also as it travels, in the Authorization header, should an answer echo it.
    return [spec.writeKey, Buffer.from(spec.writeKey + ':').toString('base64')]
  }
  if (spec.kind === 'url') {
    try {
      return urlSecrets(new URL(spec.url))
    } catch {
      // Not a URL: the target reports it.
    }
  }
  return []
}

/** 16 hex digits of SHA-256: names a target whose address holds a secret, without it. */
function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

function targetPlan(options: ReplayOptions): TargetPlan {
  const spec = options.target
  const secrets = secretsOfTarget(spec)
  if (spec.kind === 'segment') {
    // One folder per Segment source (host and write key): what a replay leaves unsent there
    // is sent, by the next replay to the same source, with the right key.
    const digest = digestOf(`${spec.host}\n${spec.writeKey}`)
    const dir = resolve(spec.dataDir, SEGMENT_DIR_PREFIX + digest)
    const checkpointPath = resolve(options.checkpointPath ?? join(dir, 'checkpoint.json'))
    return {
      id: `segment ${digest}`,
      checkpointPath,
      exclude: [dir, checkpointPath, `${checkpointPath}.tmp`],
      secrets,
      open: async (_resumeBytes, retry) => {
        const outbox = await openSegmentOutbox({
          dir,
          writeKey: spec.writeKey,
          host: spec.host,
          maxBytes: DEFAULT_OUTBOX_MAX_BYTES,
          retry,
          secrets: [...secretsOf(options.settings), ...secrets]
        })
        return segmentTarget(outbox, options.concurrency ?? DEFAULT_CONCURRENCY.segment)
      }
    }
  }
  if (spec.kind === 'ndjson') {
    const path = resolve(spec.path)
    const checkpointPath = resolve(options.checkpointPath ?? `${path}.checkpoint.json`)
    return {
      id: `ndjson ${path}`,
      checkpointPath,
      exclude: [path, checkpointPath, `${checkpointPath}.tmp`],
      secrets: [],
      open: (resumeBytes) => ndjsonTarget(path, resumeBytes)
    }
  }
  const url = parseWebhookUrl(spec.url)
  // The URL may hold a key: the checkpoint names it by a digest only.
  const digest = digestOf(url.href)
  const checkpointPath = resolve(options.checkpointPath ?? `.data/replay-${digest}.checkpoint.json`)
  return {
    id: `url ${digest}`,
    checkpointPath,
    exclude: [checkpointPath, `${checkpointPath}.tmp`],
    secrets,
    open: (_resumeBytes, retry) =>
      urlTarget({
        url: spec.url,
        ingestToken: options.settings.ingestToken,
        concurrency: options.concurrency ?? DEFAULT_CONCURRENCY.url,
        retry,
        secrets: secretsOf(options.settings)
      })
  }
}
