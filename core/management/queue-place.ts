import { DBOSError, DBOSInvalidQueuePriorityError } from '../errors.ts'
import { checkLookupID, MAX_INT4 } from '../internal/input-checks.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/** How long a DELAYED workflow stays delayed: seconds from now, or until an instant (DBOS 5.3's SetWorkflowDelayOptions). */
export interface SetWorkflowDelayOptions {
  delaySeconds?: number
  delayUntilEpochMS?: number
}

/**
 * Sets the priority of a workflow waiting on its queue (ENQUEUED or DELAYED; 0 runs first). A workflow that
 * has left its queue, or does not exist, is left alone.
 * @throws DBOSInvalidQueuePriorityError outside 0 … 2,147,483,647
 */
export async function setWorkflowPriority(sys: SystemDatabase, workflowID: string, priority: number): Promise<void> {
  checkLookupID('workflowID', workflowID)
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > MAX_INT4) {
    throw new DBOSInvalidQueuePriorityError(priority, 0, MAX_INT4)
  }
  await sys.setWorkflowPriority(workflowID, priority)
}

/**
 * Moves the end of a DELAYED workflow's delay: `options` seconds from `now`, or the given delay. Only a
 * DELAYED workflow changes; when its delay ends it becomes ENQUEUED.
 * @throws DBOSError for a delay that is not positive, or options naming neither delaySeconds nor delayUntilEpochMS
 */
export async function setWorkflowDelay(
  sys: SystemDatabase, workflowID: string, options: number | SetWorkflowDelayOptions, now: number,
): Promise<void> {
  checkLookupID('workflowID', workflowID)
  await sys.setWorkflowDelay(workflowID, delayUntil(options, now))
}

function delayUntil(options: number | SetWorkflowDelayOptions, now: number): number {
  const o = typeof options === 'number' ? { delaySeconds: options } : options ?? {}
  if (o.delayUntilEpochMS !== undefined) return Math.ceil(positive('delayUntilEpochMS', o.delayUntilEpochMS))
  if (o.delaySeconds !== undefined) return Math.ceil(now + positive('delaySeconds', o.delaySeconds) * 1000)
  throw new DBOSError('SetWorkflowDelayOptions must specify either delaySeconds or delayUntilEpochMS')
}

function positive(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new DBOSError(`${field} must be greater than 0`)
  return value
}
