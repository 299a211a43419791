import { h, type Html } from './html.ts'

/** Entries shown per object or array; the rest are counted. Keeps a page of a huge payload light. */
const MAX_ENTRIES = 100
/** Levels shown open; deeper ones start folded. */
const OPEN_DEPTH = 2
/** Levels rendered at all: deeper values are shown as their JSON text. */
const MAX_DEPTH = 12

function leaf(value: unknown): Html {
  if (typeof value === 'string') return h`<span class="j-s">${JSON.stringify(value)}</span>`
  if (typeof value === 'number') return h`<span class="j-n">${String(value)}</span>`
  if (typeof value === 'boolean') return h`<span class="j-b">${String(value)}</span>`
  return h`<span class="j-null">null</span>`
}

function node(value: unknown, depth: number): Html {
  if (value === null || typeof value !== 'object') return leaf(value)
  if (depth >= MAX_DEPTH) return h`<span class="j-s">${JSON.stringify(value)}</span>`
  const isArray = Array.isArray(value)
  const entries: [string, unknown][] = isArray ? value.map((v, i) => [String(i), v]) : Object.entries(value)
  if (entries.length === 0) return h`<span class="j-null">${isArray ? '[]' : '{}'}</span>`
  const summary = isArray ? `[ ${entries.length} item${entries.length === 1 ? '' : 's'} ]` : `{ ${entries.length} key${entries.length === 1 ? '' : 's'} }`
  const shown = entries.slice(0, MAX_ENTRIES).map(([k, v]) => h`<li><span class="j-k">${k}</span>: ${node(v, depth + 1)}</li>`)
  const more = entries.length > MAX_ENTRIES ? h`<li class="muted">… ${entries.length - MAX_ENTRIES} more</li>` : ''
  const open = depth < OPEN_DEPTH ? h` open` : ''
  return h`<details${open}><summary>${summary}</summary><ul class="json">${shown}${more}</ul></details>`
}

/**
 * A JSON text as a tree of folding sections: objects and arrays open to two levels, leaves coloured by type.
 * Text that is not JSON (a custom serializer's display form) is shown as it is.
 */
export function jsonTree(text: string): Html {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return h`<pre>${text}</pre>`
  }
  return h`<div class="json-tree">${node(parsed, 0)}</div>`
}
