import { deserializeError, serializeError } from 'serialize-error'
import { PortableWorkflowError } from '../errors.ts'

/**
 * Error <-> plain record conversions. serialize-error@8 keeps `name`, `message`, `stack` and own
 * enumerable properties (`code`, `dbosErrorCode`, ...); it skips the non-enumerable `cause` and
 * `AggregateError.errors`, so those are added here, and revived as Errors on the way back.
 */

/** Portable error record (docs/sysdb.md §2.3); undefined members vanish in JSON. */
export interface PortableErrorRecord {
  name: string
  message: string
  code?: unknown
  data?: unknown
}

/** Converts a thrown value into a plain record for `js_superjson` or a custom serializer. */
export function errorToRecord(error: unknown): unknown {
  return toRecord(error, new Set())
}

function toRecord(error: unknown, seen: Set<object>): unknown {
  const record: unknown = serializeError(error)
  if (typeof error !== 'object' || error === null) return record
  if (typeof record !== 'object' || record === null) return record
  seen.add(error)
  const out = record as Record<string, unknown>
  const hidden = error as { cause?: unknown; errors?: unknown }
  if (Object.hasOwn(error, 'cause') && !('cause' in out)) {
    out.cause = nested(hidden.cause, seen)
  }
  if (Object.hasOwn(error, 'errors') && Array.isArray(hidden.errors) && !('errors' in out)) {
    out.errors = hidden.errors.map((e: unknown) => nested(e, seen))
  }
  return out
}

function nested(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'object' && value !== null && seen.has(value)) return '[Circular]'
  return toRecord(value, seen)
}

/** Rebuilds an Error from a record; `name`, `stack` and own properties are restored. */
export function recordToError(record: unknown): Error {
  const error = deserializeError(record)
  const fields = error as { cause?: unknown; errors?: unknown }
  if (isErrorRecord(fields.cause)) {
    // Non-enumerable like a native `cause`, so the error prints and re-encodes the usual way.
    Object.defineProperty(error, 'cause', {
      value: recordToError(fields.cause),
      enumerable: false,
      writable: true,
      configurable: true,
    })
  }
  if (Array.isArray(fields.errors)) {
    fields.errors = fields.errors.map((e: unknown) => (isErrorRecord(e) ? recordToError(e) : e))
  }
  return error
}

// A record serialize-error made from an Error: a plain object with a string message and name.
function isErrorRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || value instanceof Error) return false
  if (Array.isArray(value)) return false
  const v = value as { name?: unknown; message?: unknown }
  return typeof v.message === 'string' && typeof v.name === 'string'
}

/** Converts a thrown value into the language-neutral record. */
export function errorToPortable(error: unknown): PortableErrorRecord {
  if (typeof error !== 'object' || error === null) {
    return { name: 'Error', message: String(error) }
  }
  const e = error as { name?: unknown; message?: unknown; code?: unknown; data?: unknown }
  return {
    name: typeof e.name === 'string' ? e.name : 'Error',
    message: typeof e.message === 'string' ? e.message : String(error),
    code: e.code,
    data: e.data,
  }
}

/** Rebuilds a `PortableWorkflowError`, whose `name` is the stored name. */
export function portableToError(parsed: unknown): PortableWorkflowError {
  if (typeof parsed !== 'object' || parsed === null) {
    return new PortableWorkflowError(String(parsed), 'Error')
  }
  const r = parsed as { name?: unknown; message?: unknown; code?: unknown; data?: unknown }
  const name = typeof r.name === 'string' ? r.name : 'Error'
  const message = typeof r.message === 'string' ? r.message : ''
  return new PortableWorkflowError(message, name, r.code, r.data)
}
