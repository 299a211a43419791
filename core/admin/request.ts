import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import * as v from 'valibot'
import { describeIssues } from './schemas.ts'

/** A client error with a JSON `{ error }` body; handlers throw it and the app's error handler answers with it. */
export function clientError(status: 400 | 401 | 404 | 413, message: string): HTTPException {
  return new HTTPException(status, { res: Response.json({ error: message }, { status }) })
}

/** The request body as JSON: an empty body is `{}` (spec §9); anything else must parse. */
export async function readJSON(c: Context): Promise<unknown> {
  const raw = await c.req.text()
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
