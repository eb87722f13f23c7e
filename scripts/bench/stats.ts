// Small measuring helpers shared by the bench modules.

import { performance } from 'node:perf_hooks'

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Wall time of `fn` in milliseconds. */
export function timeMs(fn: () => void): number {
  const started = performance.now()
  fn()
  return performance.now() - started
}

/** CPU time (user + system) of the whole process while `fn` runs, in milliseconds. */
export async function cpuMs(fn: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage()
  await fn()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / 1000
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
