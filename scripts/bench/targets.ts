// The bars the bench holds its numbers to: design §8's, and issue 14's tighter ones.

export const TARGETS = {
  /** Conversion ÷ the JSON floor on a 512 KiB delivery of feature events (design §8: 3×). */
  codecVsJsonRatio: 3,
  /** The same on the captured SDK request's exported events. */
  codecFixtureRatio: 1.7,
  /** Slowest worst-case 512 KiB body in the built function: "well inside" 5 s, read as a tenth. */
  maxBodyMs: 500,
  /** The built source function; the build itself refuses more than design §8's 40,000. */
  bundleBytes: 31_000,
  /** Requests per CPU second of the relay on /bulk ÷ those of a server that only parses and appends (issue 10). */
  runtimeVsFloorRatio: 0.5,
  /** `npm run replay` on 200,000 records to an NDJSON file, per CPU second, and its peak memory (issue 13). */
  replayEventsPerSecond: 50_000,
  replayPeakRssMb: 200
} as const
