import * as v from 'valibot'
import { DBOSError } from '../errors.ts'

const STATUSES: readonly ['PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED'] = ['PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED'] as const
const time = v.pipe(v.string(), v.check((t: string) => !Number.isNaN(Date.parse(t)), 'must be an RFC 3339 timestamp'))
// At most a double's exact integers: Postgres binds LIMIT and OFFSET as bigint and refuses more.
const count = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER))

/** One value, or any of several: 5.3's listing filters take both. */
const oneOrMany = <T extends v.GenericSchema<unknown, string>>(item: T, message: string) =>
  v.optional(v.union([item, v.array(item)], message))
const text = oneOrMany(v.string(), 'must be a string or a list of strings')
const status = oneOrMany(
  v.picklist(STATUSES),
  `must be one of ${STATUSES.join(', ')}, or a list of them`,
)

// Strict: a misspelt or unsupported filter would otherwise be dropped and the listing silently widened.
const inputSchema: v.GenericSchema<unknown, GetWorkflowsInput> = v.strictObject({
  workflowIDs: v.optional(v.array(v.string())),
  workflowName: text,
  status,
  startTime: v.optional(time),
  endTime: v.optional(time),
  completedAfter: v.optional(time),
  completedBefore: v.optional(time),
  dequeuedAfter: v.optional(time),
  dequeuedBefore: v.optional(time),
  authenticatedUser: text,
  applicationVersion: text,
  executorId: text,
  workflow_id_prefix: text,
  queueName: text,
  queuesOnly: v.optional(v.boolean()),
  forkedFrom: text,
  wasForkedFrom: v.optional(v.boolean()),
  isFork: v.optional(v.boolean()),
  parentWorkflowID: text,
  hasParent: v.optional(v.boolean()),
  attributes: v.optional(v.record(v.string(), v.unknown())),
  scheduleName: text,
  applicationName: text,
  limit: v.optional(count),
  offset: v.optional(count),
  sortDesc: v.optional(v.boolean()),
  loadInput: v.optional(v.boolean()),
  loadOutput: v.optional(v.boolean()),
})

type Status = (typeof STATUSES)[number]

/**
 * Filters of `DBOS.listWorkflows`, as DBOS Transact 5.3 takes them: every field narrows the listing, a list
 * matches any of its values, and a field not listed here is refused.
 */
export interface GetWorkflowsInput {
  workflowIDs?: string[]
  workflowName?: string | string[]
  /** ENQUEUED, PENDING, SUCCESS, ERROR, CANCELLED, MAX_RECOVERY_ATTEMPTS_EXCEEDED (alias RETRIES_EXCEEDED), DELAYED */
  status?: Status | Status[]
  /** RFC 3339; workflows created at or after it. */
  startTime?: string
  /** RFC 3339; workflows created at or before it. */
  endTime?: string
  /** RFC 3339; workflows that finished at or after it. */
  completedAfter?: string
  /** RFC 3339; workflows that finished at or before it. */
  completedBefore?: string
  /** RFC 3339; workflows taken off their queue at or after it. */
  dequeuedAfter?: string
  /** RFC 3339; workflows taken off their queue at or before it. */
  dequeuedBefore?: string
  authenticatedUser?: string | string[]
  applicationVersion?: string | string[]
  executorId?: string | string[]
  /** IDs starting with this (or any of these); `%` and `_` are literal. */
  workflow_id_prefix?: string | string[]
  queueName?: string | string[]
  queuesOnly?: boolean
  /** Forks of this workflow (or of any of these). */
  forkedFrom?: string | string[]
  /** true: workflows something was forked from; false: the others. */
  wasForkedFrom?: boolean
  /** true: forks only; false: no forks. */
  isFork?: boolean
  /** Children of this workflow (or of any of these). */
  parentWorkflowID?: string | string[]
  /** true: child workflows only; false: top-level ones only. */
  hasParent?: boolean
  /** Workflows whose attributes contain these (JSON containment). */
  attributes?: Record<string, unknown>
  /** Workflows started by this schedule (or any of these). */
  scheduleName?: string | string[]
  /**
   * This application's workflows (or any of these applications'), plus unnamed ones. Unset: the listing's
   * own application, except a listing by workflowIDs, which sees every application.
   */
  applicationName?: string | string[]
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
