// The checkpoint refuses to resume what it was not made for, and retries wait as told.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CheckpointError } from '../../../scripts/replay/checkpoint'
import { parseCli } from '../../../scripts/replay/options'
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../../scripts/replay/retry'
import { replay } from '../../../scripts/replay/run'
import type { ReplaySummary } from '../../../scripts/replay/summary'
import { archiveLines } from './archive'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ld-replay-checkpoint-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream

function run(...args: string[]): Promise<ReplaySummary> {
  const cli = parseCli(args, {})
  if (!cli) throw new Error('help')
  return replay(cli.options, { stderr: quiet })
}

describe('--resume', () => {
  it('skips inputs read to the end and goes on with the next ones', async () => {
    const [a, b, out] = ['a.ndjson', 'b.ndjson', 'ab-out.ndjson'].map((name) => join(dir, name))
    writeFileSync(a, archiveLines(0, 10))
    await run(a, '--to', 'ndjson', out)
    writeFileSync(b, archiveLines(10, 15))
    const summary = await run(a, b, '--to', 'ndjson', out, '--resume')
    expect(summary).toMatchObject({ inputs: 1, read: 5, sent: 5 })
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(15)
  })

  it('refuses an input that changed since the checkpoint, and a checkpoint of another target', async () => {
    const [input, out] = ['changed.ndjson', 'changed-out.ndjson'].map((name) => join(dir, name))
    writeFileSync(input, archiveLines(0, 10))
    await run(input, '--to', 'ndjson', out)
    appendFileSync(input, archiveLines(10, 11))
    await expect(run(input, '--to', 'ndjson', out, '--resume')).rejects.toThrow(
      new CheckpointError(
        'the inputs are not those of the checkpoint (inputs read before were changed, removed or added before them): rerun without --resume'
      )
    )
    const checkpoint = `${out}.checkpoint.json`
    await expect(
      run(input, '--to', 'ndjson', join(dir, 'elsewhere.ndjson'), '--checkpoint', checkpoint, '--resume')
    ).rejects.toThrow(
      new CheckpointError(
        `${checkpoint} was made for another target (ndjson ${out}): rerun without --resume, or give that target`
      )
    )
  })
})

describe('Retry-After', () => {
  it('reads seconds and HTTP dates, at most five minutes, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs('3', now)).toBe(3000)
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000)
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(retryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS)
    expect(retryAfterMs('soon', now)).toBeUndefined()
    expect(retryAfterMs(null, now)).toBeUndefined()
  })
})
