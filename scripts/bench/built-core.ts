// The core module as the deployed function carries it: bundled and minified by esbuild
// with the build's target (scripts/build.ts), then evaluated here. Timing shared/ through
// tsx instead would time tsx's per-file CommonJS output, where every call between modules
// goes through an export getter that the bundle does not have.

import path from 'node:path'
import { build } from 'esbuild'

type Core = typeof import('../../shared')

const ENTRY = path.join(__dirname, '..', '..', 'shared', 'index.ts')

export async function loadBuiltCore(): Promise<Core> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    logLevel: 'silent'
  })
  const module = { exports: {} as Core }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the bundle of our own sources, built just above
  new Function('module', 'exports', result.outputFiles[0].text)(module, module.exports)
  return module.exports
}
