// deploy/systemd/ (docs/operations.md "Without containers"): the unit starts the compiled
// relay with variables it reads, each credential through its <NAME>_FILE, and gives the
// stop the time the relay may take.

import { existsSync, readFileSync } from 'fs'
import { join } from 'path'
import { configFromEnv } from '../../runtime/config/parse'
import { startupRefusal } from '../../runtime/config/report'
import { fileVariableOf, VARIABLES } from '../../runtime/config/variables'
import { STOP_BUDGET_MS } from '../../runtime/relay'

const DIR = join(__dirname, '..', '..', 'deploy', 'systemd')
const unit = readFileSync(join(DIR, 'ld-segment-relay.service'), 'utf8')
const directives = (name: string): string[] =>
  [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((match) => match[1])
/** `NAME=value` lines as a map. */
const assignments = (lines: string[]): Record<string, string> =>
  Object.fromEntries(
    lines.map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  )
const environment = assignments(directives('Environment'))
const example = assignments(
  readFileSync(join(DIR, 'relay.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
)

test('it runs the compiled relay, as the image does', () => {
  expect(directives('ExecStart')).toEqual(['/usr/bin/node /opt/ld-segment-relay/dist/runtime/server.js'])
  expect(existsSync(join(__dirname, '..', '..', 'dist', 'runtime', 'server.js'))).toBe(true)
  expect(directives('KillSignal')).toEqual(['SIGTERM'])
})

test('every variable it and the example set is one the relay reads; each credential comes through its _FILE', () => {
  const known = new Set(VARIABLES.flatMap((v) => [v.name, fileVariableOf(v)]).filter(Boolean))
  expect([...Object.keys(environment), ...Object.keys(example)].filter((name) => !known.has(name))).toEqual([])
  const credentials = directives('LoadCredential').map((line) => line.split(':')[0])
  expect(credentials.length).toBeGreaterThan(0)
  for (const name of credentials) expect(environment[`${name}_FILE`]).toBe(`%d/${name}`)
  const config = configFromEnv({ ...example, ...environment }, '/opt/ld-segment-relay', () => 'a-secret-value')
  expect(startupRefusal(config)).toBeUndefined()
  expect(config.sink).toBe('segment')
})

test("TimeoutStopSec covers LD_DRAIN_SECONDS and the relay's own stop", () => {
  const drain = Number(example.LD_DRAIN_SECONDS ?? environment.LD_DRAIN_SECONDS ?? 0)
  const budget = (STOP_BUDGET_MS.inflight + STOP_BUDGET_MS.forwards + STOP_BUDGET_MS.outboxFlush) / 1000
  expect(Number(directives('TimeoutStopSec')[0])).toBeGreaterThanOrEqual(drain + budget)
})
