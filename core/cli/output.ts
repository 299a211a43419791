// How commands print: compact JSON for machines (--json), aligned tables and key-value lines for people.

/**
 * Compact JSON of decoded workflow values, which JSON.stringify alone would refuse (a bigint) or print as `{}`
 * (an Error, a Map, a Set). A value that still cannot be printed (a cycle) becomes its String().
 */
export function toJson(value: unknown): string {
  const replacer = (_key: string, v: unknown) => {
    if (typeof v === 'bigint') return v.toString()
    if (v instanceof Error) return { name: v.name, message: v.message }
    if (v instanceof Map) return Object.fromEntries(v)
    if (v instanceof Set) return [...v]
    return v
  }
  try {
    return JSON.stringify(value, replacer) ?? 'null'
  } catch {
    return JSON.stringify(String(value))
  }
}

const CELL_CHARS = 60

/** A value as one table cell: text as is, anything else as JSON, cut to a readable width. */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return ''
  const s = (typeof value === 'string' ? value : toJson(value)).replace(/\s+/g, ' ')
  return s.length > CELL_CHARS ? `${s.slice(0, CELL_CHARS - 1)}…` : s
}

/** Epoch milliseconds as an ISO timestamp; empty when absent. */
export function time(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString()
}

/** Rows under a header, each column as wide as its widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

/** `key: value` lines for one record, skipping empty values. */
export function record(fields: readonly (readonly [string, unknown])[]): string {
  const shown = fields.filter(([, v]) => v !== undefined && v !== null && v !== '')
  const width = Math.max(0, ...shown.map(([k]) => k.length))
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${typeof v === 'string' ? v : toJson(v)}`).join('\n') + '\n'
}
