/**
 * Rejects values that would not survive a round trip. superjson and JSON.stringify silently drop
 * functions and symbols, and superjson quietly rebuilds cycles, so a step whose output holds a
 * callback would replay with `undefined` in its place. Failing at write time names the culprit.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/**
 * Throws a TypeError naming the path of the first function, symbol or circular reference in
 * `value`. Objects for which `opaque` returns true (values a recipe encodes) are not entered.
 * @param label Name of the root in messages, e.g. `output` gives `output.items[2].cb`.
 */
export function assertSerializable(
  value: unknown,
  label: string,
  opaque?: (value: object) => boolean,
): void {
  // Most payloads are primitives: skip the walk and its allocations entirely.
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') return
  if (value === null) return
  walk(value, label, new Map(), opaque)
}

function walk(
  value: unknown,
  path: string,
  ancestors: Map<object, string>,
  opaque: ((value: object) => boolean) | undefined,
): void {
  if (typeof value === 'function') fail(path, 'functions are not serializable')
  if (typeof value === 'symbol') fail(path, 'symbols are not serializable')
  if (typeof value !== 'object' || value === null || isLeaf(value)) return
  if (opaque?.(value)) return
  const seenAt = ancestors.get(value)
  if (seenAt !== undefined) fail(path, `circular reference to ${seenAt}`)
  // Only ancestors count: the same object reached twice along different paths is fine.
  ancestors.set(value, path)
  if (value instanceof Map) {
    let i = 0
    for (const [key, item] of value) {
      walk(key, `${path}.keys()[${i++}]`, ancestors, opaque)
      walk(item, `${path}.get(${describeKey(key)})`, ancestors, opaque)
    }
  } else if (value instanceof Set) {
    let i = 0
    for (const item of value) walk(item, `${path}.values()[${i++}]`, ancestors, opaque)
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`, ancestors, opaque)
  } else {
    for (const key of Object.keys(value)) {
      walk((value as Record<string, unknown>)[key], childPath(path, key), ancestors, opaque)
    }
  }
  ancestors.delete(value)
}

// Types both encoders handle whole (or via toJSON); their internals are not user data.
function isLeaf(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof Error ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  )
}

function childPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key)
  if (typeof key === 'object' && key !== null) return '<object>'
  return String(key)
}

function fail(path: string, reason: string): never {
  throw new TypeError(`Cannot serialize value at ${path}: ${reason}`)
}
