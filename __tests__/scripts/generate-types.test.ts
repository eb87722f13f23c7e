// generated-types.ts files are committed, as in action-destinations; this fails when one
// no longer matches the fields (fix: npm run generate-types). The comparison runs in a
// child process: json-schema-to-typescript's Prettier cannot load inside jest's VM.

import { execFileSync } from 'child_process'
import { readFileSync } from 'fs'
import { join } from 'path'

const ROOT = join(__dirname, '..', '..')
const DESTINATION = join(ROOT, 'destinations', 'launchdarkly-events')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')

function check(): { ok: boolean; output: string } {
  try {
    const output = execFileSync(TSX, ['scripts/generate-types.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe'
    })
    return { ok: true, output }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string }
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` }
  }
}

test('every committed generated-types.ts is current', () => {
  expect(check()).toEqual({ ok: true, output: 'every generated-types.ts is current\n' })
}, 30_000)

test('the flag value is JSON text in a string field; context keys an object; the banner', () => {
  const feature = readFileSync(join(DESTINATION, 'sendFeatureEvent', 'generated-types.ts'), 'utf8')
  expect(feature.startsWith('// Generated file. DO NOT MODIFY IT BY HAND.\n')).toBe(true)
  expect(feature).toContain('  value?: string\n')
  expect(feature).toContain('  contextKeys: {\n    [k: string]: unknown\n  }\n')
  // Text, not Segment's datetime (string | number): an unreadable timestamp is the time of sending.
  expect(feature).toContain('  timestamp?: string\n')
})
