// Shared set-up for the runtime tests: the built function, a runtime on a free port with
// its own data folder, the stand-in for outside services, and raw HTTP requests.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs'
import type { IncomingMessage } from 'http'
import { connect } from 'net'
import { tmpdir } from 'os'
import { join } from 'path'
import fixture from '../fixtures/node-server-sdk-bulk.json'
import { RuntimeConfig } from '../../runtime/config/variables'
import { BUILT_FUNCTION } from '../../runtime/startup'
import { LocalRuntime, RuntimeOptions, startRuntime } from '../../runtime/relay'
import { buildSource } from '../../scripts/build'

export async function ensureBuilt(): Promise<void> {
  if (!existsSync(BUILT_FUNCTION)) await buildSource()
}

export interface TestRuntime extends LocalRuntime {
  dataDir: string
  logs: string[]
  /** The NDJSON sink's lines, parsed. */
  lines(): Array<Record<string, unknown>>
}

export async function runtimeWith(
  settings: RuntimeConfig['settings'],
  extra: Partial<RuntimeConfig> = {},
  options: Omit<RuntimeOptions, 'config' | 'log'> = {}
): Promise<TestRuntime> {
  await ensureBuilt()
  const dataDir = extra.dataDir ?? mkdtempSync(join(tmpdir(), 'ld-runtime-'))
  const logs: string[] = []
  const runtime = await startRuntime({
    // Every line (a line per request is at debug), as JSON: the tests read each line's message.
    config: { host: '127.0.0.1', port: 0, settings, dataDir, logLevel: 'debug', logFormat: 'json', ...extra },
    log: (line) => logs.push((JSON.parse(line) as { msg: string }).msg),
    ...options
  })
  const file = join(dataDir, 'segment-events.ndjson')
  const stop = runtime.close
  return Object.assign(runtime, {
    dataDir,
    logs,
    // Tests leave nothing behind in the system's temp folder (a folder passed in is the caller's).
    close: async () => {
      await stop()
      if (extra.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true })
    },
    lines: () =>
      existsSync(file)
        ? readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : []
  })
}

/** The shared stand-in (__tests__/stand-in.ts), under the names these tests use. */
export { standIn } from '../stand-in'
export type { Received as Recorded } from '../stand-in'

export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A request with the exact request-target given (fetch would normalise it), answered as text. */
/**
 * One HTTP/1.1 request written on a plain socket, exactly as given (a request target such
 * as `//host/bulk`, oversized headers), and the answer as the server sent it. No HTTP
 * client in between: nock, loaded by other test files in the same worker, patches those.
 */
export function rawRequest(
  base: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  const { hostname, port } = new URL(base)
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body, 'utf8')
  const head = [
    `${method} ${target} HTTP/1.1`,
    ...(Object.keys(headers).some((name) => name.toLowerCase() === 'host') ? [] : [`Host: ${hostname}:${port}`]),
    'Connection: close',
    `Content-Length: ${payload.length}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  ].join('\r\n')
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A server that answers before reading everything may reset the socket after its answer.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error)
    })
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`))
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n')
      const answerHeaders: IncomingMessage['headers'] = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        answerHeaders[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      let answer = text.slice(end + 4)
      if (/chunked/i.test(String(answerHeaders['transfer-encoding'] ?? ''))) answer = unchunk(answer)
      resolve({ status: Number(statusLine.split(' ')[1]), headers: answerHeaders, body: answer })
    })
    // Not ended: a half-closed socket would end the exchange before the answer. `Connection: close` does.
    socket.write(Buffer.concat([Buffer.from(head + '\r\n\r\n'), payload]))
  })
}

/** The body of a chunked answer. */
function unchunk(text: string): string {
  let out = ''
  for (let at = 0; at < text.length; ) {
    const lineEnd = text.indexOf('\r\n', at)
    const size = parseInt(text.slice(at, lineEnd), 16)
    if (!size) break
    out += text.slice(lineEnd + 2, lineEnd + 2 + size)
    at = lineEnd + 2 + size + 2
  }
  return out
}

/** The captured SDK body with its times moved by `n` seconds: the same calls, other messageIds. */
export function bodyAt(n: number): string {
  return JSON.stringify(
    fixture.body.map((event) =>
      'creationDate' in event ? { ...event, creationDate: (event.creationDate as number) + n * 1000 } : event
    )
  )
}

/** A destination-route request: an ordinary track call sent as a custom event to `clientSideId`. */
export function customEventRequest(clientSideId: string): string {
  return JSON.stringify({
    payload: {
      type: 'track',
      event: 'Signed Up',
      userId: 'u1',
      messageId: 'm1',
      timestamp: '2026-01-01T00:00:00.000Z'
    },
    settings: { clientSideId },
    mapping: { key: { '@path': '$.event' }, contextKeys: { user: { '@path': '$.userId' } } }
  })
}
