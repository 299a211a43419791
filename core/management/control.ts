import { newWorkflowID } from '../engine/workflow-ids.ts'
import { DBOSError } from '../errors.ts'
import { checkFork, checkText } from '../internal/input-checks.ts'
import { INTERNAL_QUEUE, type SystemDatabase } from '../sysdb/system-database.ts'
import { type Targets, targetIDs } from './targets.ts'

/**
 * What a management operation does in a process that runs workflows (the engine, for `DBOS` and the admin
 * API): a cancelled run going here stops at its next operation, and a requeued workflow is dispatched now
 * rather than at the next poll. A `DBOSClient` runs nothing, so it passes none.
 */
export interface LocalEffects {
  workflowsCancelled(ids: readonly string[]): void
  workflowsRequeued(ids: readonly string[], queueName: string): void
}

/** DBOS 5.3's `CancelWorkflowsOptions`. */
export interface CancelWorkflowsOptions {
  /** Also cancel every descendant (child) workflow, level by level. Default false, as in DBOS 5.3. */
  cancelChildren?: boolean
}

/**
 * Cancels workflows (with `cancelChildren`, their descendants too); returns every workflow it cancelled. An
 * unknown ID is no error.
 */
export async function cancelWorkflows(
  sys: SystemDatabase, targets: Targets, local?: LocalEffects, options: CancelWorkflowsOptions = {},
): Promise<string[]> {
  const cancelled = await sys.cancelWorkflows(targetIDs(targets), options.cancelChildren === true)
  local?.workflowsCancelled(cancelled)
  return cancelled
}

/** Options of a resume, as `DBOS.resumeWorkflows` takes them. */
export interface ResumeOptions {
  /** The queue they run on; default the internal one. */
  queueName?: string
}

/**
 * Puts workflows back on a queue (default the internal one) to run again from their last recorded step; a run
 * still going elsewhere loses its ownership. Throws DBOSNonExistentWorkflowError for an unknown ID, and
 * DBOSError for a queue that does not exist (nothing would ever run them there).
 */
export async function resumeWorkflows(
  sys: SystemDatabase, targets: Targets, local?: LocalEffects, options: ResumeOptions = {},
): Promise<string[]> {
  const ids = targetIDs(targets)
  const queueName = options.queueName ?? INTERNAL_QUEUE
  if (queueName !== INTERNAL_QUEUE) {
    checkText('queueName', queueName)
    if (!(await sys.queueExists(queueName))) {
      throw new DBOSError(`Queue '${queueName}' does not exist: resume onto a declared queue, or omit queueName`)
    }
  }
  await sys.resumeWorkflows(ids, queueName)
  local?.workflowsRequeued(ids, queueName)
  return ids
}

/** Options of a fork, as `DBOS.forkWorkflow` and `DBOSClient.forkWorkflow` take them. */
export interface ForkOptions {
  newWorkflowID?: string
  applicationVersion?: string
  timeoutMS?: number
}

/**
 * Starts a new workflow that replays the original's steps below `startStep` and runs the rest; returns its ID
 * (a random UUID unless given). Every argument is checked first: a step that is not a whole number from 0,
 * a new ID, version or timeout the database cannot hold. Throws DBOSNonExistentWorkflowError for an unknown
 * original.
 */
export async function forkWorkflow(
  sys: SystemDatabase, workflowID: string, startStep: number, options: ForkOptions = {}, local?: LocalEffects,
): Promise<string> {
  const fork = checkFork(workflowID, startStep, options)
  const newID = newWorkflowID(options.newWorkflowID)
  await sys.forkWorkflow({ ...fork, newID })
  local?.workflowsRequeued([newID], INTERNAL_QUEUE)
  return newID
}

/**
 * Deletes workflows' status, inputs, outputs, steps, messages, events and streams, with `deleteChildren` those
 * of all their descendants too.
 */
export async function deleteWorkflows(sys: SystemDatabase, targets: Targets, deleteChildren: boolean): Promise<void> {
  await sys.deleteWorkflows(targetIDs(targets), deleteChildren)
}

/** The queues users declared, without the internal one that resumed and forked workflows run on. */
export function userQueues<Q extends { readonly name: string }>(queues: readonly Q[]): Q[] {
  return queues.filter((q) => q.name !== INTERNAL_QUEUE)
}
