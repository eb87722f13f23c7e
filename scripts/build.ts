/**
 * `npm run build` (design §2, 4.2): bundles the source function into the one script that
 * Segment's function editor takes, `dist/sources/launchdarkly.js`, and writes its
 * settings for the Segment UI, `dist/sources/launchdarkly.settings.json`.
 *
 * The bundle is an IIFE assigned to a global, plus a footer declaring the top-level
 * `async function onRequest(request, settings)` Segment calls. Platform "neutral" makes
 * an import of a Node built-in fail the build instead of reaching Segment; the checks
 * below catch whatever else would not run there.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as vm from 'node:vm'
import { build } from 'esbuild'
import { SETTING_DECLARATIONS } from '../sources/launchdarkly/settings-text'

const ROOT = path.resolve(__dirname, '..')
const ENTRY = path.join(ROOT, 'sources', 'launchdarkly', 'index.ts')
export const GLOBAL_NAME = 'LaunchDarklySource'
/** design §8: the built function is at most 40 KB (counted here as 40,000 bytes, the stricter reading). */
export const MAX_BUILT_BYTES = 40_000

// esbuild ends the file with a newline after the footer.
const FOOTER = `async function onRequest(request, settings) {\n  return ${GLOBAL_NAME}.onRequest(request, settings)\n}`

/** What must not appear in the built script: Segment's runtime has none of it. */
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/\brequire\s*\(/, 'require('],
  [/\bimport\s*\(/, 'import('],
  [/^\s*import[\s{*'"]/m, 'a top-level import'],
  [/^\s*export[\s{*]/m, 'a top-level export'],
  [/\bprocess\./, 'process.'],
  [/\bBuffer\b/, 'Buffer']
]

export class BuildError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BuildError'
  }
}

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

/** Why `code` cannot be pasted into Segment as the function, or undefined when it can. */
export function problemsOf(code: string): string[] {
  const problems = FORBIDDEN.filter(([pattern]) => pattern.test(code)).map(([, what]) => `it contains ${what}`)
  const bytes = Buffer.byteLength(code, 'utf8')
  if (bytes > MAX_BUILT_BYTES) problems.push(`it is ${bytes} bytes, over the limit of ${MAX_BUILT_BYTES}`)
  try {
    new vm.Script(code, { filename: 'launchdarkly.js' })
  } catch (error) {
    problems.push(`it does not compile: ${(error as Error).message}`)
  }
  if (!/^async function onRequest\(request, settings\) \{/m.test(code))
    problems.push('it has no top-level async function onRequest(request, settings)')
  return problems
}

export async function buildSource(options: BuildOptions = {}): Promise<BuildResult> {
  const distDir = options.distDir ?? path.join(ROOT, 'dist')
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string }
  const banner =
    `// LaunchDarkly Events Source: a Segment source function (${pkg.name} ${pkg.version}).\n` +
    `// Built from sources/launchdarkly by \`npm run build\`: edit the TypeScript, not this file.\n` +
    `// Paste it into Segment (Connections → Catalog → Functions → New Function → Source) or run \`npm run deploy\`.`

  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: GLOBAL_NAME,
    platform: 'neutral',
    target: 'es2022',
    // Fully minified: unminified, the schema's labels and descriptions (which shared/
    // keeps beside the mapping rules) and the code take over 50 KB; this is about 35 KB.
    minify: true,
    legalComments: 'none',
    charset: 'ascii',
    banner: { js: banner },
    footer: { js: FOOTER },
    logLevel: 'silent'
  }).catch((error: { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }) => {
    const details = (error.errors ?? []).map((e) =>
      e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text
    )
    throw new BuildError(`esbuild failed: ${details.join('; ') || String(error)}`)
  })
  const code = result.outputFiles[0].text

  const problems = problemsOf(code)
  if (problems.length) throw new BuildError(`The built source function cannot run in Segment: ${problems.join('; ')}`)

  const outDir = path.join(distDir, 'sources')
  await mkdir(outDir, { recursive: true })
  const codePath = path.join(outDir, 'launchdarkly.js')
  const settingsPath = path.join(outDir, 'launchdarkly.settings.json')
  await writeAtomically(codePath, code)
  await writeAtomically(settingsPath, JSON.stringify(SETTING_DECLARATIONS, null, 2) + '\n')
  return { codePath, settingsPath, bytes: Buffer.byteLength(code, 'utf8') }
}

/** Test workers may build at the same time; none of them must read a half-written file. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, file)
}

if (require.main === module) {
  buildSource().then(
    (result) => {
      const rel = (file: string): string => path.relative(process.cwd(), file)
      console.log(`built ${rel(result.codePath)} (${result.bytes} bytes) and ${rel(result.settingsPath)}`)
    },
    (error: unknown) => {
      console.error(error instanceof BuildError ? error.message : error)
      process.exitCode = 1
    }
  )
}
