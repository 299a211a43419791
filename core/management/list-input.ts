import * as v from 'valibot'
import { DBOSError } from '../errors.ts'

const STATUSES: readonly ['PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED'] = ['PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED'] as const
const time = v.pipe(v.string(), v.check((t: string) => !Number.isNaN(Date.parse(t)), 'must be an RFC 3339 timestamp'))
// At most a double's exact integers: Postgres binds LIMIT and OFFSET as bigint and refuses more.
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))

const inputSchema: v.GenericSchema<unknown, GetWorkflowsInput> = v.object({
  workflowIDs: v.optional(v.array(v.string())),
  workflowName: v.optional(v.string()),
  status: v.optional(v.picklist(STATUSES, `must be one of ${STATUSES.join(', ')}`)),
  startTime: v.optional(time),
  endTime: v.optional(time),
  authenticatedUser: v.optional(v.string()),
  applicationVersion: v.optional(v.string()),
  executorId: v.optional(v.string()),
  workflow_id_prefix: v.optional(v.string()),
  queueName: v.optional(v.string()),
  queuesOnly: v.optional(v.boolean()),
  forkedFrom: v.optional(v.string()),
  limit: v.optional(count),
  offset: v.optional(count),
  sortDesc: v.optional(v.boolean()),
  loadInput: v.optional(v.boolean()),
  loadOutput: v.optional(v.boolean()),
})

/** The guide's GetWorkflowsInput: filters of `DBOS.listWorkflows`. */
export interface GetWorkflowsInput {
  workflowIDs?: string[]
  workflowName?: string
  /** ENQUEUED, PENDING, SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED (alias RETRIES_EXCEEDED), DELAYED */
  status?: (typeof STATUSES)[number]
  /** RFC 3339; workflows created at or after it. */
  startTime?: string
  /** RFC 3339; workflows created at or before it. */
  endTime?: string
  authenticatedUser?: string
  applicationVersion?: string
  executorId?: string
  workflow_id_prefix?: string
  queueName?: string
  queuesOnly?: boolean
  forkedFrom?: string
  limit?: number
  offset?: number
  sortDesc?: boolean
  loadInput?: boolean
  loadOutput?: boolean
}

/** Validates listing filters; a bad field is named in a DBOSError. */
export function parseListInput(input: unknown): GetWorkflowsInput {
  const result = v.safeParse(inputSchema, input ?? {})
  if (result.success) return result.output
  const problems = result.issues.map((i) => `${v.getDotPath(i) ?? '(input)'}: ${i.message}`)
  throw new DBOSError(`Invalid workflow listing filter: ${problems.join('; ')}`)
}
