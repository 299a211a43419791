import type { GetWorkflowsInput } from '../management/list-input.ts'
import type { Queryable } from '../ports/database.ts'
import { scope } from './sql.ts'
import { type StatusRow, STATUS_COLUMNS } from './workflow-status.ts'

/** Validated listing filters (core/management/list-input.ts checks them before they reach SQL). */
export type WorkflowFilters = GetWorkflowsInput

/** A filter's values as a list: one value is a list of one. */
const many = (value: string | readonly string[]): readonly string[] => (typeof value === 'string' ? [value] : value)

/**
 * Lists workflow rows matching the filters (docs/sysdb.md §8): equality filters (a list matches any of its values),
 * time bounds, escaped ID prefixes, parent, fork, schedule, attribute and application filters, ordering by
 * creation time; payload tables are joined only when their columns are wanted. Every value is a bound parameter.
 */
export async function listWorkflowRows(
  q: Queryable,
  s: string,
  input: WorkflowFilters,
  appName: string | null,
): Promise<StatusRow[]> {
  const where: string[] = []
  const params: unknown[] = []
  const bind = (value: unknown) => (params.push(value), `$${params.length}`)
  const anyOf = (column: string, value: string | readonly string[] | undefined) => {
    if (value !== undefined) where.push(`ws.${column} = ANY(${bind(many(value))}::text[])`)
  }
  const isSet = (column: string, value: boolean | undefined) => {
    if (value !== undefined) where.push(`ws.${column} IS ${value ? 'NOT NULL' : 'NULL'}`)
  }
  const between = (column: string, after: string | undefined, before: string | undefined) => {
    if (after !== undefined) where.push(`ws.${column} >= ${bind(Date.parse(after))}`)
    if (before !== undefined) where.push(`ws.${column} <= ${bind(Date.parse(before))}`)
  }
  if (input.workflowIDs !== undefined) where.push(`ws.workflow_uuid = ANY(${bind(input.workflowIDs)}::text[])`)
  // Named applications' rows (and unnamed ones); unset, this application's, except that a listing by ID
  // sees every application. An empty name names no application.
  const named = input.applicationName === undefined ? undefined : many(input.applicationName).filter((n) => n !== '')
  const apps = named ?? (input.workflowIDs !== undefined || !appName ? [] : [appName])
  where.push(scope('ws.application_name', bind(apps.length > 0 ? apps : null)))
  anyOf('name', input.workflowName)
  if (input.status !== undefined) {
    anyOf('status', many(input.status).map((st) => (st === 'RETRIES_EXCEEDED' ? 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' : st)))
  }
  anyOf('authenticated_user', input.authenticatedUser)
  anyOf('application_version', input.applicationVersion)
  anyOf('executor_id', input.executorId)
  anyOf('queue_name', input.queueName)
  anyOf('forked_from', input.forkedFrom)
  anyOf('parent_workflow_id', input.parentWorkflowID)
  anyOf('schedule_name', input.scheduleName)
  isSet('forked_from', input.isFork)
  isSet('parent_workflow_id', input.hasParent)
  if (input.wasForkedFrom !== undefined) where.push(`ws.was_forked_from = ${bind(input.wasForkedFrom)}`)
  // Bound as text: a driver would encode a parameter it sees typed jsonb as a JSON string of the text.
  if (input.attributes !== undefined) where.push(`ws.attributes @> ${bind(JSON.stringify(input.attributes))}::text::jsonb`)
  between('created_at', input.startTime, input.endTime)
  between('completed_at', input.completedAfter, input.completedBefore)
  // started_at_epoch_ms is set when a queue hands the workflow out (WorkflowStatus.dequeuedAt).
  between('started_at_epoch_ms', input.dequeuedAfter, input.dequeuedBefore)
  if (input.workflow_id_prefix !== undefined) {
    // Escaped: % and _ in a prefix are literal characters, not wildcards (docs/sysdb.md §12.3).
    const patterns = many(input.workflow_id_prefix).map((p) => `${p.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    where.push(`(${patterns.map((p) => `ws.workflow_uuid LIKE ${bind(p)} ESCAPE '\\'`).join(' OR ') || 'FALSE'})`)
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
