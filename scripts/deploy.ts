/**
 * `npm run deploy` (design §7): after the build, create or update the source
 * function in a Segment workspace and deploy it.
 *
 * Env: SEGMENT_PUBLIC_API_TOKEN (required), SEGMENT_API_BASE (default
 * https://api.segmentapis.com), SEGMENT_FUNCTION_NAME (default "LaunchDarkly Events Source").
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { SettingDeclaration } from '../shared'
import { DEFAULT_API_BASE, DeployError, deployFunction } from './deploy-api'

export const DEFAULT_FUNCTION_NAME = 'LaunchDarkly Events Source'

export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
  /** Where the build output lives; default `<project root>/dist`. Tests point it at a temp dir. */
  distDir?: string
  fetch?: typeof fetch
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`)
}

/** Runs the deploy and resolves to the process exit code. */
export async function main(env: NodeJS.ProcessEnv, io: CliIo = defaultIo): Promise<number> {
  const distDir = io.distDir ?? path.resolve(__dirname, '..', 'dist')
  const codePath = path.join(distDir, 'sources', 'launchdarkly.js')
  const settingsPath = path.join(distDir, 'sources', 'launchdarkly.settings.json')

  let code: string
  let settings: SettingDeclaration[]
  try {
    code = await readFile(codePath, 'utf8')
    settings = parseSettings(await readFile(settingsPath, 'utf8'), settingsPath)
  } catch (err) {
    io.err(`deploy failed: ${err instanceof Error ? err.message : String(err)} (run \`npm run build\` first)`)
    return 1
  }

  const displayName = env.SEGMENT_FUNCTION_NAME || DEFAULT_FUNCTION_NAME
  try {
    const result = await deployFunction({
      token: env.SEGMENT_PUBLIC_API_TOKEN ?? '',
      baseUrl: env.SEGMENT_API_BASE || DEFAULT_API_BASE,
      displayName,
      code,
      settings,
      fetch: io.fetch,
      log: io.out
    })
    io.out(
      `${result.action} source function "${displayName}"` + (result.deployed ? ' and deployed it' : ' (not deployed)')
    )
    io.out(`function ID: ${result.functionId}`)
    return 0
  } catch (err) {
    if (err instanceof DeployError) {
      io.err(`deploy failed: ${err.message}`)
      return 1
    }
    throw err
  }
}

/** The build writes this file; a shallow check catches a stale or hand-edited one. */
function parseSettings(text: string, file: string): SettingDeclaration[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every((s) => typeof s === 'object' && s !== null && typeof s.name === 'string' && typeof s.type === 'string')
  if (!ok) throw new Error(`${file} is not a list of {name, label, description, type, required, sensitive}`)
  return parsed as SettingDeclaration[]
}

if (require.main === module) {
  main(process.env).then(
    (exitCode) => {
      process.exitCode = exitCode
    },
    (err: unknown) => {
      console.error(err)
      process.exitCode = 1
    }
  )
}
