// What `npm start` needs on this machine: where Segment calls go, a data folder it can
// write, a free port, and a build of the current code. Nothing is sent anywhere but to
// this machine's own port.

import { existsSync, readdirSync, statSync } from 'fs'
import { mkdir, open, rm, rmdir, stat, writeFile } from 'fs/promises'
import { createServer, request } from 'http'
import { dirname, join, relative } from 'path'
import {
  DEAD_LETTER_FILE,
  DEAD_LETTER_REASONS_FILE,
  DEFAULT_SEGMENT_HOST,
  isLoopback,
  NDJSON_FILE,
  OUTBOX_DIR
} from '../../runtime'
import type { RuntimeConfig } from '../../runtime'
import { isObject, own } from '../../shared'
import { Check, fail, ok, warn } from './check'

const codeOf = (error: unknown): string =>
  String((error as NodeJS.ErrnoException).code ?? (error as Error).message ?? error)

/** Where the relay keeps the Segment calls it acknowledged. */
export function sinkCheck(config: RuntimeConfig): Check {
  return config.segmentWriteKey
    ? ok(
        'sink',
        `SEGMENT_WRITE_KEY is set: Segment calls go to ${
          config.segmentHost ?? DEFAULT_SEGMENT_HOST
        } through the outbox in ${join(
          config.dataDir,
          OUTBOX_DIR
        )} (doctor sends nothing to Segment, so the key itself is not checked)`
      )
    : warn(
        'sink',
        `SEGMENT_WRITE_KEY is not set: the relay appends Segment calls to ${join(
          config.dataDir,
          NDJSON_FILE
        )} and sends nothing to Segment`,
        'to send them to Segment, set SEGMENT_WRITE_KEY to the write key of your Segment source (Segment: Connections → Sources → the source → Settings → API Keys)'
      )
}

/** The data folder: created if need be (and removed again if doctor created it), and written to. */
export async function dataDirCheck(config: RuntimeConfig): Promise<Check> {
  const dir = config.dataDir
  const fix = `set LD_SEGMENT_DATA_DIR to a folder the relay's user can write, or let that user write ${dir}`
  let created: string | undefined
  try {
    created = await mkdir(dir, { recursive: true })
  } catch (error) {
    return fail('data-dir', `LD_SEGMENT_DATA_DIR: the folder ${dir} cannot be created (${codeOf(error)})`, fix)
  }
  const probe = join(dir, `.doctor-${process.pid}`)
  try {
    await writeFile(probe, '')
    await rm(probe)
  } catch (error) {
    return fail('data-dir', `LD_SEGMENT_DATA_DIR: the folder ${dir} cannot be written (${codeOf(error)})`, fix)
  } finally {
    // Leave no folder behind that the relay has not made yet; rmdir keeps any that is not empty.
    for (let at = dir; created !== undefined; at = dirname(at)) {
      if (
        !(await rmdir(at).then(
          () => true,
          () => false
        )) ||
        at === created
      )
        break
    }
  }
  const what = config.segmentWriteKey ? 'the outbox' : 'the NDJSON sink file'
  return ok(
    'data-dir',
    `LD_SEGMENT_DATA_DIR ${dir} can be ${created ? 'created and ' : ''}written (${what} lives there)`
  )
}

/** Bytes read from the end of the reasons file for its last line. */
const LAST_LINE_BYTES = 64 * 1024

/** Calls Segment refused for good (a wrong write key refuses them all): the outbox keeps them apart. */
export async function deadLetterCheck(config: RuntimeConfig): Promise<Check | undefined> {
  if (!config.segmentWriteKey) return undefined
  const outbox = join(config.dataDir, OUTBOX_DIR)
  const file = join(outbox, DEAD_LETTER_FILE)
  const size = await stat(file).then(
    (s) => s.size,
    () => 0
  )
  if (size === 0) return undefined
  const last = await lastLine(join(outbox, DEAD_LETTER_REASONS_FILE))
  let refusal = ''
  try {
    const record: unknown = JSON.parse(last ?? '')
    const [time, status, reason] = ['time', 'status', 'reason'].map((name) =>
      isObject(record) ? own(record, name) : undefined
    )
    refusal = `; the last refusal, ${String(time)}: HTTP ${String(status)} ${String(reason)}`
  } catch {
    // No readable reason: the file's size says enough.
  }
  return warn(
    'dead-letters',
    `Segment refused calls for good: ${file} holds ${size} bytes of them${refusal}`,
    'if the refusal names the write key, set SEGMENT_WRITE_KEY to the write key of your Segment source; the refused calls stay in that file (NDJSON of Segment calls) to be sent again'
  )
}

async function lastLine(path: string): Promise<string | undefined> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch {
    return undefined
  }
  try {
    const { size } = await handle.stat()
    const length = Math.min(size, LAST_LINE_BYTES)
    const buffer = Buffer.alloc(length)
    await handle.read(buffer, 0, length, size - length)
    return buffer.toString('utf8').trimEnd().split('\n').pop()
  } finally {
    await handle.close()
  }
}

/** PORT on HOST: free, or held by a relay already running (or the reason `npm start` would stop). */
export async function portCheck(config: RuntimeConfig): Promise<Check> {
  const { host, port } = config
  if (port === 0) return ok('port', 'PORT is 0: the relay listens on a port the system picks')
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer()
    server.once('error', resolve)
    server.listen(port, host, () => server.close(() => resolve(undefined)))
  })
  if (!error) return ok('port', `PORT ${port} is free on ${host}`)
  switch (error.code) {
    case 'EADDRINUSE': {
      const url = `http://${isLoopback(host) ? host : '127.0.0.1'}:${port}`
      if (await answersLikeRelay(url))
        return ok(
          'port',
          `a relay is running on ${url} already (GET /healthz answered as the relay does): restart it for a changed setting to take effect`
        )
      return fail(
        'port',
        `PORT ${port} is in use on ${host}: npm start would stop with EADDRINUSE`,
        'stop the program using it, or set PORT to a free port'
      )
    }
    case 'EACCES':
      return fail('port', `PORT ${port} needs privileges this user lacks (EACCES)`, 'set PORT to 1024 or above')
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return fail(
        'port',
        `HOST ${host} is not an address of this machine (${error.code})`,
        'set HOST to one, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)'
      )
    default:
      return fail('port', `the relay could not listen on ${host}:${port} (${codeOf(error)})`, 'check HOST and PORT')
  }
}

/** The relay's /healthz: 200 `{"status": "ok"}`, or 503 `{"error": "Unavailable", ...}`. */
function answersLikeRelay(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { timeout: 1000, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body = (body + chunk).slice(0, 4096)))
      res.on('end', () => {
        try {
          const answer: unknown = JSON.parse(body)
          resolve(
            isObject(answer) &&
              ((res.statusCode === 200 && own(answer, 'status') === 'ok') ||
                (res.statusCode === 503 && own(answer, 'error') === 'Unavailable'))
          )
        } catch {
          resolve(false)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

/** What `node dist/runtime/server.js` runs (npm start builds first; a production start does not). */
const BUILT = ['dist/runtime/server.js', 'dist/sources/launchdarkly.js', 'dist/destinations/launchdarkly-events.js']
const CODE_FOLDERS = ['shared', 'sources', 'destinations', 'runtime']

export function buildCheck(projectRoot: string): Check {
  const fix = 'run npm run build (npm start builds for you; node dist/runtime/server.js does not)'
  const missing = BUILT.filter((file) => !existsSync(join(projectRoot, file)))
  if (missing.length) return warn('build', `dist/ is not built: ${missing.join(', ')} missing`, fix)
  const built = Math.min(...BUILT.map((file) => statSync(join(projectRoot, file)).mtimeMs))
  const newer = newestCode(projectRoot)
  if (newer && newer.mtimeMs > built)
    return warn('build', `dist/ is older than the code (${relative(projectRoot, newer.path)} changed since)`, fix)
  return ok('build', 'dist/ is built from the current code')
}

/** The most recently changed TypeScript file of the code the build bundles (absent where only dist/ was installed). */
function newestCode(root: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== '__tests__' && entry.name !== 'node_modules') visit(path)
      } else if (entry.name.endsWith('.ts')) {
        const { mtimeMs } = statSync(path)
        if (!newest || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs }
      }
    }
  }
  for (const folder of CODE_FOLDERS) if (existsSync(join(root, folder))) visit(join(root, folder))
  return newest
}
