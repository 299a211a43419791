import { bytesFrom } from './bytes.ts'

/**
 * Decodes a payload written by DBOS TS 3.x or earlier: plain JSON whose Buffers, Dates and BigInts
 * were tagged by hand rather than through superjson (docs/sysdb.md §2.1, legacy fallback).
 */
export function legacyParse(text: string): unknown {
  return JSON.parse(text, legacyReviver)
}

interface LegacyTagged {
  type?: unknown
  data?: unknown
  dbos_type?: unknown
  dbos_data?: unknown
}

function legacyReviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
  const tagged = value as LegacyTagged
  // Buffer.prototype.toJSON wrote this shape; the reviver runs bottom-up, so `data` holds numbers.
  if (tagged.type === 'Buffer' && Array.isArray(tagged.data)) {
    return bytesFrom(tagged.data as number[])
  }
  if (tagged.dbos_type === 'dbos_Date' && typeof tagged.dbos_data === 'string') {
    return new Date(tagged.dbos_data)
  }
  if (tagged.dbos_type === 'dbos_BigInt' && typeof tagged.dbos_data === 'string') {
    return BigInt(tagged.dbos_data)
  }
  return value
}
