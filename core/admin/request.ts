import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import * as v from 'valibot'
import { DBOSConflictingWorkflowError, DBOSInvalidArgumentError, DBOSNonExistentWorkflowError } from '../errors.ts'
import { sqlState } from '../ports/database.ts'
import { describeIssues } from './schemas.ts'

/** A client error with a JSON `{ error }` body; handlers throw it and the app's error handler answers with it. */
export function clientError(status: 400 | 401 | 403 | 404 | 409 | 413 | 415, message: string): HTTPException {
  return new HTTPException(status, { res: Response.json({ error: message }, { status }) })
}

/** Reading the request body failed: the client closed the connection, or sent a truncated or broken body. */
class BodyReadError extends Error {}

/** Wraps a failure to read the body (HTTPExceptions, such as bodyLimit's 413, pass through as they are). */
export function bodyReadError(e: unknown): Error {
  if (e instanceof HTTPException || e instanceof BodyReadError) return e
  return new BodyReadError(e instanceof Error ? e.message : String(e), { cause: e })
}

/** True for an error that came from reading the request body rather than from handling it. */
export function isBodyReadError(error: unknown): boolean {
  return error instanceof BodyReadError
}

/**
 * The status for an error that is the client's mistake, undefined for any other: an unknown workflow is 404,
 * an ID already taken 409, and a value the database cannot hold (a NUL byte, a number out of range, an ID
 * too long for its index) 400. Input validation in the admin schemas catches most of the latter first.
 */
export function clientErrorStatus(error: unknown): 400 | 404 | 409 | undefined {
  if (error instanceof DBOSNonExistentWorkflowError) return 404
  if (error instanceof DBOSConflictingWorkflowError) return 409
  if (error instanceof DBOSInvalidArgumentError) return 400
  const state = sqlState(error)
  if (state === '23505') return 409 // unique_violation: a new workflow ID that already exists
  // Class 22 (data exception) and 54000 (program limit exceeded, e.g. index row size).
  if (state !== undefined && (state.startsWith('22') || state === '54000')) return 400
  return undefined
}

/** The answer's text for an error clientErrorStatus maps: DBOS's wording for an ID taken, else its message. */
export function clientErrorMessage(error: unknown): string {
  if (sqlState(error) === '23505') return 'a workflow with that ID already exists'
  return error instanceof Error ? error.message : String(error)
}

/**
 * A management operation that failed: the app's error handler answers it as it would its cause, with the
 * message `Error <what>: <reason>` (DBOS's wording), or logs it as a 500.
 */
export class OperationError extends Error {
  override name = 'OperationError'
  readonly what: string
  constructor(what: string, cause: unknown) {
    super(`Error ${what}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.what = what
  }
}

/** Runs a management operation; a failure reaches the app's error handler as an OperationError naming it. */
export async function operation<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (e) {
    throw new OperationError(what, e)
  }
}

/** The request body as JSON: an empty body is `{}` (docs/sysdb.md §9); anything else must parse. */
export async function readJSON(c: Context): Promise<unknown> {
  let raw: string
  try {
    raw = await c.req.text()
  } catch (e) {
    // A connection cut mid-body, or a body that is not text: the client's doing.
    throw bodyReadError(e)
  }
  if (raw.trim() === '') return {}
  try {
    return JSON.parse(raw)
  } catch {
    throw clientError(400, 'Request body is not valid JSON')
  }
}

/** Validates a parsed body; a 400 names every field that is wrong. */
export function validate<TSchema extends v.GenericSchema>(schema: TSchema, body: unknown): v.InferOutput<TSchema> {
  // valibot's object schemas accept arrays (they are objects); a listing filter sent as [] is a mistake.
  if (schema.type === 'object' && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    throw clientError(400, 'Invalid request body: (body): must be a JSON object')
  }
  const result = v.safeParse(schema, body)
  if (!result.success) throw clientError(400, `Invalid request body: ${describeIssues(result.issues)}`)
  return result.output
}

/** A path parameter, validated: a 400 names it (`id: must not contain a NUL character (\u0000)`). */
export function pathParam<TSchema extends v.GenericSchema>(c: Context, name: string, schema: TSchema): v.InferOutput<TSchema> {
  const result = v.safeParse(schema, c.req.param(name))
  if (!result.success) throw clientError(400, `Invalid path: ${name}: ${result.issues.map((i) => i.message).join('; ')}`)
  return result.output
}

/** Reads and validates the body in one go. */
export async function readBody<TSchema extends v.GenericSchema>(c: Context, schema: TSchema): Promise<v.InferOutput<TSchema>> {
  return validate(schema, await readJSON(c))
}

const encoder = new TextEncoder()

/** Compares a presented secret with the expected one in time that does not depend on where they differ. */
export function sameSecret(presented: string, expected: string): boolean {
  const a = encoder.encode(presented)
  const b = encoder.encode(expected)
  let diff = a.length ^ b.length
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i]!
  return diff === 0
}
