import type { Queryable } from '../ports/database.ts'

// Reads for management surfaces (admin, DBOS, client): what a workflow object shows beyond WorkflowStatus,
// its children, and its recorded steps.

/** Status columns the admin workflow object shows that WorkflowStatus does not carry. */
export interface ExtraColumns {
  was_forked_from: boolean
  delay_until_epoch_ms: number | null
  completed_at: number | null
  /** JSON text of the jsonb column. */
  attributes: string | null
  schedule_name: string | null
  application_name: string | null
}

/** The extra columns of these workflows, by ID. */
export async function readExtraColumns(q: Queryable, s: string, ids: readonly string[]): Promise<Map<string, ExtraColumns>> {
  if (ids.length === 0) return new Map()
  const rows = await q.query<ExtraColumns & { workflow_uuid: string }>(
    `SELECT workflow_uuid, was_forked_from, delay_until_epoch_ms, completed_at, attributes::text AS attributes,
            schedule_name, application_name
     FROM ${s}.workflow_status WHERE workflow_uuid = ANY($1::text[])`,
    [ids],
  )
  return new Map(rows.map((r) => [r.workflow_uuid, r]))
}

/** IDs of a workflow's direct children. */
export async function childIDs(q: Queryable, s: string, parentID: string): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status WHERE parent_workflow_id = $1`,
    [parentID],
  )
  return rows.map((r) => r.workflow_uuid)
}

/** One recorded operation as `listWorkflowSteps` shows it. */
export interface StepRow {
  function_id: number
  function_name: string
  output: string | null
  error: string | null
  child_workflow_id: string | null
  started_at_epoch_ms: number | null
  completed_at_epoch_ms: number | null
  serialization: string | null
}

/** A workflow's recorded operations in ID order; undefined when the workflow does not exist. */
export async function readStepRows(q: Queryable, s: string, workflowID: string): Promise<StepRow[] | undefined> {
  const [exists] = await q.query(`SELECT 1 FROM ${s}.workflow_status WHERE workflow_uuid = $1`, [workflowID])
  if (!exists) return undefined
  return await q.query<StepRow>(
    `SELECT function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
            completed_at_epoch_ms, serialization
     FROM ${s}.operation_outputs WHERE workflow_uuid = $1 ORDER BY function_id`,
    [workflowID],
  )
}
