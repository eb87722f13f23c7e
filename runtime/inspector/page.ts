// The inspector page (docs/inspector.md) as `npm run build` leaves it (scripts/build-inspector.ts):
// one HTML document with its style and script inline, so it works offline and needs no
// other route, and beside it the Content-Security-Policy that allows exactly that style and
// that script (by hash), connections to the relay itself and nothing else. The relay runs
// from dist/ without esbuild: it reads the two files once, at startup.

import { readFileSync } from 'fs'
import { join } from 'path'

/** Where the build writes the page and `{csp}`, under dist/. */
export const PAGE_FILES = { html: 'inspector/page.html', policy: 'inspector/page.json' } as const

/** The page's headers beside its Content-Security-Policy. */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  Vary: 'Accept'
}

export interface BuiltPage {
  html: string
  headers: Readonly<Record<string, string>>
}

/** The built page under `projectRoot` (PROJECT_ROOT), or why there is none. */
export function loadPage(projectRoot: string): BuiltPage | { notBuilt: string } {
  const read = (file: string): string => readFileSync(join(projectRoot, 'dist', file), 'utf8')
  let file: string = PAGE_FILES.html
  try {
    const html = read(file)
    file = PAGE_FILES.policy
    const { csp } = JSON.parse(read(file)) as { csp?: unknown }
    if (typeof csp !== 'string') throw new Error('it has no csp')
    return { html, headers: { 'Content-Security-Policy': csp, ...PAGE_HEADERS } }
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    const problem = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? message})`
    return { notBuilt: `dist/${file} ${problem}: run \`npm run build\`` }
  }
}
