// The relay's throughput against a floor (`runtimeVsFloorRatio`): the relay as it runs in
// production (`node dist/runtime/server.js`, one log line per request to stdout, the
// NDJSON sink) on /bulk with the captured SDK body, against a minimal server that only
// parses the body and appends one line per event to a file. Same load tool (autocannon),
// same connections, the two alternated in one run, each server a process of its own.
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
import type { Section } from './section'
import { median, n, round as roundTo } from './stats'
import { TARGETS } from './targets'

const CONNECTIONS = 10
const ROUND_SECONDS = 2
const ROUNDS = 7
const ROOT = path.join(__dirname, '..', '..')
const RELAY = path.join(ROOT, 'dist', 'runtime', 'server.js')

/** The floor: read, parse, append one line per event, answer. Nothing else. */
const FLOOR = `
const { createServer } = require('http')
const { appendFile } = require('fs')
const file = require('path').join(process.argv[1], 'floor.ndjson')
const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    const lines = JSON.parse(Buffer.concat(chunks).toString('utf8')).map((e) => JSON.stringify(e)).join('\\n') + '\\n'
    appendFile(file, lines, () => {
      res.writeHead(202, { 'Content-Type': 'application/json' })
      res.end('{}')
    })
  })
})
server.listen(0, '127.0.0.1', () => console.log('floor on http://127.0.0.1:' + server.address().port))
`

export interface RelayResult {
  /** Median of the rounds' ratios of requests per CPU second, with the extremes. */
  ratio: number
  minRatio: number
  maxRatio: number
  /** Requests per wall-clock second, over all rounds. */
  relayRps: number
  floorRps: number
  /** CPU microseconds per request of each server process, median over the rounds. */
  relayCpuUs: number
  floorCpuUs: number
  connections: number
  rounds: number
  roundSeconds: number
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

/** Requests answered (every one must be a 2xx) in `seconds` of load. */
async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `${url}/bulk`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fixture.body),
    connections: CONNECTIONS,
    duration: seconds
  })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`)
  return result['2xx']
}

async function round(server: Server): Promise<{ requests: number; ticks: number }> {
  const pid = server.child.pid as number
  const before = cpuTicks(pid)
  const requests = await load(server.url, ROUND_SECONDS)
  return { requests, ticks: cpuTicks(pid) - before }
}

export async function benchRelay(): Promise<RelayResult> {
  if (!existsSync(RELAY)) throw new Error(`${RELAY} is missing: run \`npm run build\` first`)
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ld-bench-relay-'))
  const servers: ChildProcess[] = []
  try {
    const floor = await serve(['-e', FLOOR, dataDir], {})
    servers.push(floor.child)
    const relay = await serve([RELAY], {
      PORT: '0',
      LD_SEGMENT_DATA_DIR: path.join(dataDir, 'relay'),
      LD_PROJECT_ID: 'bench-project',
      LD_ENVIRONMENT_ID: 'bench-environment'
    })
    servers.push(relay.child)
    await load(floor.url, 1)
    await load(relay.url, 1)
    const ratios: number[] = []
    const relayCpuUs: number[] = []
    const floorCpuUs: number[] = []
    let floorRequests = 0
    let relayRequests = 0
    for (let n = 0; n < ROUNDS; n++) {
      const f = await round(floor)
      const r = await round(relay)
      floorRequests += f.requests
      relayRequests += r.requests
      ratios.push(r.requests / r.ticks / (f.requests / f.ticks))
      relayCpuUs.push((r.ticks * MICROSECONDS_PER_TICK) / r.requests)
      floorCpuUs.push((f.ticks * MICROSECONDS_PER_TICK) / f.requests)
    }
    const seconds = ROUNDS * ROUND_SECONDS
    return {
      ratio: median(ratios),
      minRatio: Math.min(...ratios),
      maxRatio: Math.max(...ratios),
      relayRps: relayRequests / seconds,
      floorRps: floorRequests / seconds,
      relayCpuUs: median(relayCpuUs),
      floorCpuUs: median(floorCpuUs),
      connections: CONNECTIONS,
      rounds: ROUNDS,
      roundSeconds: ROUND_SECONDS
    }
  } finally {
    for (const child of servers) {
      child.removeAllListeners('exit')
      child.kill('SIGKILL')
    }
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export const relaySection: Section<'runtimeVsFloorRatio'> = {
  keys: ['runtimeVsFloorRatio'],
  async run(progress) {
    progress('relay vs a floor server (parse and append only): autocannon on /bulk, alternated rounds')
    const relay = await benchRelay()
    const ratio = roundTo(relay.ratio, 2)
    return {
      json: { runtimeVsFloorRatio: ratio },
      rows: [
        {
          key: 'runtimeVsFloorRatio',
          measure: `relay (node dist/runtime/server.js) on /bulk ÷ a server that only parses and appends, requests per CPU second, ${relay.connections} connections (median of ${relay.rounds} alternated rounds)`,
          value: `${ratio} (${roundTo(relay.minRatio, 2)}–${roundTo(relay.maxRatio, 2)})`,
          bar: `≥ ${TARGETS.runtimeVsFloorRatio}`,
          ok: relay.ratio >= TARGETS.runtimeVsFloorRatio
        }
      ],
      notes: [
        `relay vs floor, wall clock: ${n(Math.round(relay.relayRps))} vs ${n(
          Math.round(relay.floorRps)
        )} requests/s, ratio ${roundTo(relay.relayRps / relay.floorRps, 2)} (${relay.rounds} rounds of ${
          relay.roundSeconds
        } s each; the load tool shares the machine's cores, hence CPU seconds for the headline ratio)`,
        `relay vs floor, CPU per request: ${Math.round(relay.relayCpuUs)} vs ${Math.round(
          relay.floorCpuUs
        )} µs (median of the rounds; the relay's includes its fsync, the floor does none)`
      ]
    }
  }
}
