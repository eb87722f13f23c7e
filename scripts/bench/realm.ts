// The BUILT source function (dist/sources/launchdarkly.js) in another JavaScript realm,
// against the JSON floor (`codecContextifiedRatio`, issue 22). How Segment's runtime
// loads a function is not documented; in a `vm` context made from an object
// ("contextified"), every read of a global (`Array`, `Object`, `JSON`, `Math`, ...) goes
// through a C++ interceptor, and the built function once ran at half its speed there. So
// the bundle reads globals once, when it loads, and this section holds it to that: the
// same 512 KiB feature delivery as `codecVsJsonRatio`, through the whole `onRequest`
// (settings, the conversion, each Segment call, the summary line), alternated round by
// round with JSON.parse + JSON.stringify of its text in the main realm. For comparison
// the notes give the same in a context with an ordinary global object (DONT_CONTEXTIFY,
// as the relay's sandbox makes where Node has it).

import * as nodeCrypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as vm from 'node:vm'
import { SEGMENT_CALL_TYPES } from '../../shared'
import { answerParent, inChild } from './child'
import type { Section } from './section'
import { alternate, ratios, round, showSpread, spread, Spread } from './stats'
import { TARGETS } from './targets'
import { featureEventsBody } from './worst-cases'

const BUILT = path.join(__dirname, '..', '..', 'dist', 'sources', 'launchdarkly.js')
const SETTINGS = { projectId: 'bench-project', environmentId: 'bench-environment' }
const WARMUP_ROUNDS = 5
const ROUNDS = 21
/** Deliveries per round and subject, as the codec section times: about 1 MB. */
const DELIVERIES = 2

type Realm = 'contextified' | 'ordinary'

export interface RealmResult {
  /** The built function's onRequest ÷ the JSON floor, round by round. */
  ratio: Spread
  /** Median CPU milliseconds per round. */
  functionMs: number
  jsonMs: number
}

/**
 * The built function loaded in a fresh context of the given kind, with the globals it
 * reads in Segment: Node's crypto, a Segment object and a console that keep nothing.
 */
function loadBuilt(realm: Realm): (body: string) => Promise<number> {
  const emitted = { count: 0 }
  const segment = Object.fromEntries(SEGMENT_CALL_TYPES.map((type) => [type, () => void emitted.count++]))
  const quiet = (): void => undefined
  const globals = { Segment: segment, crypto: nodeCrypto, console: { log: quiet, warn: quiet } }
  const context =
    realm === 'contextified' ? vm.createContext({ ...globals }) : vm.createContext(vm.constants.DONT_CONTEXTIFY)
  if (realm === 'ordinary') Object.assign(context, globals)
  vm.runInContext(readFileSync(BUILT, 'utf8'), context, { filename: 'launchdarkly.js' })
  // The request and the settings belong to the function's realm, as Segment's would.
  const call = vm.runInContext(
    `(body, settings) => onRequest({ headers: { get: () => null }, url: 'http://127.0.0.1/bulk', text: async () => body }, JSON.parse(settings))`,
    context
  ) as (body: string, settings: string) => Promise<unknown>
  const settings = JSON.stringify(SETTINGS)
  return async (body) => {
    emitted.count = 0
    await call(body, settings)
    return emitted.count
  }
}

async function benchRealm(realm: Realm, body: string, events: number): Promise<RealmResult> {
  const invoke = loadBuilt(realm)
  let sink = 0
  const samples = await alternate(
    {
      json: () => {
        for (let i = 0; i < DELIVERIES; i++) sink += JSON.stringify(JSON.parse(body)).length
      },
      built: async () => {
        for (let i = 0; i < DELIVERIES; i++) {
          const calls = await invoke(body)
          if (calls !== events) throw new Error(`the built function emitted ${calls} calls, expected ${events}`)
          sink += calls
        }
      }
    },
    ROUNDS,
    WARMUP_ROUNDS
  )
  if (sink === 0) throw new Error('the realm bench converted nothing')
  return {
    ratio: ratios(samples.built, samples.json),
    functionMs: spread(samples.built).median,
    jsonMs: spread(samples.json).median
  }
}

export async function benchRealms(): Promise<Record<Realm, RealmResult>> {
  const { body, events } = featureEventsBody()
  return {
    contextified: await benchRealm('contextified', body, events),
    ordinary: await benchRealm('ordinary', body, events)
  }
}

export const realmSection: Section<'codecContextifiedRatio'> = {
  keys: ['codecContextifiedRatio'],
  async run(progress) {
    progress('the built function in a contextified vm realm vs JSON: the 512 KiB feature delivery (alternated rounds)')
    const { contextified, ordinary } = await inChild<Record<Realm, RealmResult>>(__filename, [])
    const detail = (what: string, r: RealmResult): string =>
      `${what}: ${showSpread(r.ratio, 2, '×')}; median CPU per round of ${DELIVERIES} deliveries: function ${round(
        r.functionMs,
        1
      )} ms, JSON ${round(r.jsonMs, 1)} ms`
    return {
      json: { codecContextifiedRatio: round(contextified.ratio.median, 2) },
      rows: [
        {
          key: 'codecContextifiedRatio',
          measure:
            'the BUILT function (dist/sources/launchdarkly.js, onRequest) in a contextified vm realm ÷ JSON.parse + JSON.stringify, the same 512 KiB feature delivery; median (min–max) of rounds',
          value: showSpread(contextified.ratio, 2, '×'),
          bar: `≤ ${TARGETS.codecContextifiedRatio}×`,
          ok: contextified.ratio.median <= TARGETS.codecContextifiedRatio
        }
      ],
      notes: [
        detail('built function, contextified vm realm (vm.createContext({...}))', contextified),
        detail('built function, vm realm with an ordinary global (DONT_CONTEXTIFY)', ordinary)
      ]
    }
  }
}

if (require.main === module && process.argv[2] === '--child') answerParent(benchRealms)
