// The core mapping module as this folder sees it: the one place it (tests included) reaches shared/. Registered
// in Segment's action-destinations repository, the module is vendored next to this
// folder and only this path changes (README, "Register it with Segment").

export {
  describe,
  EXPORT_KINDS,
  EXPORT_SCHEMA,
  explanationOf,
  isEcho,
  isObject,
  isReadBack,
  MappingError,
  own,
  payloadIdFor,
  propertiesOf,
  reverseOf,
  SEGMENT_CALL,
  textOf,
  toLaunchDarklyEvent,
  utf8Length
} from '../../shared'
export type {
  ExportKind,
  Hash,
  JsonObject,
  LaunchDarklyEvent,
  PropertyType,
  SchemaProperty,
  Settlement
} from '../../shared'
