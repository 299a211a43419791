import { newWorkflowID } from '../engine/workflow-ids.ts'
import type { StartParams } from '../engine/engine.ts'
import { checkClassName, checkOptionalText, checkOptionalTimeoutMS, checkText, MAX_NAME_BYTES } from '../internal/input-checks.ts'
import { asDuplicate, validateEnqueue } from '../queue/enqueue.ts'
import type { NewWorkflow, SystemDatabase } from '../sysdb/system-database.ts'

/** A workflow to enqueue by name, from a process that may not hold its code (`DBOSClient.enqueue`). */
export interface EnqueueByName {
  workflowName: string
  queueName: string
  workflowClassName?: string
  workflowConfigName?: string
  workflowID?: string
  appVersion?: string
  workflowTimeoutMS?: number
  deduplicationID?: string
  priority?: number
  queuePartitionKey?: string
}

/** A checked enqueue: the row to insert and the parameters its duplicate error names. */
export interface PreparedEnqueue {
  row: NewWorkflow
  params: StartParams
}

/**
 * Checks an enqueue by name and builds its ENQUEUED row, with `inputs` already encoded in `format`. Like DBOS
 * clients, any queue name is accepted: its executors may not have published it yet.
 */
export async function prepareEnqueue(
  sys: SystemDatabase, o: EnqueueByName, format: string, encode: () => Promise<string>,
): Promise<PreparedEnqueue> {
  const workflowID = newWorkflowID(o.workflowID)
  checkText('workflowName', o.workflowName)
  checkClassName('workflowClassName', o.workflowClassName)
  checkClassName('workflowConfigName', o.workflowConfigName)
  checkOptionalText('appVersion', o.appVersion, MAX_NAME_BYTES)
  const params: StartParams = {
    workflowID,
    queueName: o.queueName,
    enqueueOptions: {
      ...(o.deduplicationID !== undefined ? { deduplicationID: o.deduplicationID } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.queuePartitionKey !== undefined ? { queuePartitionKey: o.queuePartitionKey } : {}),
    },
  }
  const timeoutMS = checkOptionalTimeoutMS('workflowTimeoutMS', o.workflowTimeoutMS)
  await validateEnqueue(params, async () => true)
  const inputs = await encode()
  const row: NewWorkflow = {
    workflowID, status: 'ENQUEUED', name: o.workflowName, className: o.workflowClassName || null,
    configName: o.workflowConfigName || null, queueName: o.queueName, executorID: '',
    applicationVersion: o.appVersion ?? null, applicationID: '', recoveryAttempts: 0,
    timeoutMS: timeoutMS ?? null, deadlineEpochMS: null,
    deduplicationID: o.deduplicationID ?? null, priority: o.priority ?? 0,
    queuePartitionKey: o.queuePartitionKey ?? null, parentWorkflowID: null, serialization: format,
    token: crypto.randomUUID(), inputs, applicationName: sys.appName, authenticatedUser: '', authenticatedRoles: '[]',
  }
  return { row, params }
}

/**
 * Enqueues a workflow by name through `sys`: the pool, or (bound with `sys.within`) a transaction the caller
 * owns, so the workflow exists only if that transaction commits. An ID already taken is no error: its workflow
 * stays as it is, and the caller's handle follows it. Returns the workflow ID.
 * @throws DBOSQueueDuplicatedError when another active workflow on the queue holds the deduplication ID
 */
export async function enqueueByName(
  sys: SystemDatabase, o: EnqueueByName, format: string, encode: () => Promise<string>,
): Promise<string> {
  const { row, params } = await prepareEnqueue(sys, o, format, encode)
  await sys.insertWorkflows([row]).catch((e: unknown) => {
    throw asDuplicate(e, row.workflowID, params)
  })
  return row.workflowID
}
