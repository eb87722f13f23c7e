// Node's fetch in the shape the source function's code takes (segment-functions/globals.ts' Fetch), for
// the scripts that run that code outside Segment.

import type { Fetch } from '../segment-functions/globals'

export const nodeFetch: Fetch = (url, init) =>
  fetch(url, { method: init?.method, headers: init?.headers, signal: init?.signal as AbortSignal | undefined })
