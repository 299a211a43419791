import type { Queryable } from '../ports/database.ts'
import { deleteWorkflowsSql } from '../sysdb/management.ts'
import { scope } from '../sysdb/sql.ts'

// The admin server's own statements: the columns its workflow objects show beyond WorkflowStatus, and the
// retention operations of spec §4.5.

/** Status columns the admin workflow object shows that WorkflowStatus does not carry. */
export interface ExtraColumns {
  was_forked_from: boolean
  delay_until_epoch_ms: number | null
  completed_at: number | null
  /** JSON text of the jsonb column. */
  attributes: string | null
  schedule_name: string | null
  application_name: string | null
}

/** The extra columns of these workflows, by ID. */
export async function readExtraColumns(q: Queryable, s: string, ids: readonly string[]): Promise<Map<string, ExtraColumns>> {
  if (ids.length === 0) return new Map()
  const rows = await q.query<ExtraColumns & { workflow_uuid: string }>(
    `SELECT workflow_uuid, was_forked_from, delay_until_epoch_ms, completed_at, attributes::text AS attributes,
            schedule_name, application_name
     FROM ${s}.workflow_status WHERE workflow_uuid = ANY($1::text[])`,
    [ids],
  )
  return new Map(rows.map((r) => [r.workflow_uuid, r]))
}

/** IDs of a workflow's direct children. */
export async function childIDs(q: Queryable, s: string, parentID: string): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status WHERE parent_workflow_id = $1`,
    [parentID],
  )
  return rows.map((r) => r.workflow_uuid)
}

const GC_BATCH = 1000

/**
 * Deletes the finished workflows of this application created before the cutoff (spec §4.5). With
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

/** IDs of this application's active workflows created at or before the cutoff (the global timeout, spec §4.5). */
export async function activeCreatedBy(q: Queryable, s: string, appName: string | null, cutoffEpochMs: number): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status
     WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND created_at <= $1 AND ${scope('application_name', '$2')}`,
    [cutoffEpochMs, appName ? [appName] : null],
  )
  return rows.map((r) => r.workflow_uuid)
}
