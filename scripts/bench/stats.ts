// Small measuring helpers shared by the bench modules. Every ratio the bench reports is
// of CPU time (process.cpuUsage: user + system, all of the process's threads, so the
// garbage collector's helpers count), taken alternately with its baseline round after
// round, and summarised as the median with the min and max.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export interface Spread {
  median: number
  min: number
  max: number
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** CPU time (user + system) of the whole process while `fn` runs, in milliseconds. */
export async function cpuMs(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage()
  await fn()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

/**
 * Runs each subject once per round, in an order that rotates from round to round so that
 * drift (frequency scaling, other processes, GC debt) falls on all of them alike, and
 * returns every subject's CPU milliseconds per round (warm-up rounds left out).
 */
export async function alternate<K extends string>(
  subjects: Record<K, () => void | Promise<void>>,
  rounds: number,
  warmupRounds: number
): Promise<Record<K, number[]>> {
  const names = Object.keys(subjects) as K[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]
      const ms = await cpuMs(async () => {
        await subjects[name]()
      })
      if (round >= warmupRounds) samples[name].push(ms)
    }
  }
  return samples
}

/** Round-by-round ratios of two series taken in the same rounds. */
export function ratios(subject: readonly number[], baseline: readonly number[]): Spread {
  return spread(subject.map((ms, i) => ms / baseline[i]))
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** `median (min–max)` with the given digits and unit, for the table. */
export function showSpread(s: Spread, digits: number, unit = ''): string {
  return `${round(s.median, digits)}${unit} (${round(s.min, digits)}–${round(s.max, digits)})`
}

/** A whole number with thousands separators. */
export function n(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}
