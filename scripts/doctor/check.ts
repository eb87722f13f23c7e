// One line of `npm run doctor`: a check, its status, and for a failure or a warning what
// to do about it. The report (text or JSON) is written here, and only here, after every
// secret and control character is taken out.

import { redact } from '../../shared'

/** `fail` makes the exit code 1; `warn` does not; `skip`: not checked, and why. */
export type Status = 'ok' | 'warn' | 'fail' | 'skip'

export interface Check {
  /** Names the check for --json readers: `variable`, `project-id`, `access-token`... */
  readonly id: string
  readonly status: Status
  readonly message: string
  /** What to do: every failure and warning has one. */
  readonly fix?: string
}

export const ok = (id: string, message: string): Check => ({ id, status: 'ok', message })
export const skip = (id: string, message: string): Check => ({ id, status: 'skip', message })
export const warn = (id: string, message: string, fix: string): Check => ({ id, status: 'warn', message, fix })
export const fail = (id: string, message: string, fix: string): Check => ({ id, status: 'fail', message, fix })

/** A value from the environment as a check line shows it: bare when plain, else quoted (a newline stays one line). */
export function shown(value: string): string {
  return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value)
}

const TAGS: Record<Status, string> = { ok: 'ok', warn: 'warn', fail: 'FAIL', skip: 'skip' }
/** ANSI colours: green, yellow, red, dim. */
const COLOURS: Record<Status, number> = { ok: 32, warn: 33, fail: 31, skip: 2 }

export type Counts = Record<Status, number>

export function countsOf(checks: readonly Check[]): Counts {
  const counts: Counts = { ok: 0, warn: 0, fail: 0, skip: 0 }
  for (const check of checks) counts[check.status]++
  return counts
}

/** Without secrets, and on one line whatever an answer or a file held (no newline, no terminal escape). */
function cleaned(check: Check, secrets: readonly string[]): Check {
  const clean = (text: string): string => redact(text, secrets).replace(/\p{Cc}+/gu, ' ')
  return { ...check, message: clean(check.message), ...(check.fix === undefined ? {} : { fix: clean(check.fix) }) }
}

/** One line per check, then the counts. */
export function textReport(checks: readonly Check[], secrets: readonly string[], colour: boolean): string {
  const paint = (status: Status, text: string): string => (colour ? `\x1b[${COLOURS[status]}m${text}\x1b[0m` : text)
  const lines = checks.map((check) => {
    const { status, message, fix } = cleaned(check, secrets)
    return paint(status, TAGS[status].padEnd(6)) + message + (fix === undefined ? '' : ` — fix: ${fix}`)
  })
  const counts = countsOf(checks)
  const figures = `${counts.fail} failed, ${counts.warn} ${counts.warn === 1 ? 'warning' : 'warnings'}, ${
    counts.ok
  } ok, ${counts.skip} skipped`
  lines.push(
    counts.fail > 0
      ? `${paint('fail', 'FAILED')}: ${figures}. Fix the FAIL lines, then run npm run doctor again.`
      : `${paint('ok', 'passed')}: ${figures}.`
  )
  return lines.join('\n')
}

/** One JSON line: `{"passed", "counts", "checks": [{id, status, message, fix?}]}`. */
export function jsonReport(checks: readonly Check[], secrets: readonly string[]): string {
  const counts = countsOf(checks)
  return JSON.stringify({
    passed: counts.fail === 0,
    counts,
    checks: checks.map((check) => cleaned(check, secrets))
  })
}
