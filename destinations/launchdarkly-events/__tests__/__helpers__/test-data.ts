// Test data as the actions CLI's generated snapshot tests draw it. In Segment's
// action-destinations repository those tests import `generateTestData` from the
// repository's own lib (not from @segment/actions-core); this helper draws the same
// values, so snapshot.test.ts differs from the generated file in its import line only.
//
// Every value comes from a fresh Chance seeded with the test's name: each setting and
// each field of one type and format gets the same value, as in the repository.

import Chance from 'chance'
import type { ActionDefinition, DestinationDefinition, InputField } from '@segment/actions-core'

type Choices = InputField['choices']

interface Drawn {
  type?: string
  format?: string
  choices?: Choices
  minimum?: number
  maximum?: number
}

function draw(seed: string, field: Drawn, name?: string): unknown {
  const chance = new Chance(seed)
  if (Array.isArray(field.choices)) {
    const choice = chance.pickone(field.choices as Array<string | { value: string; label: string }>)
    return typeof choice === 'object' && choice.value ? choice.value : choice
  }
  const range = {
    ...(field.minimum !== undefined ? { min: field.minimum } : {}),
    ...(field.maximum !== undefined ? { max: field.maximum } : {})
  }
  const bounded = field.minimum !== undefined || field.maximum !== undefined
  let value: unknown
  switch (field.type) {
    case 'boolean':
      value = chance.bool()
      break
    case 'datetime':
      value = '2021-02-01T00:00:00.000Z'
      break
    case 'integer':
      value = bounded ? chance.integer(range) : chance.integer()
      break
    case 'number':
      value = chance.floating({ ...range, fixed: 2 })
      break
    case 'text':
      value = chance.sentence()
      break
    case 'object':
      value = { testType: chance.string() }
      break
    default:
      value = drawString(chance, field.format)
  }
  if (name === 'email') value = chance.email()
  if (name === 'currency') value = chance.currency().code
  if (name === 'phone_number') value = '+' + chance.phone({ formatted: false })
  return value
}

const pad = (parts: number[], separator: string) => parts.map((v) => String(v).padStart(2, '0')).join(separator)

function drawString(chance: Chance.Chance, format: string | undefined): string {
  switch (format) {
    case 'date': {
      const d = chance.date()
      return pad([d.getFullYear(), d.getMonth() + 1, d.getDate()], '-')
    }
    case 'date-time':
      return chance.date().toISOString()
    case 'email':
      return chance.email()
    case 'hostname':
      return chance.domain()
    case 'ipv4':
      return chance.ip()
    case 'ipv6':
      return chance.ipv6()
    case 'time': {
      const d = chance.date()
      return pad([d.getHours(), d.getMinutes(), d.getSeconds()], ':')
    }
    case 'uri':
      return chance.url()
    case 'uuid':
      return chance.guid()
    default:
      return chance.string()
  }
}

/**
 * [event properties, settings] for `action`: every setting, and every field of the action
 * (with `isRequiredOnly`, only required ones and those whose name contains "id" or "consent").
 */
export function generateTestData(
  seedName: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  destination: DestinationDefinition<any>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  action: ActionDefinition<any>,
  isRequiredOnly: boolean
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): [any, any] {
  const settings: Record<string, unknown> = {}
  for (const [name, setting] of Object.entries(destination.authentication?.fields ?? {})) {
    const { type, format, minimum, maximum } = setting as Drawn
    settings[name] = draw(seedName, { type, format, minimum, maximum })
  }
  const event: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(action.fields as Record<string, InputField>)) {
    if (isRequiredOnly && !(field.required || name.includes('id') || name.includes('consent'))) continue
    let value: unknown
    if (field.properties) {
      const nested: Record<string, unknown> = {}
      for (const [key, property] of Object.entries(field.properties)) {
        if (isRequiredOnly && !property.required) continue
        nested[key] = property.multiple ? [draw(seedName, property, key)] : draw(seedName, property, key)
      }
      value = nested
    } else if (name === 'consent') {
      value = { categoryPreferences: { analytics: true, marketing: false } }
    } else {
      value = draw(seedName, field, name)
    }
    event[name] = field.multiple ? [value] : value
  }
  return [event, settings]
}
