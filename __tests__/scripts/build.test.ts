// `npm run build` for both functions (design §4.2, 5.4): each bundle parses at the syntax
// level of the oldest Node.js Segment runs functions on, stays within the size limit,
// declares its handlers at top level, and leaves its settings' UI text out.

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { runInNewContext } from 'node:vm'
import { parse } from 'acorn'
import {
  asIife,
  BuildError,
  DESTINATION_FUNCTION,
  ECMASCRIPT_VERSION,
  ESBUILD_TARGET,
  FUNCTIONS,
  MAX_BUILT_BYTES,
  problemsOf,
  SOURCE_FUNCTION
} from '../../scripts/build'
import { OLDEST_FUNCTIONS_NODE } from '../../shared'
import { ensureBuilt as ensureDestinationBuilt } from '../destinations/launchdarkly-events-function/helpers'
import { ensureBuilt as ensureSourceBuilt } from '../sources/launchdarkly/helpers'

const DIST = path.resolve(__dirname, '..', '..', 'dist')
const codeOf = (fn: (typeof FUNCTIONS)[number]) => readFileSync(path.join(DIST, `${fn.output}.js`), 'utf8')

beforeAll(async () => {
  await ensureSourceBuilt()
  await ensureDestinationBuilt()
})

test('the target is the oldest Node.js Segment may run a function on: 18, whose syntax is ES2022', () => {
  expect(OLDEST_FUNCTIONS_NODE).toBe(18)
  expect(ESBUILD_TARGET).toBe('node18')
  expect(ECMASCRIPT_VERSION).toBe(2022)
})

test('the syntax check refuses what Node.js 18 cannot parse', () => {
  // The RegExp v flag is ES2024: Node.js 20 parses it, 18 does not.
  expect(() => parse('const letters = /[\\p{L}--\\p{N}]/v', { ecmaVersion: ECMASCRIPT_VERSION })).toThrow(SyntaxError)
})

describe.each(FUNCTIONS.map((fn) => [fn.output, fn] as const))('dist/%s.js', (_output, fn) => {
  test('parses as an ES2022 script', () => {
    expect(() => parse(codeOf(fn), { ecmaVersion: ECMASCRIPT_VERSION, sourceType: 'script' })).not.toThrow()
  })

  test('is at most 40 KB, with nothing Segment lacks and its handlers at top level', () => {
    const code = codeOf(fn)
    expect(Buffer.byteLength(code)).toBeLessThanOrEqual(MAX_BUILT_BYTES)
    expect(problemsOf(code, fn)).toEqual([])
  })

  test(`stays within its budget of ${fn.budgetBytes} bytes (issue 22)`, () => {
    expect(Buffer.byteLength(codeOf(fn))).toBeLessThanOrEqual(fn.budgetBytes)
  })

  test('its internal property names are minified everywhere: none is left as a property or a quoted name', () => {
    const code = codeOf(fn)
    expect(fn.internalProperties.length).toBeGreaterThan(0)
    const left = fn.internalProperties.filter((name) =>
      new RegExp(`\\.${name}\\b|[{,]${name}:|["'\`]${name}["'\`]`).test(code)
    )
    // One left means the name is also read or written as data, where minifying it would break.
    expect(left).toEqual([])
  })

  test('its settings file is the declaration, and none of the UI text is in the bundle', () => {
    const settings = JSON.parse(readFileSync(path.join(DIST, `${fn.output}.settings.json`), 'utf8')) as unknown
    expect(settings).toEqual(fn.settings)
    const code = codeOf(fn)
    expect(fn.settings.filter((s) => code.includes(s.description)).map((s) => s.name)).toEqual([])
  })
})

test('the destination function ends with the five handlers Segment calls', () => {
  expect(
    codeOf(DESTINATION_FUNCTION).endsWith(
      [
        'async function onTrack(event, settings) {\n  return LaunchDarklyDestination.onTrack(event, settings)\n}',
        'async function onPage(event, settings) {\n  return LaunchDarklyDestination.onPage(event, settings)\n}',
        'async function onIdentify(event, settings) {\n  return LaunchDarklyDestination.onIdentify(event, settings)\n}',
        'async function onAlias(event, settings) {\n  return LaunchDarklyDestination.onAlias(event, settings)\n}',
        'async function onBatch(events, settings) {\n  return LaunchDarklyDestination.onBatch(events, settings)\n}\n'
      ].join('\n')
    )
  ).toBe(true)
  expect(problemsOf(codeOf(SOURCE_FUNCTION), DESTINATION_FUNCTION)).toEqual([
    'it has no top-level async function onTrack(event, settings)',
    'it has no top-level async function onPage(event, settings)',
    'it has no top-level async function onIdentify(event, settings)',
    'it has no top-level async function onAlias(event, settings)',
    'it has no top-level async function onBatch(events, settings)'
  ])
})

test('the destination settings for the Segment UI: exact names, types and flags', () => {
  expect(
    DESTINATION_FUNCTION.settings.map(({ name, type, required, sensitive }) => ({ name, type, required, sensitive }))
  ).toEqual([
    { name: 'clientSideId', type: 'STRING', required: true, sensitive: false },
    { name: 'eventsBaseUrl', type: 'STRING', required: false, sensitive: false },
    { name: 'sendTrackAsCustom', type: 'BOOLEAN', required: false, sensitive: false },
    { name: 'sendAliasEvents', type: 'BOOLEAN', required: false, sensitive: false }
  ])
})

test("the IIFE around esbuild's ES module: strict, its handlers returned under their exported names", () => {
  const esm = 'var n=1;function a(e){return e+n}function b(e){return a(e)}export{b as onPage,a as onTrack};\n'
  const script = asIife(esm, DESTINATION_FUNCTION)
  expect(script).toBe(
    '"use strict";var LaunchDarklyDestination=(()=>{var n=1;function a(e){return e+n}function b(e){return a(e)}return{onPage:b,onTrack:a}})();'
  )
  const global = runInNewContext(`${script}\nLaunchDarklyDestination`) as Record<string, (e: number) => number>
  expect([global.onTrack(1), global.onPage(2)]).toEqual([2, 3])
  expect(asIife('function onRequest(){}export{onRequest};', SOURCE_FUNCTION)).toBe(
    '"use strict";var LaunchDarklySource=(()=>{function onRequest(){}return{onRequest:onRequest}})();'
  )
  expect(() => asIife('var a=1;', SOURCE_FUNCTION)).toThrow(BuildError)
})
