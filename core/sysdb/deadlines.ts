import type { Queryable } from '../ports/database.ts'
import { NOW_MS, scope } from './sql.ts'

/**
 * Cancels up to `batch` active workflows of this application whose deadline has passed at `now` (only
 * `workflowID` when given), skipping rows another transaction holds. Returns the cancelled IDs.
 */
export async function cancelExpired(
  q: Queryable,
  s: string,
  now: number,
  appName: string | null,
  workflowID: string | undefined,
  batch: number,
): Promise<string[]> {
  // The status literals stay inline so the planner can use idx_workflow_status_deadline.
  const rows = await q.query<{ workflow_uuid: string }>(
    `WITH expired AS MATERIALIZED (
       SELECT workflow_uuid FROM ${s}.workflow_status
       WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL
         AND workflow_deadline_epoch_ms <= $1 AND ${scope('application_name', '$2')}
         AND ($3::text IS NULL OR workflow_uuid = $3)
       ORDER BY workflow_deadline_epoch_ms LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE ${s}.workflow_status ws
     SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
         started_at_epoch_ms = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
     FROM expired WHERE ws.workflow_uuid = expired.workflow_uuid
     RETURNING ws.workflow_uuid`,
    [now, appName ? [appName] : null, workflowID ?? null, batch],
  )
  return rows.map((r) => r.workflow_uuid)
}
