// SQL of rewinding a finished workflow to one of its steps, so that it runs again from there under its own ID.
import { DBOSError, DBOSNonExistentWorkflowError } from '../errors.ts'
import { INTERNAL_QUEUE, NOW_MS, type Transactional } from './sql.ts'

/** Where a rewound workflow goes. */
export interface RewindRequest {
  workflowID: string
  /** The first step to run again (function IDs count from 0, so 0 replays everything). */
  startStep: number
  applicationVersion?: string | undefined
  queueName?: string | undefined
  queuePartitionKey?: string | undefined
  /** The stream close marker, as stored: portable JSON text, and its legacy bare form. */
  closeMarkers: { portable: string; bare: string; format: string }
}

/**
 * Drops a finished workflow's history from `startStep` on and puts it back on a queue under the same ID, in
 * one transaction. Events published from the cut on go back to the last value published before it (the
 * events history is the undo log; a key first published past the cut disappears); its steps, events history,
 * output and the messages it consumed from the cut on, or never consumed, are deleted; stream entries stay,
 * except the close marker, so the replay can append again.
 * @throws DBOSNonExistentWorkflowError for an unknown ID; DBOSError for a workflow not finished (cancel it first)
 */
export async function rewindWorkflow(db: Transactional, s: string, r: RewindRequest): Promise<void> {
  const id = r.workflowID
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ status: string }>(`SELECT status FROM ${s}.workflow_status WHERE workflow_uuid = $1`, [id])
    if (!row) throw new DBOSNonExistentWorkflowError(`Workflow ${id} does not exist`)
    if (row.status === 'PENDING' || row.status === 'ENQUEUED' || row.status === 'DELAYED') {
      throw new DBOSError(`Cannot rewind ${id} (${row.status}): only a workflow in a terminal state can be rewound, so cancel it first`)
    }
    const pastCut = (key: string) =>
      `EXISTS (SELECT 1 FROM ${s}.workflow_events_history d WHERE d.workflow_uuid = $1 AND d.key = ${key} AND d.function_id >= $2)`
    await tx.query(`DELETE FROM ${s}.workflow_events e WHERE e.workflow_uuid = $1 AND ${pastCut('e.key')}`, [id, r.startStep])
    await tx.query(
      `INSERT INTO ${s}.workflow_events (workflow_uuid, key, value, serialization)
       SELECT workflow_uuid, key, value, serialization FROM (
         SELECT h.workflow_uuid, h.key, h.value, h.serialization,
                ROW_NUMBER() OVER (PARTITION BY h.key ORDER BY h.function_id DESC) AS rn
         FROM ${s}.workflow_events_history h
         WHERE h.workflow_uuid = $1 AND h.function_id < $2 AND ${pastCut('h.key')}
       ) kept WHERE kept.rn = 1`,
      [id, r.startStep],
    )
    const m = r.closeMarkers
    await tx.query(
      `DELETE FROM ${s}.streams WHERE workflow_uuid = $1 AND function_id >= $2
         AND (value = $3 OR (value = $4 AND (serialization = $5 OR serialization IS NULL)))`,
      [id, r.startStep, m.bare, m.portable, m.format],
    )
    await tx.query(`DELETE FROM ${s}.operation_outputs WHERE workflow_uuid = $1 AND function_id >= $2`, [id, r.startStep])
    await tx.query(`DELETE FROM ${s}.workflow_events_history WHERE workflow_uuid = $1 AND function_id >= $2`, [id, r.startStep])
    await tx.query(
      `DELETE FROM ${s}.notifications WHERE destination_uuid = $1 AND (consumed_by_function_id >= $2 OR consumed = false)`,
      [id, r.startStep],
    )
    await tx.query(`DELETE FROM ${s}.workflow_output WHERE workflow_uuid = $1`, [id])
    // Guarded by the status read above: a workflow that moved on meanwhile is not brought back.
    const moved = await tx.query(
      `UPDATE ${s}.workflow_status
       SET status = 'ENQUEUED', owner_xid = NULL, queue_name = COALESCE($2, '${INTERNAL_QUEUE}'), queue_partition_key = $3,
           recovery_attempts = 0, workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
           completed_at = NULL, output = NULL, error = NULL, updated_at = ${NOW_MS},
           application_version = CASE WHEN $5::boolean THEN $6 ELSE application_version END
       WHERE workflow_uuid = $1 AND status = $4 RETURNING workflow_uuid`,
      [id, r.queueName ?? null, r.queuePartitionKey ?? null, row.status, r.applicationVersion !== undefined, r.applicationVersion ?? null],
    )
    if (moved.length !== 1) throw new DBOSError(`Workflow ${id} changed status while being rewound; retry the rewind`)
  })
}
