// The core mapping module as this folder sees it: the one place it (tests included) reaches
// shared/. `npm run export:actions` vendors the part of shared/ these names reach as ./shared
// beside the folder in Segment's action-destinations repository, and changes only this path
// (docs/destination.md, "Register it with Segment").

export {
  ALIAS_FIELDS,
  ALIAS_TEXT,
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
  SCHEMA_TEXT,
  SEGMENT_CALL,
  textOf,
  toLaunchDarklyEvent,
  utf8Length
} from '../../shared'
export type {
  AliasField,
  ExportKind,
  Hash,
  JsonObject,
  LaunchDarklyEvent,
  LaunchDarklyKind,
  PropertyName,
  PropertyType,
  ReverseRule,
  SchemaProperty,
  Settlement
} from '../../shared'
