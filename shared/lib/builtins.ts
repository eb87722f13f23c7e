// The language's built-ins that shared/ and the function adapters call, read from the
// global object once, when the bundle loads. How Segment's runtime loads a function is not
// documented: in a `vm` context made from an object ("contextified"), every read of a
// global (Array, Object, JSON, Math, Number, Date, Map...) goes through a C++ interceptor
// that costs about 0.3 µs, and reading them on every call made the built function twice as
// slow there (docs/performance.md, issue 22). A binding of this module is a plain variable
// read in any realm. A test counts the global reads of a delivery in such a context.
//
// Each is the built-in itself, so it behaves exactly as the global would (none of them
// needs its object as `this`). Each is a declaration of its own, which a bundle that never
// uses it leaves out; esbuild does so for the reads it knows have no side effects, and
// `unread` marks the others.

/** `read()`, marked as free of side effects for the bundler: unused, it is left out. */
const unread = <T>(read: () => T): T => read()

export const isArray = Array.isArray
export const keysOf = Object.keys
export const fromEntries = Object.fromEntries
export const assign = Object.assign
export const defineProperty = Object.defineProperty
export const hasOwnProperty = Object.prototype.hasOwnProperty
export const isInteger = /* @__PURE__ */ unread(() => Number.isInteger)
/** Number.isFinite: false for anything that is not a finite number, without conversion. */
export const isFiniteNumber = /* @__PURE__ */ unread(() => Number.isFinite as (value: unknown) => value is number)
export const floor = Math.floor
export const abs = Math.abs
export const min = Math.min
export const fromJson = JSON.parse
export const toJson = JSON.stringify
export const fromCharCode = /* @__PURE__ */ unread(() => String.fromCharCode)
export const now = /* @__PURE__ */ unread(() => Date.now)
export const NativeDate = Date
export const NativeMap = Map
export const NativeSet = Set
export const Bytes = Uint8Array
