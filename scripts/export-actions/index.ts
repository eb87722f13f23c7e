// npm run export:actions -- <dir> [--metadata-id <id>]: writes the Actions destination into
// <dir> (a checkout of segmentio/action-destinations, or an empty folder) as it belongs
// there, prints what it wrote and the next commands for a pull request (docs/destination.md,
// "Register it with Segment").

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs'
import { dirname, join, relative, resolve } from 'path'
import { exportedFolder, MONOREPO_FOLDER } from './files'
import { GraphError, ROOT } from './graph'
import { REGISTRY_FILE, registerLine, RegisterError, withRegistration } from './register'

interface Options {
  readonly dir: string
  readonly metadataId?: string
}

const USAGE = 'usage: npm run export:actions -- <dir> [--metadata-id <24 hex digits>]'

function optionsOf(argv: readonly string[]): Options {
  const rest = [...argv]
  let metadataId: string | undefined
  const at = rest.indexOf('--metadata-id')
  if (at >= 0) {
    metadataId = rest[at + 1]
    if (metadataId === undefined) throw new RegisterError(USAGE)
    rest.splice(at, 2)
  }
  if (rest.length !== 1 || rest[0].startsWith('-')) throw new RegisterError(USAGE)
  return { dir: resolve(rest[0]), metadataId }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`

/** Writes the folder (replacing an earlier export) and, given an ID, the registration; returns the report. */
export function exportTo({ dir, metadataId }: Options): string[] {
  const { files, shared } = exportedFolder()
  const target = join(dir, MONOREPO_FOLDER)
  rmSync(target, { recursive: true, force: true })
  for (const [path, text] of files) {
    mkdirSync(dirname(join(target, path)), { recursive: true })
    writeFileSync(join(target, path), text)
  }
  const sharedBytes = shared.reduce((sum, file) => sum + Buffer.byteLength(readFileSync(file)), 0)
  const totalBytes = [...files.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0)
  const report = [
    `wrote ${files.size} files (${kb(totalBytes)}) to ${relative(process.cwd(), target) || '.'}/`,
    ...[...files.keys()].map((path) => `  ${path}`),
    `shared/: ${shared.length} of the project's files (${kb(
      sharedBytes
    )}), the ones the destination's imports reach, and a front door of its own`
  ]
  const registry = join(dir, REGISTRY_FILE)
  if (metadataId !== undefined && existsSync(registry)) {
    writeFileSync(registry, withRegistration(readFileSync(registry, 'utf8'), metadataId))
    report.push(`registered in ${REGISTRY_FILE}: ${registerLine(metadataId)}`)
  } else if (metadataId !== undefined) {
    report.push(`${REGISTRY_FILE} is not in ${dir}: add ${registerLine(metadataId)} there`)
  } else {
    report.push(
      `not registered: Segment assigns the metadata ID; once it has, run again with --metadata-id <id>, or add register('<id>', './launchdarkly-events') to ${REGISTRY_FILE}`
    )
  }
  report.push(
    '',
    `next, in ${dir}:`,
    '  ./bin/run generate:types --path packages/destination-actions/src/destinations/launchdarkly-events/index.ts   # no diff expected',
    '  ./bin/run generate:metadata-payload --slug=actions-launchdarkly-events   # no diff expected',
    '  ./bin/run validate',
    '  yarn cloud jest src/destinations/launchdarkly-events',
    `  npx eslint ${MONOREPO_FOLDER} && npx prettier --check ${MONOREPO_FOLDER}`,
    '  git checkout -b launchdarkly-events-destination',
    `  git add ${MONOREPO_FOLDER}${metadataId ? ` ${REGISTRY_FILE}` : ''}`,
    "  git commit -m 'LaunchDarkly Events: a new destination' && git push, then open the pull request",
    `  (what reviewers will ask: ${relative(
      process.cwd(),
      join(ROOT, 'docs', 'destination.md')
    )}, "Register it with Segment")`
  )
  return report
}

if (require.main === module) {
  try {
    for (const line of exportTo(optionsOf(process.argv.slice(2)))) console.log(line)
  } catch (error) {
    if (!(error instanceof RegisterError || error instanceof GraphError)) throw error
    console.error(error.message)
    process.exitCode = 1
  }
}
