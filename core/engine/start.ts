import { DBOSStepNondeterminismError, DBOSWorkflowConflictError } from '../errors.ts'
import { asDuplicate } from '../queue/enqueue.ts'
import type { InsertedWorkflow, NewWorkflow } from '../sysdb/system-database.ts'
import type { Engine, StartParams } from './engine.ts'
import { Handle, type WorkflowHandle } from './handle.ts'
import { recordedValue, recordOperation } from './operations.ts'
import type { WorkflowRegistration } from './registry.ts'
import type { Execution } from './workflow-context.ts'

/**
 * Starts a workflow from outside any workflow (docs/sysdb.md §3.3): inserts its row and, when this call created a
 * PENDING row, runs it here in the background. An existing ID is never re-run: the handle reads its outcome.
 */
export async function startTopLevel<R>(
  engine: Engine,
  getEngine: () => Engine,
  reg: WorkflowRegistration,
  args: unknown[],
  params: StartParams,
): Promise<WorkflowHandle<R>> {
  const workflowID = params.workflowID ?? crypto.randomUUID()
  const format = engine.formatFor(reg)
  const inputs = await engine.encodeArgs(reg, args, format)
  const row = engine.newRow(reg, workflowID, inputs, format, params)
  const stored = await engine.insert(row).catch((e: unknown) => {
    throw asDuplicate(e, workflowID, params)
  })
  runIfCreated(engine, stored, row, format, reg, args, params)
  return new Handle<R>(getEngine, workflowID)
}

/**
 * Starts a child workflow as operation `id` of `parent`. On replay the recorded child ID is returned; on a
 * first run the parent's owner check, the child's row and the parent's checkpoint commit together, so a
 * crash can neither lose the child nor start it twice.
 */
export async function startChild<R>(
  engine: Engine,
  getEngine: () => Engine,
  parent: Execution,
  id: number,
  reg: WorkflowRegistration,
  args: unknown[],
  params: StartParams,
): Promise<WorkflowHandle<R>> {
  const op = engine.recorded(parent, id, reg.name)
  if (op) {
    if (op.error !== null) await recordedValue(engine, op)
    return new Handle<R>(getEngine, op.child_workflow_id ?? '')
  }
  const { runtime } = engine.settings
  const workflowID = params.workflowID ?? `${parent.workflowID}-${id}`
  const format = engine.formatFor(reg)
  const inputs = await engine.encodeArgs(reg, args, format)
  const row = engine.newRow(reg, workflowID, inputs, format, params, parent)
  const now = runtime.timer.now()
  const stored = await insertChild(engine, parent, id, reg, row, now).catch(async (e: unknown) => {
    const error = asDuplicate(e, workflowID, params)
    // A duplicate is part of the parent's history: replay must throw it again, not retry the enqueue.
    if (error !== e) await recordOperation(engine, parent, id, reg.name, undefined, now, { error })
    throw error
  })
  runIfCreated(engine, stored, row, format, reg, args, params)
  return new Handle<R>(getEngine, workflowID)
}

/** After the insert: if this call created the row, run it now (PENDING) or wake its queue's dispatcher. */
function runIfCreated(
  engine: Engine,
  stored: InsertedWorkflow,
  row: NewWorkflow,
  format: string,
  reg: WorkflowRegistration,
  args: unknown[],
  params: StartParams,
): void {
  engine.checkConflict(stored, row)
  if (stored.creator_xid !== row.token) return
  if (row.status === 'PENDING') {
    const exec = engine.execution(row.workflowID, row.token, stored.serialization ?? format, row.deadlineEpochMS)
    engine.launch(exec, reg, args, params.instance ?? reg.target)
  } else {
    engine.onEnqueue(row.queueName!)
  }
}

function insertChild(engine: Engine, parent: Execution, id: number, reg: WorkflowRegistration, row: NewWorkflow, now: number) {
  const workflowID = row.workflowID
  return engine.settings.sys.transaction(async (tx) => {
    const [inserted] = await tx.insertWorkflows([row])
    const [result] = await tx.writeCheckpoints([{
      workflowID: parent.workflowID, token: parent.token, functionID: id, name: reg.name, output: null,
      error: null, childWorkflowID: workflowID, startedAt: now, completedAt: now, serialization: null,
    }])
    if (result === 'not-owner') throw new DBOSWorkflowConflictError(parent.workflowID)
    if (result === 'duplicate') throw new DBOSStepNondeterminismError(parent.workflowID, id)
    return inserted!
  })
}
