// How the relay tells of failures that repeat (an outage, a full disk): one line for the
// first of a kind at once, then at most one line per minute with the count meanwhile,
// and one line when that kind works again; never a line per occurrence. What is failing
// now is also kept for the health endpoint.

/** A line's level where it is not a warning: news at `info`, what is lost for good at `error`. */
export type LogLevelOf = 'info' | 'error'

export interface Failing {
  kind: string
  /** Failures of this kind since it last worked. */
  count: number
  /** The last one's description (a code or an HTTP status, never a path or a secret). */
  last: string
  sinceMs: number
}

export class FailureLog {
  private readonly kinds = new Map<string, Failing & { loggedAt: number; unlogged: number }>()
  private readonly notes = new Map<string, { loggedAt: number; unlogged: number }>()

  constructor(
    /** Failures are warnings; recoveries `info`; notes at the level given. */
    private readonly log: (line: string, level?: LogLevelOf) => void,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 60_000
  ) {}

  /**
   * One more failure of `kind`. `line(count, sinceLast)` words it: `count` failures since
   * it last worked, `sinceLast` of them since the previous line (1 for the first).
   */
  failed(kind: string, last: string, line: (count: number, sinceLast: number) => string): void {
    const now = this.now()
    const known = this.kinds.get(kind)
    if (!known) {
      this.kinds.set(kind, { kind, count: 1, last, sinceMs: now, loggedAt: now, unlogged: 0 })
      this.log(line(1, 1))
      return
    }
    known.count++
    known.unlogged++
    known.last = last
    if (now - known.loggedAt < this.everyMs) return
    this.log(line(known.count, known.unlogged))
    known.loggedAt = now
    known.unlogged = 0
  }

  /**
   * An event that is not a lasting failure (a record refused, corrupt bytes skipped), at
   * most one line per `everyMs` per kind: `line(sinceLast)` with how many since the last line.
   */
  note(kind: string, line: (sinceLast: number) => string, level?: LogLevelOf): void {
    const now = this.now()
    const known = this.notes.get(kind)
    if (known && now - known.loggedAt < this.everyMs) {
      known.unlogged++
      return
    }
    this.log(line((known?.unlogged ?? 0) + 1), level)
    this.notes.set(kind, { loggedAt: now, unlogged: 0 })
  }

  /** `kind` works again: one line, if it was failing. */
  recovered(kind: string, line: (count: number) => string): void {
    const known = this.kinds.get(kind)
    if (!known) return
    this.kinds.delete(kind)
    this.log(line(known.count), 'info')
  }

  isFailing(kind: string): boolean {
    return this.kinds.has(kind)
  }

  /** What fails now, oldest first. */
  failing(): Failing[] {
    return [...this.kinds.values()].map(({ kind, count, last, sinceMs }) => ({ kind, count, last, sinceMs }))
  }
}
