import type { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

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

/** Lists a workflow's recorded steps in ID order; undefined when the workflow does not exist. */
export async function listSteps(
  sys: SystemDatabase,
  serialization: Serialization,
  workflowID: string,
): Promise<StepInfo[] | undefined> {
  const rows = await sys.readStepRows(workflowID)
  if (!rows) return undefined
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
