import type { Queryable } from '../ports/database.ts'
import { deleteWorkflowsSql } from './management.ts'
import { scope } from './sql.ts'

// Retention (docs/sysdb.md §4.5): garbage collection and the global timeout's selection.

const GC_BATCH = 1000

/**
 * Deletes the finished workflows of this application created before the cutoff (docs/sysdb.md §4.5). With
 * `rowsThreshold`, the creation time of the row at that position, newest first, is the cutoff if it is later,
 * so at least that many recent workflows stay. Returns how many workflows were deleted.
 */
export async function garbageCollect(
  q: Queryable,
  s: string,
  appName: string | null,
  cutoffEpochMs: number | undefined,
  rowsThreshold: number | undefined,
): Promise<number> {
  const names = appName ? [appName] : null
  let cutoff = cutoffEpochMs
  if (rowsThreshold !== undefined) {
    const [row] = await q.query<{ created_at: number }>(
      `SELECT created_at FROM ${s}.workflow_status WHERE ${scope('application_name', '$1')}
       ORDER BY created_at DESC LIMIT 1 OFFSET $2`,
      [names, rowsThreshold - 1],
    )
    if (row && (cutoff === undefined || Number(row.created_at) > cutoff)) cutoff = Number(row.created_at)
  }
  if (cutoff === undefined) return 0
  let deleted = 0
  for (;;) {
    // One statement per batch, so each batch is atomic without a transaction.
    // SKIP LOCKED: a row being written right now is left for the next collection.
    const rows = await q.query<{ workflow_uuid: string }>(
      deleteWorkflowsSql(
        s,
        `SELECT workflow_uuid FROM ${s}.workflow_status
         WHERE created_at < $1 AND status IN ('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')
           AND ${scope('application_name', '$2')}
         LIMIT ${GC_BATCH} FOR UPDATE SKIP LOCKED`,
      ),
      [cutoff, names],
    )
    deleted += rows.length
    if (rows.length < GC_BATCH) return deleted
  }
}

/** IDs of this application's active workflows created at or before the cutoff (the global timeout, docs/sysdb.md §4.5). */
export async function activeCreatedBy(q: Queryable, s: string, appName: string | null, cutoffEpochMs: number): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status
     WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND created_at <= $1 AND ${scope('application_name', '$2')}`,
    [cutoffEpochMs, appName ? [appName] : null],
  )
  return rows.map((r) => r.workflow_uuid)
}
