// Variation names for a replay (design §3.6): the source function's own lookup, with
// Node's fetch and one cache for the whole run, so each flag is asked for once per run
// (a failure worth retrying excepted), however many deliveries need it.

import type { FlagRef, FunctionCache, VariationNames } from '../../shared'
import { ApiUnavailable, apiClient } from '../../sources/launchdarkly/launchdarkly-api'
import type { Fetch } from '../../segment-functions/globals'
import type { SourceSettings } from '../../sources/launchdarkly/settings'
import { lookupVariationNames } from '../../sources/launchdarkly/variation-names'
import { nodeFetch } from '../node-fetch'

export { ApiUnavailable }

/** Distinct flags and projects of one run; past this the cache starts over. */
const MAX_ENTRIES = 100_000

export type NameLookup = (flags: readonly FlagRef[]) => Promise<VariationNames | undefined>

/** Undefined without an access token: events then go out without looked-up names, as in the function. */
export function nameLookup(
  settings: SourceSettings,
  warn: (line: string) => void,
  fetchImpl: Fetch = nodeFetch
): NameLookup | undefined {
  const accessToken = settings.accessToken
  if (accessToken === undefined) return undefined
  const cache = runCache()
  const warned = new Set<string>()
  return async (flags) => {
    const lookup = await lookupVariationNames(flags, {
      settings,
      api: apiClient({ baseUrl: settings.apiBaseUrl, accessToken, fetch: fetchImpl, now: Date.now }),
      cache
    })
    for (const warning of lookup.warnings) {
      if (warned.has(warning)) continue
      warned.add(warning)
      warn(`variation names unavailable: ${warning}`)
    }
    return lookup.names
  }
}

/**
 * Keeps every answer for the run, refusals too (a token refused once stays refused until
 * the next run); only unavailability (ApiUnavailable) is forgotten, to be asked again.
 */
function runCache(): FunctionCache {
  const entries = new Map<string, Promise<unknown>>()
  return {
    load<T>(key: string, _ttlMs: number, load: () => Promise<T>): Promise<T> {
      let entry = entries.get(key)
      if (entry === undefined) {
        if (entries.size >= MAX_ENTRIES) entries.clear()
        const loading = Promise.resolve().then(load)
        entry = loading
        entries.set(key, loading)
        loading.catch((error: unknown) => {
          if (error instanceof ApiUnavailable && entries.get(key) === loading) entries.delete(key)
        })
      }
      return entry as Promise<T>
    }
  }
}
