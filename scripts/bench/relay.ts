// The relay's throughput against a floor (`runtimeVsFloorRatio`): the relay as it runs in
// production (`node dist/runtime/server.js` at its default log level, the NDJSON sink)
// on /bulk with SDK event batches made from the captured SDK request, against a minimal
// server that parses the body, appends one line per event and syncs before it
// answers, with group commit as the relay's append log has it (floor.ts). Same load tool
// (autocannon), same connections, the two alternated round by round, each server a
// process of its own. Measured at 1, 10 and 50 connections with bodies of about 1 KiB and
// 64 KiB; the headline ratio is the one at 10 connections and 64 KiB.
//
// On a shared machine, requests per wall-clock second swing with other processes' load;
// so each round counts requests per CPU second of the server process (as the other
// benches count CPU time): with a core to itself, that is the ratio of requests per second.
// The ratio is the median over the rounds, with the extremes.

import autocannon from 'autocannon'
import { ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fixture from '../../__tests__/fixtures/node-server-sdk-bulk.json'
import { FLOOR_SERVER } from './floor'
import type { Row, Section } from './section'
import { median, n, round as roundTo } from './stats'
import { TARGETS } from './targets'

const ROUND_SECONDS = 2
const ROOT = path.join(__dirname, '..', '..')
const RELAY = path.join(ROOT, 'dist', 'runtime', 'server.js')

/** A load: connections and body size; the headline's gets more rounds. */
interface Load {
  readonly connections: number
  readonly kib: number
  readonly rounds: number
}

const HEADLINE: Load = { connections: 10, kib: 64, rounds: 7 }
const LOADS: readonly Load[] = [1, 10, 50].flatMap((connections) =>
  [1, 64].map((kib) =>
    connections === HEADLINE.connections && kib === HEADLINE.kib ? HEADLINE : { connections, kib, rounds: 3 }
  )
)

/** What one server did under one load, over its rounds. */
export interface ServerFigures {
  /** Requests per wall-clock second, over all rounds. */
  requestsPerSecond: number
  /** CPU microseconds per request of the server process (all its threads), median of the rounds. */
  cpuUsPerRequest: number
  /** Latency in milliseconds as autocannon measures it, medians of the rounds' percentiles. */
  p50Ms: number
  p99Ms: number
}

export interface LoadResult extends Load {
  /** Bytes and LaunchDarkly events of the body posted. */
  bytes: number
  events: number
  /** Median of the rounds' ratios of requests per CPU second (relay ÷ floor), with the extremes. */
  ratio: number
  minRatio: number
  maxRatio: number
  relay: ServerFigures
  floor: ServerFigures
}

export interface RelayResult {
  loads: LoadResult[]
  roundSeconds: number
}

/**
 * An SDK /bulk body of at most `bytes`: the captured request's events in their order,
 * over and over, each round of them a second later (so that no two are identical).
 */
export function sdkBody(bytes: number): { body: string; events: number } {
  const parts: string[] = []
  let size = 2
  for (let i = 0; ; i++) {
    const event = fixture.body[i % fixture.body.length]
    const later = Math.floor(i / fixture.body.length) * 1000
    // Summary events carry no creationDate.
    const text = JSON.stringify(
      event.creationDate === undefined ? event : { ...event, creationDate: event.creationDate + later }
    )
    const added = text.length + (parts.length ? 1 : 0)
    if (size + added > bytes) break
    parts.push(text)
    size += added
  }
  return { body: `[${parts.join(',')}]`, events: parts.length }
}

interface Server {
  url: string
  child: ChildProcess
}

function serve(args: string[], env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code})`)))
    let output = ''
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const url = / on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (!url) return
      child.stdout?.off('data', onData)
      // Its log lines are read and dropped, as a log collector would.
      child.stdout?.resume()
      resolve({ url, child })
    }
    child.stdout?.on('data', onData)
  })
}

/** Linux's USER_HZ: /proc counts CPU time in hundredths of a second. */
const MICROSECONDS_PER_TICK = 10_000

/** CPU time (user + system, all threads) a process has used, in clock ticks, from /proc. */
function cpuTicks(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return Number(fields[11]) + Number(fields[12])
}

interface Round {
  requests: number
  ticks: number
  p50: number
  p99: number
}

/** One round of load on a server; every answer must be a 2xx. */
async function round(server: Server, body: string, connections: number, seconds: number): Promise<Round> {
  const pid = server.child.pid as number
  const before = cpuTicks(pid)
  const result = await autocannon({
    url: `${server.url}/bulk`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds
  })
  const ticks = cpuTicks(pid) - before
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${server.url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`)
  return { requests: result['2xx'], ticks, p50: result.latency.p50, p99: result.latency.p99 }
}

function figures(rounds: readonly Round[], seconds: number): ServerFigures {
  return {
    requestsPerSecond: rounds.reduce((sum, r) => sum + r.requests, 0) / (rounds.length * seconds),
    cpuUsPerRequest: median(rounds.map((r) => (r.ticks * MICROSECONDS_PER_TICK) / r.requests)),
    p50Ms: median(rounds.map((r) => r.p50)),
    p99Ms: median(rounds.map((r) => r.p99))
  }
}

async function measure(relay: Server, floor: Server, load: Load): Promise<LoadResult> {
  const { body, events } = sdkBody(load.kib * 1024)
  // A warm-up second for each, at this load.
  await round(floor, body, load.connections, 1)
  await round(relay, body, load.connections, 1)
  const relayRounds: Round[] = []
  const floorRounds: Round[] = []
  for (let i = 0; i < load.rounds; i++) {
    floorRounds.push(await round(floor, body, load.connections, ROUND_SECONDS))
    relayRounds.push(await round(relay, body, load.connections, ROUND_SECONDS))
  }
  const ratios = relayRounds.map((r, i) => r.requests / r.ticks / (floorRounds[i].requests / floorRounds[i].ticks))
  return {
    ...load,
    bytes: Buffer.byteLength(body),
    events,
    ratio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    relay: figures(relayRounds, ROUND_SECONDS),
    floor: figures(floorRounds, ROUND_SECONDS)
  }
}

export async function benchRelay(loads: readonly Load[] = LOADS): Promise<RelayResult> {
  if (!existsSync(RELAY)) throw new Error(`${RELAY} is missing: run \`npm run build\` first`)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ld-bench-relay-'))
  const servers: ChildProcess[] = []
  try {
    const floor = await serve(['-e', FLOOR_SERVER, dataDir], {})
    servers.push(floor.child)
    const relay = await serve([RELAY], {
      PORT: '0',
      LD_SEGMENT_DATA_DIR: path.join(dataDir, 'relay'),
      LD_PROJECT_ID: 'bench-project',
      LD_ENVIRONMENT_ID: 'bench-environment'
    })
    servers.push(relay.child)
    const results: LoadResult[] = []
    for (const load of loads) results.push(await measure(relay, floor, load))
    return { loads: results, roundSeconds: ROUND_SECONDS }
  } finally {
    for (const child of servers) {
      child.removeAllListeners('exit')
      child.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
}

const at = (r: LoadResult): string => `${r.connections} conn, ${r.kib} KiB`
const show = (f: ServerFigures, events: number): string =>
  `${n(f.requestsPerSecond)} req/s, ${n(f.requestsPerSecond * events)} events/s, ${n(
    f.cpuUsPerRequest
  )} µs CPU/req, p50 ${roundTo(f.p50Ms, 1)} / p99 ${roundTo(f.p99Ms, 1)} ms`

type Key = 'runtimeVsFloorRatio' | 'relayCpuPerRequestUs' | 'relayOneConnectionCpuPerRequestUs'

export const relaySection: Section<Key> = {
  keys: ['runtimeVsFloorRatio', 'relayCpuPerRequestUs', 'relayOneConnectionCpuPerRequestUs'],
  async run(progress) {
    progress(
      'relay vs a floor server (parse, append, group fdatasync): autocannon on /bulk at 1, 10 and 50 connections, 1 and 64 KiB, alternated rounds'
    )
    const { loads, roundSeconds } = await benchRelay()
    const headline = loads.find((r) => r.connections === HEADLINE.connections && r.kib === HEADLINE.kib) as LoadResult
    const single = loads.find((r) => r.connections === 1 && r.kib === 1) as LoadResult
    const ratio = roundTo(headline.ratio, 2)
    const rows: Row[] = [
      {
        key: 'runtimeVsFloorRatio',
        measure: `relay (node dist/runtime/server.js) on /bulk ÷ a floor server that parses, appends and syncs with group commit, requests per CPU second, ${at(
          headline
        )} (${headline.events} events; median of ${headline.rounds} alternated rounds)`,
        value: `${ratio} (${roundTo(headline.minRatio, 2)}–${roundTo(headline.maxRatio, 2)})`,
        bar: `≥ ${TARGETS.runtimeVsFloorRatio}`,
        ok: headline.ratio >= TARGETS.runtimeVsFloorRatio
      },
      {
        key: 'relayCpuPerRequestUs',
        measure: `the relay's CPU per request (all its threads), ${at(headline)}; the floor's: ${n(
          headline.floor.cpuUsPerRequest
        )} µs`,
        value: `${n(headline.relay.cpuUsPerRequest)} µs`
      },
      {
        key: 'relayOneConnectionCpuPerRequestUs',
        measure: `the same at ${at(single)} (${single.events} events); the floor's: ${n(
          single.floor.cpuUsPerRequest
        )} µs`,
        value: `${n(single.relay.cpuUsPerRequest)} µs`
      }
    ]
    return {
      json: {
        runtimeVsFloorRatio: ratio,
        relayCpuPerRequestUs: Math.round(headline.relay.cpuUsPerRequest),
        relayOneConnectionCpuPerRequestUs: Math.round(single.relay.cpuUsPerRequest)
      },
      rows,
      notes: [
        `relay vs floor (rounds of ${roundSeconds} s; wall-clock rates share the machine's cores with the load tool, hence CPU for the ratio):`,
        ...loads.map(
          (r) =>
            `  ${at(r).padEnd(17)} ${n(r.bytes).padStart(6)} bytes, ${r.events} events: ratio ${roundTo(
              r.ratio,
              2
            )} (${roundTo(r.minRatio, 2)}–${roundTo(r.maxRatio, 2)}, ${r.rounds} rounds)\n    relay: ${show(
              r.relay,
              r.events
            )}\n    floor: ${show(r.floor, r.events)}`
        )
      ]
    }
  }
}
