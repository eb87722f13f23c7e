// The deployable file and its settings (design §4.1, 4.2, 8): what `npm run build` writes,
// what it refuses to write, and how the settings are read on each invocation.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildSource, MAX_BUILT_BYTES, problemsOf } from '../../../scripts/build'
import type { SettingDeclaration } from '../../../shared'
import { DEFAULT_API_BASE_URL, readSettings, secretsOf } from '../../../sources/launchdarkly/settings'
import { SETTING_DECLARATIONS } from '../../../sources/launchdarkly/settings-text'
import { warmCache } from '../../../sources/launchdarkly/warm-cache'
import { BUILT, BUILT_SETTINGS, ensureBuilt } from './helpers'

beforeAll(ensureBuilt)

describe('dist/sources/launchdarkly.js', () => {
  const code = () => readFileSync(BUILT, 'utf8')

  it('is at most 40 KB', () => {
    expect(MAX_BUILT_BYTES).toBe(40_000)
    expect(Buffer.byteLength(code())).toBeLessThanOrEqual(MAX_BUILT_BYTES)
  })

  it('uses nothing Segment lacks: no require, import, export, process or Buffer', () => {
    const text = code()
    expect(text).not.toMatch(/\brequire\s*\(/)
    expect(text).not.toMatch(/\bimport\s*\(/)
    expect(text).not.toMatch(/^\s*import[\s{*'"]/m)
    expect(text).not.toMatch(/^\s*export[\s{*]/m)
    expect(text).not.toMatch(/\bprocess\./)
    expect(text).not.toMatch(/\bBuffer\b/)
    expect(problemsOf(text)).toEqual([])
  })

  it('says what it is, and ends with the top-level onRequest Segment calls', () => {
    const text = code()
    expect(text.split('\n')[0]).toBe(
      '// LaunchDarkly Events Source: a Segment source function (launchdarkly-segment-bundle 0.1.0).'
    )
    expect(
      text.endsWith(
        'async function onRequest(request, settings) {\n  return LaunchDarklySource.onRequest(request, settings)\n}\n'
      )
    ).toBe(true)
  })

  it('leaves the settings declarations for the UI out of the bundle', () => {
    const text = code()
    expect(
      SETTING_DECLARATIONS.filter((setting) => text.includes(setting.description)).map((setting) => setting.name)
    ).toEqual([])
  })

  it('is what a fresh build writes (the build is deterministic)', async () => {
    const distDir = mkdtempSync(path.join(tmpdir(), 'ld-build-'))
    try {
      const result = await buildSource({ distDir })
      expect(result).toEqual({
        codePath: path.join(distDir, 'sources', 'launchdarkly.js'),
        settingsPath: path.join(distDir, 'sources', 'launchdarkly.settings.json'),
        bytes: Buffer.byteLength(code())
      })
      expect(readFileSync(result.codePath, 'utf8')).toBe(code())
      expect(readFileSync(result.settingsPath, 'utf8')).toBe(readFileSync(BUILT_SETTINGS, 'utf8'))
    } finally {
      rmSync(distDir, { recursive: true, force: true })
    }
  })
})

describe('the build refuses code Segment could not run', () => {
  const footer = 'async function onRequest(request, settings) {\n  return 1\n}\n'
  it.each([
    ['require', 'const fs = require("fs")\n' + footer, ['it contains require(']],
    [
      'import',
      'import fs from "fs"\n' + footer,
      ['it contains a top-level import', 'it does not compile: Cannot use import statement outside a module']
    ],
    [
      'export',
      'export const x = 1\n' + footer,
      ['it contains a top-level export', "it does not compile: Unexpected token 'export'"]
    ],
    ['process', 'const env = process.env\n' + footer, ['it contains process.']],
    ['Buffer', 'const b = Buffer.from("x")\n' + footer, ['it contains Buffer']],
    ['a syntax error', 'const x = (\n' + footer, ['it does not compile: Unexpected end of input']],
    ['no onRequest', 'function handler() {}\n', ['it has no top-level async function onRequest(request, settings)']],
    [
      'over 40 KB',
      `// ${'x'.repeat(MAX_BUILT_BYTES)}\n` + footer,
      [`it is ${MAX_BUILT_BYTES + 4 + footer.length} bytes, over the limit of ${MAX_BUILT_BYTES}`]
    ]
  ])('%s', (_what, code, problems) => {
    expect(problemsOf(code)).toEqual(problems)
  })
})

describe('dist/sources/launchdarkly.settings.json', () => {
  it('declares each setting of design §4.1 with its type and sensitivity, labelled and described for the Segment UI', () => {
    const declared = JSON.parse(readFileSync(BUILT_SETTINGS, 'utf8')) as SettingDeclaration[]
    expect(declared).toEqual(SETTING_DECLARATIONS)
    expect(declared.map(({ name, type, required, sensitive }) => [name, type, required, sensitive])).toEqual([
      ['projectId', 'STRING', false, false],
      ['environmentId', 'STRING', false, false],
      ['projectKey', 'STRING', false, false],
      ['accessToken', 'STRING', false, true],
      ['apiBaseUrl', 'STRING', false, false],
      ['webhookSecret', 'STRING', false, true],
      ['ingestToken', 'STRING', false, true],
      ['includeCustomData', 'BOOLEAN', false, false]
    ])
    for (const setting of declared) {
      expect(Object.keys(setting)).toEqual(['name', 'label', 'description', 'type', 'required', 'sensitive'])
      expect(setting.label.length).toBeGreaterThan(5)
      expect(setting.description.length).toBeGreaterThan(40)
    }
    expect(declared.find((s) => s.name === 'apiBaseUrl')?.description).toContain(DEFAULT_API_BASE_URL)
  })
})

describe('reading the settings of an invocation', () => {
  it('trims strings, drops empty ones, defaults the API base URL and reads booleans', () => {
    expect(
      readSettings({
        projectId: ' p ',
        environmentId: '',
        projectKey: '   ',
        accessToken: '\ttok\n',
        apiBaseUrl: ' https://app.eu.launchdarkly.com// ',
        includeCustomData: 'True'
      })
    ).toEqual({
      projectId: 'p',
      accessToken: 'tok',
      apiBaseUrl: 'https://app.eu.launchdarkly.com',
      includeCustomData: true
    })
    expect(readSettings({})).toEqual({ apiBaseUrl: 'https://app.launchdarkly.com', includeCustomData: false })
    expect(readSettings(undefined)).toEqual({ apiBaseUrl: 'https://app.launchdarkly.com', includeCustomData: false })
    expect(readSettings({ apiBaseUrl: '/', includeCustomData: 'yes', projectId: 42 })).toEqual({
      projectId: '42',
      apiBaseUrl: 'https://app.launchdarkly.com',
      includeCustomData: false
    })
  })

  it('lists the secrets to keep out of messages', () => {
    expect(
      secretsOf(readSettings({ accessToken: ' a ', webhookSecret: '', ingestToken: 'c', projectId: 'p' }))
    ).toEqual(['a', 'c'])
  })
})

describe("the warm cache without Segment's cache.load", () => {
  it('shares a load, keeps its value for the TTL and forgets failures', async () => {
    let now = 0
    const cache = warmCache(() => now)
    let loads = 0
    const load = async () => ++loads
    expect(await Promise.all([cache.load('k', 100, load), cache.load('k', 100, load)])).toEqual([1, 1])
    now = 99
    expect(await cache.load('k', 100, load)).toBe(1)
    now = 100
    expect(await cache.load('k', 100, load)).toBe(2)
    await expect(cache.load('bad', 100, async () => Promise.reject(new Error('down')))).rejects.toThrow('down')
    expect(await cache.load('bad', 100, async () => 'up')).toBe('up')
  })
})
