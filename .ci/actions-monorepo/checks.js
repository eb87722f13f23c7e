// The checks segmentio/action-destinations runs on a destination's definition, run on the
// exported folder built under that repository's versions (./check): node checks.js <step>
// <work dir>, where <work dir> is laid out like the repository and already built.
//   types     generate:types reproduces every committed generated-types.ts byte for byte
//   metadata  generate:metadata-payload reproduces the committed metadata.json
//   validate  what ./bin/run validate and validate-secret-fields look at: actions and fields
//             described, presets bound to existing actions and fields, every preset's and
//             default subscription's FQL parsed by destination-subscriptions, settings'
//             defaults of their type, no secret-looking setting outside the password type
// Each prints one line of what it found and exits 1 on a failure.

'use strict'
const { readFileSync } = require('fs')
const { join } = require('path')

const FOLDER = 'packages/destination-actions/src/destinations/launchdarkly-events'
const BUILT = 'packages/destination-actions/dist/destinations/launchdarkly-events'

const [step, work] = process.argv.slice(2)
const need = (name) => require(require.resolve(name, { paths: [work] }))
const definition = require(join(work, BUILT)).default

function fail(lines) {
  for (const line of lines) console.error(line)
  process.exit(1)
}

/** What the CLI's generate:types does to a schema before compiling it: no titles, no enums. */
function withoutExtras(schema) {
  const copy = { ...schema }
  delete copy.title
  delete copy.enum
  if (copy.type === 'object' && copy.properties) {
    copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, withoutExtras(v)]))
  } else if (copy.type === 'array' && copy.items) {
    copy.items = withoutExtras(copy.items)
  }
  return copy
}

async function types() {
  const { fieldsToJsonSchema } = need('@segment/actions-core')
  const { compile } = need('json-schema-to-typescript')
  const style = need('prettier').resolveConfig.sync(work) || undefined
  const generate = (fields, name) =>
    compile(withoutExtras(fieldsToJsonSchema(fields, { tsType: true })), name, {
      bannerComment: '// Generated file. DO NOT MODIFY IT BY HAND.',
      style
    })
  const files = [['generated-types.ts', definition.authentication.fields, 'Settings']]
  for (const [slug, action] of Object.entries(definition.actions)) {
    files.push([join(slug, 'generated-types.ts'), action.fields, 'Payload'])
  }
  const stale = []
  for (const [path, fields, name] of files) {
    if ((await generate(fields, name)) !== readFileSync(join(work, FOLDER, path), 'utf8')) stale.push(path)
  }
  if (stale.length) fail([`generate:types would change: ${stale.join(', ')}`])
  console.log(`generate:types: ${files.length} generated-types.ts files reproduced byte for byte`)
}

function metadata() {
  const { publicMetadataJson } = require(join(work, 'ci', 'metadata.js'))
  if (publicMetadataJson(definition) !== readFileSync(join(work, FOLDER, 'metadata.json'), 'utf8')) {
    fail(['generate:metadata-payload would change metadata.json'])
  }
  console.log('generate:metadata-payload: metadata.json reproduced byte for byte')
}

function validate() {
  const { parseFql } = need('@segment/destination-subscriptions')
  const errors = []
  const subscriptions = []
  const fqlError = (fql) => parseFql(fql).error
  for (const [slug, action] of Object.entries(definition.actions)) {
    if (!action.description) errors.push(`${slug} has no description`)
    for (const [name, field] of Object.entries(action.fields)) {
      if (!field.description) errors.push(`${slug}.${name} has no description`)
    }
    if (action.defaultSubscription) {
      subscriptions.push(`${slug}: ${action.defaultSubscription}`)
      const error = fqlError(action.defaultSubscription)
      if (error) errors.push(`${slug}'s defaultSubscription does not parse: ${error.message}`)
    }
  }
  for (const preset of definition.presets || []) {
    const action = definition.actions[preset.partnerAction]
    if (!action) {
      errors.push(`preset ${preset.name} names no action`)
      continue
    }
    for (const field of Object.keys(preset.mapping || {})) {
      if (!(field in action.fields))
        errors.push(`preset ${preset.name} maps ${field}, which ${preset.partnerAction} lacks`)
    }
    if (preset.type === 'automatic') {
      subscriptions.push(`preset ${preset.name}: ${preset.subscribe}`)
      const error = fqlError(preset.subscribe)
      if (error) errors.push(`preset ${preset.name} does not parse: ${error.message}`)
    }
  }
  const secret = /(^|[^A-Za-z0-9])(key|token|secret|password|code)($|[^A-Za-z0-9])/i
  for (const [name, setting] of Object.entries(definition.authentication.fields)) {
    const { type } = setting
    if ((type === 'boolean' || type === 'number') && setting.default !== undefined && typeof setting.default !== type) {
      errors.push(`setting ${name}'s default is not a ${type}`)
    }
    if (secret.test(name) && type !== 'password') errors.push(`setting ${name} looks secret but is not a password`)
  }
  if (errors.length) fail(errors)
  for (const line of subscriptions) console.log(`  ${line}`)
  const actions = Object.keys(definition.actions).length
  const presets = (definition.presets || []).length
  console.log(
    `validate: ${actions} actions, ${presets} presets, ${subscriptions.length} subscriptions parsed as FQL, every action and field described, no secret outside a password field`
  )
}

const steps = { types, metadata, validate }
if (!steps[step]) fail([`usage: node checks.js ${Object.keys(steps).join('|')} <work dir>`])
Promise.resolve(steps[step]()).catch((error) => fail([error.stack || String(error)]))
