/**
 * `portable_json` (docs/sysdb.md §2.3): the format every DBOS language reads. Encoding flattens the JS-only
 * types to JSON; decoding revives nothing, so dates come back as ISO strings.
 */

/** Encodes a value as portable JSON; `undefined` and `null` both become `null`. */
export function portableStringify(value: unknown): string {
  // Non-ASCII stays literal: JSON.stringify escapes only control characters and lone surrogates.
  return JSON.stringify(value ?? null, portableReplacer)
}

/** Decodes portable JSON with plain `JSON.parse`. */
export function portableParse(text: string): unknown {
  return JSON.parse(text)
}

function portableReplacer(_key: string, value: unknown): unknown {
  // Dates reach the replacer already converted by Date.prototype.toJSON, which is toISOString.
  if (typeof value === 'bigint') return value.toString(10)
  if (value instanceof Set) return Array.from(value)
  if (value instanceof Map) return mapToObject(value)
  if (value instanceof Error) return { name: value.name, message: value.message }
  return value
}

function mapToObject(map: Map<unknown, unknown>): Record<string, unknown> {
  for (const key of map.keys()) {
    if (typeof key !== 'string') {
      throw new TypeError('Attempt to do portable JSON serialization of a map with non-string keys')
    }
  }
  // fromEntries defines data properties, so a "__proto__" key stays a key instead of a prototype.
  return Object.fromEntries(map)
}
