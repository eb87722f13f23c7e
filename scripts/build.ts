/**
 * `npm run build` (design §2, 4.2, 5.4): bundles each Segment function into the one script
 * Segment's function editor takes, and writes its settings for the Segment UI:
 * `dist/sources/launchdarkly.js` + `.settings.json` (the source function) and
 * `dist/destinations/launchdarkly-events.js` + `.settings.json` (the destination function);
 * and the tracking plan of the export schema, `dist/tracking-plan.json`.
 *
 * Each bundle is an IIFE assigned to a global, plus a footer declaring the top-level
 * `async function` handlers Segment calls. Platform "neutral" makes an import of a Node
 * built-in fail the build instead of reaching Segment; the checks below catch whatever else
 * would not run there. The syntax level is that of the oldest Node.js Segment may still run
 * a function on.
 *
 * package.json declares `"sideEffects": false` (shared/ and the adapters bundled here do
 * nothing when loaded), so a bundle leaves out every module it never calls: the
 * destination function carries no LaunchDarkly → Segment reader.
 *
 * esbuild writes the bundle as an ES module and the IIFE is built around it here: its own
 * IIFE with a global name gives the handlers to the global through a module namespace
 * object, and the helpers that make one cost about 470 bytes of every function.
 *
 * It also builds the inspector's page (scripts/build-inspector.ts).
 */
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import * as vm from 'node:vm'
import { build } from 'esbuild'
import { SETTING_DECLARATIONS as DESTINATION_SETTINGS } from '../destinations/launchdarkly-events-function/settings-text'
import { OLDEST_FUNCTIONS_NODE, trackingPlan } from '../shared'
import type { SettingDeclaration } from '../shared'
import { SETTING_DECLARATIONS as SOURCE_SETTINGS } from '../sources/launchdarkly/settings-text'
import { buildInspectorPage } from './build-inspector'
import { BuildError, esbuildFailed, writeAtomically } from './build-output'

export { BuildError }

const ROOT = path.resolve(__dirname, '..')
/** design §8: a built function is at most 40 KB (counted here as 40,000 bytes, the stricter reading). */
export const MAX_BUILT_BYTES = 40_000
/** esbuild's target: the syntax every Node.js that runs functions understands. */
export const ESBUILD_TARGET = `node${OLDEST_FUNCTIONS_NODE}`
/** The ECMAScript edition that Node.js ${OLDEST_FUNCTIONS_NODE} parses in full. */
export const ECMASCRIPT_VERSION = 2022

export interface FunctionBuild {
  /** What the banner calls it. */
  readonly title: string
  readonly kind: 'source' | 'destination'
  readonly entry: string
  readonly globalName: string
  /** Top-level handlers, with their parameter names, in the order the footer declares them. */
  readonly handlers: ReadonlyArray<readonly [name: string, parameters: string]>
  /** Under dist/, without the extension. */
  readonly output: string
  readonly settings: readonly SettingDeclaration[]
  /** Where to paste it in Segment. */
  readonly paste: string
  /**
   * What it may weigh (issue 22), well inside MAX_BUILT_BYTES: Segment's editor shows the
   * file as it is, and every byte is sent with each deployment. The build tests hold it.
   */
  readonly budgetBytes: number
  /**
   * Property names that only the bundle's own objects carry (never a Segment message, a
   * summary, settings, an event or an API answer, nor a key built from data): minified like
   * local names (esbuild's mangleProps, quoted ones and `in` tests included). A name here
   * must not also be read or written as data; the build test checks that none is left in
   * the bundle.
   */
  readonly internalProperties: readonly string[]
}

export const SOURCE_FUNCTION: FunctionBuild = {
  title: 'LaunchDarkly Events Source',
  kind: 'source',
  entry: path.join(ROOT, 'sources', 'launchdarkly', 'index.ts'),
  globalName: 'LaunchDarklySource',
  handlers: [['onRequest', 'request, settings']],
  output: path.join('sources', 'launchdarkly'),
  settings: SOURCE_SETTINGS,
  paste: 'Connections → Catalog → Functions → New Function → Source',
  budgetBytes: 34_000,
  internalProperties: [
    // shared/: the schema's declarations and the forward readers, read items and envelopes
    ...['kinds', 'segment', 'ld', 'rule', 'field', 'subfield', 'what', 'notAnEvent', 'rejection'],
    ...['form', 'pubsub', 'entry', 'flags', 'settings', 'storedAt'],
    // sources/launchdarkly/: lookups, API answers and errors
    ...['outcome', 'warnings', 'names', 'api', 'scope', 'segmentName', 'unavailability']
  ]
}

export const DESTINATION_FUNCTION: FunctionBuild = {
  title: 'LaunchDarkly Events Destination',
  kind: 'destination',
  entry: path.join(ROOT, 'destinations', 'launchdarkly-events-function', 'index.ts'),
  globalName: 'LaunchDarklyDestination',
  handlers: [
    ['onTrack', 'event, settings'],
    ['onPage', 'event, settings'],
    ['onIdentify', 'event, settings'],
    ['onAlias', 'event, settings'],
    ['onBatch', 'events, settings']
  ],
  output: path.join('destinations', 'launchdarkly-events'),
  settings: DESTINATION_SETTINGS,
  paste: 'Connections → Catalog → Functions → New Function → Destination',
  budgetBytes: 22_000,
  // shared/: the schema's declarations and its rules back to LaunchDarkly
  internalProperties: ['kinds', 'segment', 'ld', 'required', 'toLaunchDarkly', 'only', 'storedAt']
}

export const FUNCTIONS: readonly FunctionBuild[] = [SOURCE_FUNCTION, DESTINATION_FUNCTION]

/** The handlers Segment calls, declared at top level over the bundle's global. esbuild ends the file with a newline. */
export function footerOf(fn: FunctionBuild): string {
  return fn.handlers
    .map(
      ([name, parameters]) =>
        `async function ${name}(${parameters}) {\n  return ${fn.globalName}.${name}(${parameters})\n}`
    )
    .join('\n')
}

/** How esbuild ends an ES module: `export{a as onTrack,b as onPage};`. */
const EXPORT_CLAUSE = /export\s*\{([^}]*)\};?\s*$/

/**
 * The bundle `esm` (esbuild's ES module output) as a script: `"use strict";var <global>=(()=>{...;return{<handlers>}})();`.
 * The module's code runs in strict mode, as it did as a module.
 */
export function asIife(esm: string, fn: FunctionBuild): string {
  const clause = EXPORT_CLAUSE.exec(esm)
  if (!clause) throw new BuildError('esbuild wrote no export clause at the end of the bundle')
  const handlers = clause[1]
    .split(',')
    .map((specifier) => specifier.trim().split(/\s+as\s+/))
    .map(([local, exported = local]) => `${exported}:${local}`)
  return `"use strict";var ${fn.globalName}=(()=>{${esm.slice(0, clause.index)}return{${handlers.join(',')}}})();`
}

/** What must not appear in the built script: Segment's runtime has none of it. */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/\brequire\s*\(/, 'require('],
  [/\bimport\s*\(/, 'import('],
  [/^\s*import[\s{*'"]/m, 'a top-level import'],
  [/^\s*export[\s{*]/m, 'a top-level export'],
  [/\bprocess\./, 'process.'],
  [/\bBuffer\b/, 'Buffer']
]

export interface BuildOptions {
  /** Default: `<project root>/dist`. */
  distDir?: string
}

export interface BuildResult {
  codePath: string
  settingsPath: string
  /** Size of the built script in bytes. */
  bytes: number
}

/** Why `code` cannot be pasted into Segment as `fn`; empty when it can. */
export function problemsOf(code: string, fn: FunctionBuild = SOURCE_FUNCTION): string[] {
  const problems = FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => `it contains ${what}`)
  const bytes = Buffer.byteLength(code, 'utf8')
  if (bytes > MAX_BUILT_BYTES) problems.push(`it is ${bytes} bytes, over the limit of ${MAX_BUILT_BYTES}`)
  try {
    new vm.Script(code, { filename: `${path.basename(fn.output)}.js` })
  } catch (error) {
    problems.push(`it does not compile: ${(error as Error).message}`)
  }
  for (const [name, parameters] of fn.handlers) {
    if (!new RegExp(`^async function ${name}\\(${parameters}\\) \\{`, 'm').test(code))
      problems.push(`it has no top-level async function ${name}(${parameters})`)
  }
  return problems
}

export async function buildFunction(fn: FunctionBuild, options: BuildOptions = {}): Promise<BuildResult> {
  const distDir = options.distDir ?? path.join(ROOT, 'dist')
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }
  const banner =
    `// ${fn.title}: a Segment ${fn.kind} function (${pkg.name} ${pkg.version}).\n` +
    `// Built from ${path.relative(
      ROOT,
      path.dirname(fn.entry)
    )} by \`npm run build\`: edit the TypeScript, not this file.\n` +
    `// Paste it into Segment (${fn.paste}) or run \`npm run deploy\`.`

  const result = await build({
    entryPoints: [fn.entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: ESBUILD_TARGET,
    // Fully minified: design §8 bounds the file, and Segment's editor shows it as it is.
    minify: true,
    mangleProps: new RegExp(`^(${fn.internalProperties.join('|')})$`),
    mangleQuoted: true,
    legalComments: 'none',
    charset: 'ascii',
    logLevel: 'silent'
  }).catch(esbuildFailed)
  const code = `${banner}\n${asIife(result.outputFiles[0].text, fn)}\n${footerOf(fn)}\n`

  const problems = problemsOf(code, fn)
  if (problems.length)
    throw new BuildError(`The built ${fn.kind} function cannot run in Segment: ${problems.join('; ')}`)

  const codePath = path.join(distDir, `${fn.output}.js`)
  const settingsPath = path.join(distDir, `${fn.output}.settings.json`)
  await mkdir(path.dirname(codePath), { recursive: true })
  await writeAtomically(codePath, code)
  await writeAtomically(settingsPath, JSON.stringify(fn.settings, null, 2) + '\n')
  return { codePath, settingsPath, bytes: Buffer.byteLength(code, 'utf8') }
}

export function buildSource(options: BuildOptions = {}): Promise<BuildResult> {
  return buildFunction(SOURCE_FUNCTION, options)
}

export function buildDestinationFunction(options: BuildOptions = {}): Promise<BuildResult> {
  return buildFunction(DESTINATION_FUNCTION, options)
}

/** Where the build writes the tracking plan (shared/tracking-plan.ts), under dist/. */
export const TRACKING_PLAN_FILE = 'tracking-plan.json'

/** Writes the tracking plan derived from the export schema; resolves to its path. */
export async function buildTrackingPlan(options: BuildOptions = {}): Promise<string> {
  const distDir = options.distDir ?? path.join(ROOT, 'dist')
  const file = path.join(distDir, TRACKING_PLAN_FILE)
  await mkdir(distDir, { recursive: true })
  await writeAtomically(file, JSON.stringify(trackingPlan(), null, 2) + '\n')
  return file
}

if (require.main === module) {
  Promise.all([Promise.all(FUNCTIONS.map((fn) => buildFunction(fn))), buildInspectorPage(), buildTrackingPlan()]).then(
    ([results, page, plan]) => {
      const rel = (file: string): string => path.relative(process.cwd(), file)
      for (const result of results)
        console.log(`built ${rel(result.codePath)} (${result.bytes} bytes) and ${rel(result.settingsPath)}`)
      console.log(`built ${rel(page.htmlPath)} (${page.bytes} bytes) and ${rel(page.policyPath)}`)
      console.log(`built ${rel(plan)} (the tracking plan, one rule per exported event)`)
    },
    (error: unknown) => {
      console.error(error instanceof BuildError ? error.message : error)
      process.exitCode = 1
    }
  )
}
