// Writes the destination's generated-types.ts files (npm run generate-types) the way
// Segment's actions CLI (`generate:types`) does: each field set through actions-core's
// fieldsToJsonSchema into json-schema-to-typescript, titles and enums dropped, same banner.
// `--check` writes nothing and fails when a committed file differs (a test runs it: the
// Prettier that json-schema-to-typescript formats with cannot load inside jest's VM).

import { readFileSync, writeFileSync } from 'fs'
import { join, relative } from 'path'
import { fieldsToJsonSchema } from '@segment/actions-core'
import type { MinimalInputField } from '@segment/actions-core'
import type { JSONSchema4 } from 'json-schema'
import { compile } from 'json-schema-to-typescript'
import destination from '../destinations/launchdarkly-events'

export const DESTINATION_DIR = join(__dirname, '..', 'destinations', 'launchdarkly-events')

const BANNER = '// Generated file. DO NOT MODIFY IT BY HAND.'
// action-destinations' Prettier settings, so the files read as theirs do.
const STYLE = { semi: false, singleQuote: true, printWidth: 120, trailingComma: 'none' } as const

/** Titles would become named sub-interfaces and enums named types; the CLI drops both. */
function withoutExtras(schema: JSONSchema4): JSONSchema4 {
  const copy = { ...schema }
  delete copy.title
  delete copy.enum
  if (copy.type === 'object' && copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([key, value]) => [key, withoutExtras(value)])
    )
  } else if (copy.type === 'array' && copy.items && !Array.isArray(copy.items)) {
    copy.items = withoutExtras(copy.items)
  }
  return copy
}

function typesOf(fields: Record<string, MinimalInputField>, name: string): Promise<string> {
  const schema = withoutExtras(fieldsToJsonSchema(fields, { tsType: true }))
  return compile(schema, name, { bannerComment: BANNER, style: STYLE })
}

/** Every generated-types.ts of the destination: absolute path → expected contents. */
export async function generatedTypes(): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  files.set(
    join(DESTINATION_DIR, 'generated-types.ts'),
    await typesOf(destination.authentication?.fields ?? {}, 'Settings')
  )
  for (const [slug, action] of Object.entries(destination.actions)) {
    files.set(join(DESTINATION_DIR, slug, 'generated-types.ts'), await typesOf(action.fields, 'Payload'))
  }
  return files
}

/** The files whose committed contents differ from generatedTypes(), relative to the project. */
export async function staleFiles(): Promise<string[]> {
  const stale: string[] = []
  for (const [path, expected] of await generatedTypes()) {
    let committed: string | undefined
    try {
      committed = readFileSync(path, 'utf8')
    } catch {
      committed = undefined
    }
    if (committed !== expected) stale.push(relative(join(__dirname, '..'), path))
  }
  return stale
}

async function main(check: boolean): Promise<void> {
  if (check) {
    const stale = await staleFiles()
    if (stale.length) {
      console.error(`stale, run npm run generate-types: ${stale.join(', ')}`)
      process.exitCode = 1
    } else {
      console.log('every generated-types.ts is current')
    }
    return
  }
  const files = await generatedTypes()
  for (const [path, contents] of files) writeFileSync(path, contents)
  console.log(`wrote ${files.size} generated-types.ts files`)
}

if (require.main === module) {
  main(process.argv.includes('--check')).catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
