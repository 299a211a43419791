import type { GetWorkflowsInput } from '../management/list-input.ts'
import type { Queryable } from '../ports/database.ts'
import { scope } from './sql.ts'
import { type StatusRow, STATUS_COLUMNS } from './workflow-status.ts'

/** Validated listing filters (core/management/list-input.ts checks them before they reach SQL). */
export type WorkflowFilters = GetWorkflowsInput

/**
 * Lists workflow rows matching the filters (spec §8): equality filters, created_at bounds, an escaped ID
 * prefix, ordering by creation time; payload tables are joined only when their columns are wanted.
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
