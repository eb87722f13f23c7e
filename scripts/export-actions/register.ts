// The line that registers the destination in segmentio/action-destinations
// (packages/destination-actions/src/destinations/index.ts). Its ID is the destination's
// metadata ID, which Segment assigns when it creates the destination in its control plane
// and which must match across its environments: without one the line is only printed,
// never written with a made-up ID.

export const REGISTRY_FILE = 'packages/destination-actions/src/destinations/index.ts'
const FOLDER = './launchdarkly-events'

/** A MongoDB ObjectId, as Segment's metadata IDs are. */
const METADATA_ID = /^[0-9a-f]{24}$/

export class RegisterError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RegisterError'
  }
}

export function registerLine(metadataId: string): string {
  if (!METADATA_ID.test(metadataId)) {
    throw new RegisterError(
      `--metadata-id must be the 24 hex digits Segment assigned, found ${JSON.stringify(metadataId)}`
    )
  }
  return `register('${metadataId}', '${FOLDER}')`
}

const REGISTER = /^register\('[^']*', '([^']*)'\)$/

/**
 * `registry` (the file's text) with the destination registered under `metadataId`: its line
 * replaced if there is one, else added after the last register line, as the file lists them.
 */
export function withRegistration(registry: string, metadataId: string): string {
  const line = registerLine(metadataId)
  const lines = registry.split('\n')
  const own = lines.findIndex((l) => REGISTER.exec(l)?.[1] === FOLDER)
  if (own >= 0) {
    lines[own] = line
    return lines.join('\n')
  }
  let last = -1
  lines.forEach((l, i) => {
    if (REGISTER.test(l)) last = i
  })
  if (last < 0) throw new RegisterError(`${REGISTRY_FILE} has no register('<id>', './<folder>') lines to add to`)
  lines.splice(last + 1, 0, line)
  return lines.join('\n')
}
