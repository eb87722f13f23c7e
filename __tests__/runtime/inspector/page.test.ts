// The inspector page as the build makes it (docs/inspector.md, Code and tests): the page
// `npm run build` wrote under dist/ carries the policy that allows exactly its inline
// script and style; the script is the page's own modules only, and builds no markup; a
// relay without the built page answers the page alone with 503 NotBuilt.

import { createHash } from 'crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { createServer, get, Server } from 'http'
import { AddressInfo } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import { Authenticator } from '../../../runtime/http/auth'
import { Inspector } from '../../../runtime/inspector'
import { PAGE_FILES } from '../../../runtime/inspector/page'
import { targetOf } from '../../../runtime/http/routes'
import { PROJECT_ROOT } from '../../../runtime/startup'
import { buildInspectorPage, PAGE_SOURCE } from '../../../scripts/build-inspector'
import { BuildError } from '../../../scripts/build'
import { rawRequest } from '../helpers'

const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8'
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`
const built = (file: string) => readFileSync(join(PROJECT_ROOT, 'dist', file), 'utf8')
const inline = (html: string, tag: string) =>
  [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1])

const folders: string[] = []
const temporary = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ld-inspector-page-'))
  folders.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true })
})

describe('the built page (dist/inspector)', () => {
  const html = built(PAGE_FILES.html)
  const { csp } = JSON.parse(built(PAGE_FILES.policy)) as { csp: string }
  const scripts = inline(html, 'script')
  const styles = inline(html, 'style')

  test('its policy allows exactly its one inline script and its one inline style, by hash', () => {
    expect([scripts.length, styles.length]).toEqual([1, 1])
    const directives = csp.split('; ')
    expect(directives.filter((d) => d.startsWith('script-src'))).toEqual([`script-src ${sha256(scripts[0])}`])
    expect(directives.filter((d) => d.startsWith('style-src'))).toEqual([`style-src ${sha256(styles[0])}`])
    expect(directives[0]).toBe("default-src 'none'")
  })

  test('its script builds no markup from strings and evaluates no code', () => {
    expect(scripts[0]).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\b|new Function/)
    // The page's modules, bundled into one strict IIFE for the browser.
    expect(scripts[0]).toMatch(/^"use strict";\n\(\(\) => \{\n/)
    expect(scripts[0]).not.toMatch(/\brequire\(|\bprocess\.|\bexports\b/)
  })

  test('building again gives the same page and policy, from the page folder only (types from the relay are dropped)', async () => {
    const dist = temporary()
    const result = await buildInspectorPage({ distDir: dist })
    expect(readFileSync(result.htmlPath, 'utf8')).toBe(html)
    expect(JSON.parse(readFileSync(result.policyPath, 'utf8'))).toEqual({ csp })
    // main.ts imports types from ../view.ts and ../hub.ts: neither is bundled.
    const page = 'runtime/inspector/page/'
    expect(result.scriptInputs.filter((input) => !input.startsWith(page))).toEqual([])
    expect(result.scriptInputs).toEqual(expect.arrayContaining([`${page}main.ts`, `${page}card.ts`]))
    expect(scripts[0]).not.toMatch(/RECORD_TEXT_CHARS|redactStrings|randomBytes/)
  })
})

test('a page script that imports a value from the relay does not build', async () => {
  const source = temporary()
  for (const file of ['page.html', 'style.css', 'tsconfig.json'])
    writeFileSync(join(source, file), readFileSync(join(PAGE_SOURCE, file)))
  mkdirSync(join(source, 'style'))
  for (const file of ['base.css', 'cards.css', 'items.css'])
    writeFileSync(join(source, 'style', file), readFileSync(join(PAGE_SOURCE, 'style', file)))
  const kinds = join(PROJECT_ROOT, 'shared', 'kinds')
  writeFileSync(join(source, 'main.ts'), `import * as kinds from ${JSON.stringify(kinds)}\nconsole.log(kinds)\n`)
  const building = buildInspectorPage({ distDir: temporary(), sourceDir: source })
  await expect(building).rejects.toThrow(BuildError)
  await expect(building).rejects.toThrow(
    /^The inspector's script bundles shared\/kinds\.ts: import only types from outside /
  )
})

describe('without the built page', () => {
  let server: Server | undefined
  afterEach(() => {
    server?.closeAllConnections()
    return new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  })

  /** An inspector reading its page from `root`, behind a server answering 404 for anything else. */
  async function inspectorAt(root: string) {
    const logs: string[] = []
    const inspector = new Inspector({
      secrets: [],
      warnings: [],
      host: '127.0.0.1',
      auth: new Authenticator([], []),
      log: (line) => logs.push(line),
      projectRoot: root
    })
    server = createServer((req, res) => {
      if (!inspector.serves(req, targetOf(req.url), res)) res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { url, logs }
  }

  test('the relay starts; the page answers 503 NotBuilt naming `npm run build`, and says so in the log', async () => {
    const { url, logs } = await inspectorAt(temporary())
    const message = 'dist/inspector/page.html is missing: run `npm run build`'
    expect(logs).toEqual([`inspector: ${message} (the page answers 503 NotBuilt)`])
    const res = await rawRequest(url, 'GET', '/', { Accept: BROWSER })
    expect([res.status, res.headers['content-type'], JSON.parse(res.body)]).toEqual([
      503,
      'application/json',
      { error: 'NotBuilt', message }
    ])
    expect(res.headers['cache-control']).toBe('no-store')
    expect(logs[1]).toBe(`inspector: GET / 503 NotBuilt: ${message}`)
    // Who may watch is decided first, as with the page built.
    const rebound = await rawRequest(url, 'GET', '/', { Accept: BROWSER, Host: 'rebound.example' })
    expect([rebound.status, JSON.parse(rebound.body).error]).toEqual([400, 'InvalidHost'])
    // The stream does not need the page.
    const stream = await new Promise<{ status?: number; type?: string }>((resolve, reject) => {
      const req = get(`${url}/inspector/stream`, { headers: { Accept: 'text/event-stream' } }, (answer) => {
        resolve({ status: answer.statusCode, type: answer.headers['content-type'] })
        req.destroy()
      })
      req.on('error', reject)
    })
    expect(stream).toEqual({ status: 200, type: 'text/event-stream; charset=utf-8' })
  })

  test('a policy file that is not the build’s is named', async () => {
    const root = temporary()
    mkdirSync(join(root, 'dist', 'inspector'), { recursive: true })
    writeFileSync(join(root, 'dist', PAGE_FILES.html), '<!doctype html>')
    writeFileSync(join(root, 'dist', PAGE_FILES.policy), '{"csp": 1}')
    const { url } = await inspectorAt(root)
    const res = await rawRequest(url, 'GET', '/', { Accept: BROWSER })
    expect([res.status, JSON.parse(res.body)]).toEqual([
      503,
      { error: 'NotBuilt', message: 'dist/inspector/page.json cannot be read (it has no csp): run `npm run build`' }
    ])
  })
})
