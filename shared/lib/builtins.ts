// The language's built-ins that shared/ and the function adapters call, read from the
// global object once, when the bundle loads. How Segment's runtime loads a function is not
// documented: in a `vm` context made from an object ("contextified"), every read of a
// global (Array, Object, JSON, Math, Number, Date, Map...) goes through a C++ interceptor
// that costs about 0.3 µs, and reading them on every call made the built function twice as
// slow there (docs/performance.md, issue 22). A binding of this module is a plain variable
// read in any realm. A test counts the global reads of a delivery in such a context.
//
// Each is the built-in itself, so it behaves exactly as the global would (none of them
// needs its object as `this`).

export const { isArray } = Array
export const { keys: keysOf, fromEntries, assign } = Object
export const { hasOwnProperty } = Object.prototype
export const { isInteger } = Number
/** Number.isFinite: false for anything that is not a finite number, without conversion. */
export const isFiniteNumber = Number.isFinite as (value: unknown) => value is number
export const { floor, abs, min } = Math
export const { parse: fromJson, stringify: toJson } = JSON
export const { fromCharCode } = String
export const { now } = Date
export const NativeDate = Date
export const NativeMap = Map
export const NativeSet = Set
export const Bytes = Uint8Array
