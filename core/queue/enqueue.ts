import { DBOSError, DBOSInvalidQueuePriorityError, DBOSQueueDuplicatedError } from '../errors.ts'
import type { StartParams } from '../engine/engine.ts'
import { sqlState } from '../ports/database.ts'
import { INTERNAL_QUEUE } from '../sysdb/sql.ts'
import { declaredQueue } from './workflow-queue.ts'

const MAX_PRIORITY = 2147483647

/**
 * Checks a start's queue options before anything is written (spec §5.2).
 * @param queueKnown whether an undeclared queue name exists in the `queues` table (asked only when needed)
 */
export async function validateEnqueue(params: StartParams, queueKnown: (name: string) => Promise<boolean>): Promise<void> {
  const options = params.enqueueOptions
  const queueName = params.queueName
  if (queueName === undefined) {
    if (options && Object.values(options).some((v) => v !== undefined)) {
      throw new DBOSError('enqueueOptions need a queueName: deduplication, priority and partition keys only apply to queued workflows')
    }
    return
  }
  const priority = options?.priority
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY)) {
    throw new DBOSInvalidQueuePriorityError(priority, 1, MAX_PRIORITY)
  }
  const key = options?.queuePartitionKey
  if (key !== undefined && options?.deduplicationID !== undefined) {
    throw new DBOSError('Deduplication is not supported for partitioned queues')
  }
  if (queueName === INTERNAL_QUEUE) return
  const queue = declaredQueue(queueName)
  if (!queue) {
    if (!(await queueKnown(queueName))) {
      throw new DBOSError(
        `Queue '${queueName}' is not declared: create it with new WorkflowQueue('${queueName}') before DBOS.launch(), or with DBOS.registerQueue`,
      )
    }
    return
  }
  if (queue.partitionQueue && key === undefined) {
    throw new DBOSError(`Queue '${queueName}' is partitioned: enqueue with enqueueOptions.queuePartitionKey`)
  }
  if (!queue.partitionQueue && key !== undefined) {
    throw new DBOSError(`Queue '${queueName}' is not partitioned: remove enqueueOptions.queuePartitionKey or declare it with partitionQueue: true`)
  }
}

/** Turns a unique violation on insert into the deduplication error it means (spec §3.3 step 3). */
export function asDuplicate(e: unknown, workflowID: string, params: StartParams): unknown {
  if (sqlState(e) !== '23505') return e
  return new DBOSQueueDuplicatedError(workflowID, params.queueName ?? '', params.enqueueOptions?.deduplicationID ?? '')
}
