import { DBOSNonExistentWorkflowError } from '../errors.ts'
import type { Queryable } from '../ports/database.ts'
import { INTERNAL_QUEUE, NOW_MS, type Transactional } from './sql.ts'

/**
 * Cancels workflows and, with `withChildren`, level by level their descendants (docs/sysdb.md §4.2); finished
 * ones are left alone. Returns every ID it cancelled.
 */
export async function cancelWorkflows(q: Queryable, s: string, ids: readonly string[], withChildren: boolean): Promise<string[]> {
  const cancelled: string[] = []
  let level = [...ids]
  const seen = new Set<string>()
  while (level.length > 0) {
    for (const id of level) seen.add(id)
    const rows = await q.query<{ workflow_uuid: string }>(
      `UPDATE ${s}.workflow_status
       SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
           started_at_epoch_ms = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
       WHERE workflow_uuid = ANY($1::text[]) AND status NOT IN ('SUCCESS', 'ERROR', 'CANCELLED')
       RETURNING workflow_uuid`,
      [level],
    )
    cancelled.push(...rows.map((r) => r.workflow_uuid))
    if (!withChildren) break
    const children = await q.query<{ workflow_uuid: string }>(
      `SELECT workflow_uuid FROM ${s}.workflow_status WHERE parent_workflow_id = ANY($1::text[])`,
      [level],
    )
    level = children.map((c) => c.workflow_uuid).filter((id) => !seen.has(id))
  }
  return cancelled
}

/**
 * Puts workflows back on a queue to run again from their last recorded step (docs/sysdb.md §4.3): the attempts,
 * deadline and deduplication ID reset, and a run still going elsewhere loses its ownership.
 */
export async function resumeWorkflows(db: Transactional, s: string, ids: readonly string[], queueName?: string): Promise<void> {
  await db.transaction(async (tx) => {
    const found = await tx.query<{ workflow_uuid: string }>(
      `SELECT workflow_uuid FROM ${s}.workflow_status WHERE workflow_uuid = ANY($1::text[])`,
      [ids],
    )
    const missing = ids.filter((id) => !found.some((f) => f.workflow_uuid === id))
    if (missing.length > 0) throw new DBOSNonExistentWorkflowError(`Workflow ${missing.join(', ')} does not exist`)
    await tx.query(
      `UPDATE ${s}.workflow_status
       SET status = 'ENQUEUED', owner_xid = NULL, queue_name = COALESCE($2, '${INTERNAL_QUEUE}'),
           recovery_attempts = 0, workflow_deadline_epoch_ms = NULL, deduplication_id = NULL,
           started_at_epoch_ms = NULL, completed_at = NULL, updated_at = ${NOW_MS}
       WHERE workflow_uuid = ANY($1::text[]) AND status NOT IN ('SUCCESS', 'ERROR')`,
      [ids, queueName ?? null],
    )
  })
}

/** What a fork takes from its original and the caller (docs/sysdb.md §4.4). */
export interface ForkRequest {
  originalID: string
  newID: string
  startStep: number
  applicationVersion: string | undefined
  timeoutMS: number | undefined
  appName: string | null
}

/**
 * Copies a workflow into a new one that replays the original's steps below `startStep` and runs the rest
 * (docs/sysdb.md §4.4), all in one transaction.
 */
export async function forkWorkflow(db: Transactional, s: string, f: ForkRequest): Promise<void> {
  await db.transaction(async (tx) => {
    const inserted = await tx.query(
      `INSERT INTO ${s}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name,
         authenticated_user, assumed_role, authenticated_roles, application_id, serialization, attributes,
         application_version, application_name, workflow_timeout_ms, forked_from, executor_id, recovery_attempts)
       SELECT $2, 'ENQUEUED', name, class_name, config_name, '${INTERNAL_QUEUE}', authenticated_user, assumed_role,
         authenticated_roles, application_id, serialization, attributes, COALESCE($3, application_version),
         COALESCE(application_name, $4), $5, workflow_uuid, '', 0
       FROM ${s}.workflow_status WHERE workflow_uuid = $1
       RETURNING workflow_uuid`,
      [f.originalID, f.newID, f.applicationVersion ?? null, f.appName, f.timeoutMS ?? null],
    )
    if (inserted.length === 0) throw new DBOSNonExistentWorkflowError(`Workflow ${f.originalID} does not exist`)
    await tx.query(
      `INSERT INTO ${s}.workflow_input (workflow_uuid, inputs)
       SELECT $2, COALESCE(wi.inputs, ws.inputs) FROM ${s}.workflow_status ws
       LEFT JOIN ${s}.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = $1`,
      [f.originalID, f.newID],
    )
    await tx.query(`UPDATE ${s}.workflow_status SET was_forked_from = TRUE WHERE workflow_uuid = $1`, [f.originalID])
    if (f.startStep <= 0) return
    await tx.query(
      `INSERT INTO ${s}.operation_outputs (workflow_uuid, function_id, output, error, function_name, child_workflow_id,
         started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name, retention_timestamp)
       SELECT $2, function_id, output, error, function_name, child_workflow_id, started_at_epoch_ms,
         completed_at_epoch_ms, serialization, application_name, ${NOW_MS}
       FROM ${s}.operation_outputs WHERE workflow_uuid = $1 AND function_id < $3`,
      [f.originalID, f.newID, f.startStep],
    )
    await tx.query(
      `INSERT INTO ${s}.streams (workflow_uuid, key, value, "offset", function_id, serialization)
       SELECT $2, key, value, "offset", function_id, serialization FROM ${s}.streams
       WHERE workflow_uuid = $1 AND function_id < $3`,
      [f.originalID, f.newID, f.startStep],
    )
    await tx.query(
      `INSERT INTO ${s}.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
       SELECT $2, function_id, key, value, serialization FROM ${s}.workflow_events_history
       WHERE workflow_uuid = $1 AND function_id < $3`,
      [f.originalID, f.newID, f.startStep],
    )
    // Events as they stood before the fork point: the latest history entry of each key.
    await tx.query(
      `INSERT INTO ${s}.workflow_events (workflow_uuid, key, value, serialization)
       SELECT DISTINCT ON (key) $1, key, value, serialization FROM ${s}.workflow_events_history
       WHERE workflow_uuid = $1 ORDER BY key, function_id DESC`,
      [f.newID],
    )
  })
}

/**
 * One statement deleting the workflows the CTE `doomed(workflow_uuid)` selects (docs/sysdb.md §4.5): the payload and
 * checkpoint tables have no foreign keys, so they are cleared explicitly; deleting the status row cascades to
 * messages, events, history and streams. Returns the deleted IDs.
 */
export function deleteWorkflowsSql(s: string, doomed: string): string {
  return `WITH RECURSIVE doomed AS (${doomed}
   ), wi AS (
     DELETE FROM ${s}.workflow_input WHERE workflow_uuid IN (SELECT workflow_uuid FROM doomed)
   ), wo AS (
     DELETE FROM ${s}.workflow_output WHERE workflow_uuid IN (SELECT workflow_uuid FROM doomed)
   ), oo AS (
     DELETE FROM ${s}.operation_outputs WHERE workflow_uuid IN (SELECT workflow_uuid FROM doomed)
   )
   DELETE FROM ${s}.workflow_status WHERE workflow_uuid IN (SELECT workflow_uuid FROM doomed)
   RETURNING workflow_uuid`
}

/** Deletes workflows and, with `deleteChildren`, all their descendants. Unknown IDs are ignored. */
export async function deleteWorkflows(q: Queryable, s: string, ids: readonly string[], deleteChildren: boolean): Promise<void> {
  await q.query(
    deleteWorkflowsSql(
      s,
      `SELECT unnest($1::text[]) AS workflow_uuid
       UNION SELECT ws.workflow_uuid FROM ${s}.workflow_status ws JOIN doomed d ON ws.parent_workflow_id = d.workflow_uuid
       WHERE $2`,
    ),
    [ids, deleteChildren],
  )
}
