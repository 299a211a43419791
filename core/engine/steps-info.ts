import type { Serialization } from '../serialization/serializer.ts'
import type { Queryable } from '../ports/database.ts'

/** The guide's StepInfo: one recorded operation of a workflow. */
export interface StepInfo {
  readonly functionID: number
  readonly name: string
  readonly output: unknown
  readonly error: Error | null
  readonly childWorkflowID: string | null
  readonly startedAtEpochMs?: number
  readonly completedAtEpochMs?: number
}

interface StepRow {
  function_id: number
  function_name: string
  output: string | null
  error: string | null
  child_workflow_id: string | null
  started_at_epoch_ms: number | null
  completed_at_epoch_ms: number | null
  serialization: string | null
}

/** Lists a workflow's recorded steps in ID order; undefined when the workflow does not exist. */
export async function listSteps(
  q: Queryable,
  s: string,
  serialization: Serialization,
  workflowID: string,
): Promise<StepInfo[] | undefined> {
  const [exists] = await q.query(`SELECT 1 FROM ${s}.workflow_status WHERE workflow_uuid = $1`, [workflowID])
  if (!exists) return undefined
  const rows = await q.query<StepRow>(
    `SELECT function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
            completed_at_epoch_ms, serialization
     FROM ${s}.operation_outputs WHERE workflow_uuid = $1 ORDER BY function_id`,
    [workflowID],
  )
  return await Promise.all(
    rows.map(async (r) => ({
      functionID: Number(r.function_id),
      name: r.function_name,
      output: r.output === null ? null : await serialization.safeDecode(r.output, r.serialization),
      error: r.error === null ? null : await serialization.safeDecodeError(r.error, r.serialization),
      childWorkflowID: r.child_workflow_id,
      ...(r.started_at_epoch_ms === null ? {} : { startedAtEpochMs: Number(r.started_at_epoch_ms) }),
      ...(r.completed_at_epoch_ms === null ? {} : { completedAtEpochMs: Number(r.completed_at_epoch_ms) }),
    })),
  )
}
