// An outbox's dead letters (docs/relay.md "The outboxes"): what the receiver refused for
// good, and bytes of a segment that were not a record, moved out of the way so that
// everything after them is delivered, and kept for a person to look at or replay:
// * `dead-letter.ndjson`: the records (or bytes) as they were in the segment;
// * `dead-letter-reasons.ndjson`: one JSON line per move: time, status, reason, and what
//   identifies the records (messageIds, payload ids). Never a secret: the sender says
//   what is recorded.

import { join } from 'path'
import { AppendLog, asWriteFailed, OpenAppendFile } from '../append-log'

export const DEAD_LETTER_FILE = 'dead-letter.ndjson'
export const DEAD_LETTER_REASONS_FILE = 'dead-letter-reasons.ndjson'

/** Why records were moved: the receiver's status and reason, and their ids. */
export interface DeadLetterReason {
  status?: number
  reason: string
  [ids: string]: unknown
}

export class DeadLetters {
  /** Both files, opened once on the first dead letter (concurrent ones share the opening). */
  private files?: Promise<{ records: AppendLog; reasons: AppendLog }>

  constructor(
    private readonly dir: string,
    private readonly openFile: OpenAppendFile,
    private readonly mode: number,
    private readonly now: () => number
  ) {}

  /** Appends `data` (whole lines) and its reason line, both flushed; throws WriteFailed. */
  async keep(data: Buffer, why: DeadLetterReason): Promise<void> {
    const { status, reason, ...ids } = why
    const line = JSON.stringify({ time: new Date(this.now()).toISOString(), status, reason, ...ids }) + '\n'
    try {
      this.files ??= this.open()
      const { records, reasons } = await this.files.catch((error: unknown) => {
        this.files = undefined
        throw error
      })
      // A crash between the two leaves records without their reason, never a reason for records not kept.
      await records.append(data)
      await reasons.append(Buffer.from(line))
    } catch (error) {
      throw asWriteFailed(error)
    }
  }

  async close(): Promise<void> {
    const files = await this.files?.catch(() => undefined)
    this.files = undefined
    await files?.records.close()
    await files?.reasons.close()
  }

  private async open(): Promise<{ records: AppendLog; reasons: AppendLog }> {
    const records = await AppendLog.open(join(this.dir, DEAD_LETTER_FILE), this.openFile, this.mode)
    try {
      return {
        records,
        reasons: await AppendLog.open(join(this.dir, DEAD_LETTER_REASONS_FILE), this.openFile, this.mode)
      }
    } catch (error) {
      await records.close().catch(() => undefined)
      throw error
    }
  }
}
