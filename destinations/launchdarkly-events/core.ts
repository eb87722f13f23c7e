// The one place this folder (tests included) reaches the core mapping module. Registered
// in Segment's action-destinations repository, the module is vendored next to this
// folder and only this path changes (README, "Register it with Segment").

export {
  EXPORT_KINDS,
  EXPORT_SCHEMA,
  isEcho,
  isSentToLaunchDarkly,
  MappingError,
  payloadIdFor,
  propertiesOf,
  textOf,
  toLaunchDarklyEvent
} from '../../shared'
export type { ExportKind, JsonObject, LaunchDarklyEvent, PropertyType, SchemaProperty } from '../../shared'
