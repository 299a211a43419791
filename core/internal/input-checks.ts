// Checks on what callers pass to the API. Every entry point (the DBOS facade, DBOSClient, queues, the
// engine's communication functions, the admin API) runs them before it writes anything, so a mistake
// gets a DBOSInvalidArgumentError naming the field and the rule, not a Postgres error from deep inside.
import { DBOSInvalidArgumentError } from '../errors.ts'

// Why these limits. Postgres keeps a btree index entry in at most 2704 bytes (a third of an 8 kB page), and
// several indexes of schema 123 hold more than one of these strings: streams (workflow_uuid, key),
// workflow_events_history (workflow_uuid, key), notifications (destination_uuid, topic) and its
// message_uuid (`idempotencyKey::destinationID`), and idx_workflow_status_partition_dequeue_v3
// (queue_name, queue_partition_key, workflow_uuid, application_name). Random text does not compress, so the
// sum must fit uncompressed. With the limits below the largest sum is about 2,100 bytes, leaving room for
// the child IDs derived from a parent's (`<parent>-<n>`) and for the entries' own headers.

/** Workflow IDs, event and stream keys, topics, deduplication IDs and idempotency keys: bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024
/** Queue names, application names and versions: bytes of UTF-8. */
export const MAX_NAME_BYTES = 256
/** Queue partition keys: bytes of UTF-8. */
export const MAX_PARTITION_KEY_BYTES = 512
/** Workflow class and config names are varchar(255) columns: characters. */
export const MAX_CLASS_NAME_CHARS = 255
/** Step IDs, stream offsets and queue limits are `integer` columns. */
export const MAX_INT4 = 2147483647
/** Workflow timeouts: 100 years in ms, far inside the safe integers once added to the current time. */
export const MAX_TIMEOUT_MS = 3_155_760_000_000

const encoder = new TextEncoder()

function shown(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80 ? `a string of ${encoder.encode(value).byteLength} bytes` : JSON.stringify(value)
  }
  if (typeof value === 'number') return String(value) // JSON would print NaN and Infinity as null
  if (value === undefined || typeof value === 'bigint' || typeof value === 'symbol') return String(value)
  if (typeof value === 'function') return 'a function'
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? typeof value
  } catch {
    return typeof value
  }
}

function fail(field: string, rule: string, value: unknown): never {
  throw new DBOSInvalidArgumentError(field, rule, shown(value))
}

/**
 * A string Postgres can store: no NUL character (text columns cannot hold one) and, when `maxBytes` is
 * given, at most that many bytes of UTF-8.
 * @example checkText('topic', topic, MAX_KEY_BYTES)
 */
export function checkText(field: string, value: unknown, maxBytes?: number): asserts value is string {
  if (typeof value !== 'string') fail(field, 'must be a string', value)
  if (value.includes('\0')) fail(field, 'must not contain a NUL character (\\u0000)', value)
  // A UTF-16 unit is at most 3 bytes of UTF-8: only a string longer than a third of the limit is encoded.
  if (maxBytes !== undefined && value.length * 3 > maxBytes && encoder.encode(value).byteLength > maxBytes) {
    fail(field, `must be at most ${maxBytes} bytes of UTF-8`, value)
  }
}

/** Like checkText, for an optional field: undefined passes. */
export function checkOptionalText(field: string, value: unknown, maxBytes?: number): asserts value is string | undefined {
  if (value !== undefined) checkText(field, value, maxBytes)
}

/** An ID or key that will be written (and indexed): no NUL, at most MAX_KEY_BYTES. */
export function checkKey(field: string, value: unknown): asserts value is string {
  checkText(field, value, MAX_KEY_BYTES)
}

/**
 * A workflow ID that is only looked up: no NUL, no length limit (a workflow written by another DBOS
 * implementation may have a longer ID, and it must stay reachable).
 */
export function checkLookupID(field: string, value: unknown): asserts value is string {
  checkText(field, value)
}

/** A queue name: no NUL, at most MAX_NAME_BYTES. */
export function checkQueueName(field: string, value: unknown): asserts value is string {
  checkText(field, value, MAX_NAME_BYTES)
}

/** A workflow class or config name (varchar(255)): no NUL, at most 255 characters. */
export function checkClassName(field: string, value: unknown): void {
  if (value === undefined || value === null || value === '') return
  checkText(field, value)
  if (value.length > MAX_CLASS_NAME_CHARS && [...value].length > MAX_CLASS_NAME_CHARS) {
    fail(field, `must be at most ${MAX_CLASS_NAME_CHARS} characters`, value)
  }
}

/** A wait in seconds (getEvent, recv): a finite number, zero or more. */
export function checkTimeoutSeconds(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(field, 'must be a finite number of seconds, zero or more', value)
  }
}

/** A sleep: any finite number (zero or less does not sleep), as in DBOS Transact. */
export function checkDuration(field: string, value: unknown, unit: 'milliseconds' | 'seconds'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, `must be a finite number of ${unit}`, value)
}

/**
 * A workflow timeout in milliseconds: positive, finite, at most MAX_TIMEOUT_MS. Returns it rounded up to a
 * whole millisecond, as it is stored in a bigint column (`seconds * 1000` is often not a whole number).
 */
export function checkTimeoutMS(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS) {
    fail(field, `must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS} (100 years)`, value)
  }
  return Math.ceil(value)
}

/** Like checkTimeoutMS for an optional timeout: undefined and null (no timeout) pass unchanged. */
export function checkOptionalTimeoutMS<T extends number | null | undefined>(field: string, value: T): T {
  return (value === undefined || value === null ? value : checkTimeoutMS(field, value)) as T
}

/** A step number or stream offset: an integer from 0 to MAX_INT4. */
export function checkIndex(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_INT4) {
    fail(field, `must be a non-negative integer, at most ${MAX_INT4}`, value)
  }
}

/** A count (queue concurrency, rate limit): an integer from 1 to MAX_INT4. */
export function checkCount(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_INT4) {
    fail(field, `must be a positive integer, at most ${MAX_INT4}`, value)
  }
}

/** A positive, finite number (a rate-limit period, a polling interval). */
export function checkPositiveFinite(field: string, value: unknown, unit: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(field, `must be a positive, finite number of ${unit}`, value)
  }
}

/** Listing filters: the strings among them must be storable (a NUL would fail the query). */
export function checkListFilters(field: string, filters: object): void {
  for (const [name, value] of Object.entries(filters)) {
    if (typeof value === 'string') checkText(`${field}.${name}`, value)
    else if (Array.isArray(value)) value.forEach((item, i) => checkText(`${field}.${name}[${i}]`, item))
  }
}

/**
 * Checks the arguments of a fork (DBOS.forkWorkflow, DBOSClient.forkWorkflow, the admin API's fork): the step
 * a step number, the new workflow's ID, version and timeout storable. Returns them with the timeout rounded up.
 */
export function checkFork(
  workflowID: string, startStep: number, options: { newWorkflowID?: string; applicationVersion?: string; timeoutMS?: number },
): { originalID: string; startStep: number; applicationVersion: string | undefined; timeoutMS: number | undefined } {
  checkLookupID('workflowID', workflowID)
  checkIndex('startStep', startStep)
  if (options.newWorkflowID !== undefined) checkKey('newWorkflowID', options.newWorkflowID)
  checkOptionalText('applicationVersion', options.applicationVersion, MAX_NAME_BYTES)
  const timeoutMS = checkOptionalTimeoutMS('timeoutMS', options.timeoutMS)
  return { originalID: workflowID, startStep, applicationVersion: options.applicationVersion, timeoutMS }
}
