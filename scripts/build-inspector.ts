// The inspector's page (docs/inspector.md), built by `npm run build`: the script
// (runtime/inspector/page/main.ts and what it imports) bundled by esbuild into one IIFE for
// the browser, the style (page/style.css and what it imports) bundled likewise, both
// inlined into page/page.html; and the Content-Security-Policy that allows exactly that
// script and that style, by hash. The relay reads the two files it writes at startup
// (runtime/inspector/page.ts): it runs from dist/ without esbuild.

import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { build, BuildOptions as EsbuildOptions } from 'esbuild'
import { PAGE_FILES } from '../runtime'
import { BuildError, esbuildFailed, writeAtomically } from './build-output'

const ROOT = path.resolve(__dirname, '..')
export const PAGE_SOURCE = path.join(ROOT, 'runtime', 'inspector', 'page')
/** The browsers the page is for: every current one (the syntax of ES2020). */
const PAGE_TARGET = 'es2020'

export interface PageBuildResult {
  htmlPath: string
  policyPath: string
  /** Size of the page in bytes. */
  bytes: number
  /** The files bundled into the script, relative to the project root. */
  scriptInputs: string[]
}

/** `'sha256-…'`, as a CSP source names an inline script or style. */
const hashSource = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

/** The page's own style and script, the relay for its stream, and nothing else. */
function policyOf(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${hashSource(script)}`,
    `style-src ${hashSource(style)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}

async function bundle(
  file: string,
  options: Pick<EsbuildOptions, 'format' | 'platform' | 'tsconfig'>
): Promise<{ text: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [file],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    target: PAGE_TARGET,
    // Readable: a user reading the page in the browser's tools sees the modules' names and code.
    minify: false,
    legalComments: 'none',
    charset: 'ascii',
    metafile: true,
    logLevel: 'silent',
    ...options
  }).catch(esbuildFailed)
  return { text: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) }
}

/** The script: a strict IIFE of the page's own files only (from the relay's files it takes types). */
async function script(source: string): Promise<{ text: string; inputs: string[] }> {
  const built = await bundle(path.join(source, 'main.ts'), {
    format: 'iife',
    platform: 'browser',
    // Its alwaysStrict (of strict) has esbuild begin the script with "use strict".
    tsconfig: path.join(source, 'tsconfig.json')
  })
  // esbuild names its inputs relative to absWorkingDir, with `/`.
  const own = path.relative(ROOT, source).split(path.sep).join('/') + '/'
  const foreign = built.inputs.filter((input) => !input.startsWith(own))
  if (foreign.length)
    throw new BuildError(
      `The inspector's script bundles ${foreign.join(', ')}: import only types from outside ${own} (import type)`
    )
  return built
}

/** page.html with `<style></style>` and `<script></script>` filled in (each once). */
function inlined(template: string, style: string, code: string): string {
  const fill = (html: string, tag: string, text: string): string => {
    const empty = `<${tag}></${tag}>`
    if (html.split(empty).length !== 2) throw new BuildError(`page.html must hold ${empty} exactly once`)
    // The text would end the element where it says `</tag`.
    if (text.toLowerCase().includes(`</${tag}`)) throw new BuildError(`The inspector's ${tag} contains </${tag}`)
    return html.replace(empty, () => `<${tag}>${text}</${tag}>`)
  }
  return fill(fill(template, 'style', style), 'script', code)
}

export interface PageBuildOptions {
  /** Default: `<project root>/dist`. */
  distDir?: string
  /** Default: PAGE_SOURCE. */
  sourceDir?: string
}

export async function buildInspectorPage(options: PageBuildOptions = {}): Promise<PageBuildResult> {
  const distDir = options.distDir ?? path.join(ROOT, 'dist')
  const source = options.sourceDir ?? PAGE_SOURCE
  const [code, style, template] = await Promise.all([
    script(source),
    bundle(path.join(source, 'style.css'), {}),
    readFile(path.join(source, 'page.html'), 'utf8')
  ])
  const html = inlined(template, style.text, code.text)
  const htmlPath = path.join(distDir, PAGE_FILES.html)
  const policyPath = path.join(distDir, PAGE_FILES.policy)
  await mkdir(path.dirname(htmlPath), { recursive: true })
  await writeAtomically(htmlPath, html)
  await writeAtomically(policyPath, JSON.stringify({ csp: policyOf(code.text, style.text) }, null, 2) + '\n')
  return { htmlPath, policyPath, bytes: Buffer.byteLength(html, 'utf8'), scriptInputs: code.inputs }
}
