import { DBOSError, DBOSInvalidQueuePriorityError, DBOSQueueDuplicatedError } from '../errors.ts'
import type { StartParams } from '../engine/engine.ts'
import { sqlState } from '../ports/database.ts'
import { INTERNAL_QUEUE } from '../sysdb/system-database.ts'
import {
  checkClassName, checkKey, checkOptionalText, checkOptionalTimeoutMS, checkQueueName, MAX_KEY_BYTES, MAX_PARTITION_KEY_BYTES,
} from '../internal/input-checks.ts'
import { declaredQueue } from './workflow-queue.ts'

const MAX_PRIORITY = 2147483647

/**
 * Checks a start's options before anything is written (docs/sysdb.md §5.2): IDs and names Postgres can store and
 * index, a usable timeout, and queue options that fit the queue.
 * @param queueKnown whether an undeclared queue name exists in the `queues` table (asked only when needed)
 * @returns the parameters to start with: the same, with the timeout rounded up to a whole millisecond
 * @throws DBOSInvalidArgumentError naming the field for an ID, name or timeout that cannot be stored
 */
export async function validateEnqueue(params: StartParams, queueKnown: (name: string) => Promise<boolean>): Promise<StartParams> {
  if (params.workflowID !== undefined) checkKey('workflowID', params.workflowID)
  if (params.queueName !== undefined) checkQueueName('queueName', params.queueName)
  if (params.instance) checkClassName('ConfiguredInstance name', params.instance.name)
  const timeoutMS = checkOptionalTimeoutMS('timeoutMS', params.timeoutMS)
  const checked = timeoutMS === params.timeoutMS ? params : { ...params, timeoutMS }
  const options = params.enqueueOptions
  checkOptionalText('enqueueOptions.deduplicationID', options?.deduplicationID, MAX_KEY_BYTES)
  checkOptionalText('enqueueOptions.queuePartitionKey', options?.queuePartitionKey, MAX_PARTITION_KEY_BYTES)
  const queueName = params.queueName
  if (queueName === undefined) {
    if (options && Object.values(options).some((v) => v !== undefined)) {
      throw new DBOSError('enqueueOptions need a queueName: deduplication, priority and partition keys only apply to queued workflows')
    }
    return checked
  }
  const priority = options?.priority
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 1 || priority > MAX_PRIORITY)) {
    throw new DBOSInvalidQueuePriorityError(priority, 1, MAX_PRIORITY)
  }
  const key = options?.queuePartitionKey
  if (key !== undefined && options?.deduplicationID !== undefined) {
    throw new DBOSError('Deduplication is not supported for partitioned queues')
  }
  if (queueName === INTERNAL_QUEUE) return checked
  const queue = declaredQueue(queueName)
  if (!queue) {
    if (!(await queueKnown(queueName))) {
      throw new DBOSError(
        `Queue '${queueName}' is not declared: create it with new WorkflowQueue('${queueName}') before DBOS.launch(), or with DBOS.registerQueue`,
      )
    }
    return checked
  }
  if (queue.partitionQueue && key === undefined) {
    throw new DBOSError(`Queue '${queueName}' is partitioned: enqueue with enqueueOptions.queuePartitionKey`)
  }
  if (!queue.partitionQueue && key !== undefined) {
    throw new DBOSError(`Queue '${queueName}' is not partitioned: remove enqueueOptions.queuePartitionKey or declare it with partitionQueue: true`)
  }
  return checked
}

/** Turns a unique violation on insert into the deduplication error it means (docs/sysdb.md §3.3 step 3). */
export function asDuplicate(e: unknown, workflowID: string, params: StartParams): unknown {
  if (sqlState(e) !== '23505') return e
  return new DBOSQueueDuplicatedError(workflowID, params.queueName ?? '', params.enqueueOptions?.deduplicationID ?? '')
}
