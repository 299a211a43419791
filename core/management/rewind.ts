import { STREAM_CLOSED } from '../engine/streams.ts'
import { checkIndex, checkLookupID, checkOptionalText, checkQueueName, MAX_NAME_BYTES, MAX_PARTITION_KEY_BYTES } from '../internal/input-checks.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import { INTERNAL_QUEUE, type SystemDatabase } from '../sysdb/system-database.ts'
import type { LocalEffects } from './control.ts'

/** Where a rewound workflow runs again (DBOS 5.3's rewindWorkflow options). */
export interface RewindOptions {
  /** The first step to run again; 0 (the default) runs the whole workflow again. */
  startStep?: number
  applicationVersion?: string
  queueName?: string
  queuePartitionKey?: string
}

/**
 * Rewinds a finished workflow: its recorded history from `startStep` on is dropped, and it goes back on a queue
 * (the internal one by default) under its own ID, so it runs again from there. Only the system database's
 * history is rewound. A workflow still running must be cancelled first.
 * @throws DBOSNonExistentWorkflowError for an unknown ID; DBOSInvalidArgumentError for a bad option; DBOSError for a workflow not finished
 */
export async function rewindWorkflow(sys: SystemDatabase, workflowID: string, o: RewindOptions = {}, local?: LocalEffects): Promise<void> {
  checkLookupID('workflowID', workflowID)
  const startStep = o.startStep ?? 0
  checkIndex('startStep', startStep)
  checkOptionalText('applicationVersion', o.applicationVersion, MAX_NAME_BYTES)
  if (o.queueName !== undefined) checkQueueName('queueName', o.queueName)
  checkOptionalText('queuePartitionKey', o.queuePartitionKey, MAX_PARTITION_KEY_BYTES)
  await sys.rewindWorkflow({
    workflowID, startStep, applicationVersion: o.applicationVersion, queueName: o.queueName,
    queuePartitionKey: o.queuePartitionKey,
    closeMarkers: { portable: JSON.stringify(STREAM_CLOSED), bare: STREAM_CLOSED, format: PORTABLE },
  })
  local?.workflowsRequeued([workflowID], o.queueName ?? INTERNAL_QUEUE)
}
