import * as v from 'valibot'
import { DBOSError } from '../errors.ts'
import type { Queryable } from '../ports/database.ts'
import { scope } from './sql.ts'
import { type StatusRow, STATUS_COLUMNS } from './workflow-status.ts'

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

/**
 * Lists workflow rows matching the filters (spec §8): equality filters, created_at bounds, an escaped ID
 * prefix, ordering by creation time; payload tables are joined only when their columns are wanted.
 */
export async function listWorkflowRows(
  q: Queryable,
  s: string,
  input: GetWorkflowsInput,
  appName: string | null,
): Promise<StatusRow[]> {
  const where: string[] = []
  const params: unknown[] = []
  const bind = (value: unknown) => (params.push(value), `$${params.length}`)
  const equal = (column: string, value: unknown) => {
    if (value !== undefined) where.push(`ws.${column} = ${bind(value)}`)
  }
  if (input.workflowIDs !== undefined) where.push(`ws.workflow_uuid = ANY(${bind(input.workflowIDs)}::text[])`)
  // Listings by ID are unscoped; the others see this application's rows (and unnamed ones).
  else where.push(scope('ws.application_name', bind(appName ? [appName] : null)))
  equal('name', input.workflowName)
  equal('status', input.status === 'RETRIES_EXCEEDED' ? 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' : input.status)
  equal('authenticated_user', input.authenticatedUser)
  equal('application_version', input.applicationVersion)
  equal('executor_id', input.executorId)
  equal('queue_name', input.queueName)
  equal('forked_from', input.forkedFrom)
  if (input.startTime !== undefined) where.push(`ws.created_at >= ${bind(Date.parse(input.startTime))}`)
  if (input.endTime !== undefined) where.push(`ws.created_at <= ${bind(Date.parse(input.endTime))}`)
  if (input.workflow_id_prefix !== undefined) {
    // Escaped: % and _ in a prefix are literal characters, not wildcards (spec §12.3).
    const escaped = input.workflow_id_prefix.replace(/[\\%_]/g, (c) => `\\${c}`)
    where.push(`ws.workflow_uuid LIKE ${bind(`${escaped}%`)} ESCAPE '\\'`)
  }
  if (input.queuesOnly) where.push(`ws.queue_name IS NOT NULL AND ws.status IN ('ENQUEUED', 'PENDING', 'DELAYED')`)
  const loadInput = input.loadInput ?? true
  const loadOutput = input.loadOutput ?? true
  const rows = await q.query<StatusRow>(
    `SELECT ${STATUS_COLUMNS},
       ${loadInput ? 'COALESCE(wi.inputs, ws.inputs)' : 'NULL'} AS inputs,
       ${loadOutput ? 'COALESCE(wo.output, ws.output)' : 'NULL'} AS output,
       ${loadOutput ? 'COALESCE(wo.error, ws.error)' : 'NULL'} AS error
     FROM ${s}.workflow_status ws
     ${loadInput ? `LEFT JOIN ${s}.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid` : ''}
     ${loadOutput ? `LEFT JOIN ${s}.workflow_output wo ON wo.workflow_uuid = ws.workflow_uuid` : ''}
     WHERE ${where.join(' AND ')}
     ORDER BY ws.created_at ${input.sortDesc ? 'DESC' : 'ASC'}, ws.workflow_uuid
     LIMIT ${bind(input.limit ?? null)} OFFSET ${bind(input.offset ?? 0)}`,
    params,
  )
  return rows
}
