import { toWorkflowStatus, type WorkflowStatus } from '../engine/status.ts'
import { listSteps, type StepInfo } from '../engine/steps-info.ts'
import { checkListFilters, checkLookupID } from '../internal/input-checks.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { ExtraColumns, StatusRow, SystemDatabase } from '../sysdb/system-database.ts'
import { type GetWorkflowsInput, parseListInput } from './list-input.ts'

/** Workflows matching the filters (checked first: a bad one is named), ordered by creation time. */
export async function listWorkflows(sys: SystemDatabase, serialization: Serialization, input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
  const filters = parseListInput(input)
  checkListFilters('listWorkflows', filters)
  const rows = await sys.listWorkflows(filters)
  const load = { input: filters.loadInput ?? true, output: filters.loadOutput ?? true }
  return await Promise.all(rows.map((r) => toWorkflowStatus(r, serialization, load)))
}

/** Workflows currently on a queue (ENQUEUED or PENDING), with the same filters as listWorkflows; no outputs. */
export async function listQueuedWorkflows(sys: SystemDatabase, serialization: Serialization, input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
  return await listWorkflows(sys, serialization, { ...input, queuesOnly: true, loadOutput: false })
}

/**
 * The rows behind a listing, with their extra columns, for a caller that shows more than WorkflowStatus (the
 * admin API). A parent filter becomes the list of its children's IDs, intersected with any IDs asked for.
 */
export async function listWorkflowRows(
  sys: SystemDatabase, input: GetWorkflowsInput, parentWorkflowID: string | undefined,
): Promise<{ row: StatusRow; extra: ExtraColumns | undefined }[]> {
  if (parentWorkflowID !== undefined) {
    const children = await sys.childIDs(parentWorkflowID)
    const asked = input.workflowIDs
    input = { ...input, workflowIDs: asked ? children.filter((id) => asked.includes(id)) : children }
  }
  const rows = await sys.listWorkflows(input)
  const extras = await sys.readExtraColumns(rows.map((r) => r.workflow_uuid))
  return rows.map((row) => ({ row, extra: extras.get(row.workflow_uuid) }))
}

/** One workflow's row and extra columns, or undefined when there is none with this ID. */
export async function readWorkflowRow(
  sys: SystemDatabase, workflowID: string,
): Promise<{ row: StatusRow; extra: ExtraColumns | undefined } | undefined> {
  checkLookupID('workflowID', workflowID)
  const row = await sys.readStatus(workflowID)
  if (!row) return undefined
  return { row, extra: (await sys.readExtraColumns([workflowID])).get(workflowID) }
}

/** A workflow's status, or undefined when there is none with this ID. */
export async function getWorkflowStatus(sys: SystemDatabase, serialization: Serialization, workflowID: string): Promise<WorkflowStatus | undefined> {
  checkLookupID('workflowID', workflowID)
  const row = await sys.readStatus(workflowID)
  return row ? await toWorkflowStatus(row, serialization) : undefined
}

/** A workflow's recorded steps in ID order; undefined when the workflow does not exist. */
export async function listWorkflowSteps(sys: SystemDatabase, serialization: Serialization, workflowID: string): Promise<StepInfo[] | undefined> {
  checkLookupID('workflowID', workflowID)
  return await listSteps(sys, serialization, workflowID)
}
