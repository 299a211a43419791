import type { Queryable } from '../ports/database.ts'
import { columns, NOW_MS } from './sql.ts'

/** One step checkpoint (docs/sysdb.md §3.9). */
export interface Checkpoint {
  workflowID: string
  /** The writing execution's owner token. */
  token: string
  functionID: number
  name: string
  output: string | null
  error: string | null
  childWorkflowID: string | null
  startedAt: number
  completedAt: number
  serialization: string | null
}

/** What happened to a checkpoint: written, refused by the owner check, or a second write at the same ID. */
export type CheckpointResult = 'written' | 'not-owner' | 'duplicate'

/** A recorded operation, as replay needs it. */
export interface RecordedOperation {
  function_id: number
  function_name: string
  output: string | null
  error: string | null
  child_workflow_id: string | null
  serialization: string | null
}

const KEYS = [
  'workflowID', 'token', 'functionID', 'name', 'output', 'error', 'childWorkflowID', 'startedAt',
  'completedAt', 'serialization',
] as const satisfies readonly (keyof Checkpoint)[]

/**
 * Writes checkpoints with their owner checks in one statement: a single round trip and commit for the
 * whole batch. The FOR NO KEY UPDATE lock on each workflow row fences out executions that lost ownership
 * (docs/sysdb.md §3.4); rows are locked in ID order so concurrent batches cannot deadlock.
 */
export async function writeCheckpoints(
  q: Queryable,
  s: string,
  items: readonly Checkpoint[],
  applicationName: string | null,
): Promise<CheckpointResult[]> {
  if (items.length === 1) return [await writeOneCheckpoint(q, s, items[0]!, applicationName)]
  const rows = await q.query<{ wf: string; fid: number; owned: boolean; completed: number | null }>(
    `
WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::bigint[], $9::bigint[], $10::text[])
  AS r(wf, token, fid, name, output, error, child, started, completed, fmt)
), own AS (
  SELECT ws.workflow_uuid, ws.owner_xid FROM ${s}.workflow_status ws
  WHERE ws.workflow_uuid = ANY($1::text[])
  ORDER BY ws.workflow_uuid
  FOR NO KEY UPDATE
), ins AS (
  INSERT INTO ${s}.operation_outputs (workflow_uuid, function_id, output, error, function_name,
    child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name,
    retention_timestamp)
  SELECT req.wf, req.fid, req.output, req.error, req.name, req.child, req.started, req.completed, req.fmt,
    $11, ${NOW_MS}
  FROM req JOIN own ON own.workflow_uuid = req.wf AND own.owner_xid = req.token
  ON CONFLICT (workflow_uuid, function_id)
    DO UPDATE SET completed_at_epoch_ms = operation_outputs.completed_at_epoch_ms
  RETURNING workflow_uuid, function_id, completed_at_epoch_ms
)
SELECT req.wf, req.fid, (own.owner_xid IS NOT DISTINCT FROM req.token AND own.workflow_uuid IS NOT NULL) AS owned,
  ins.completed_at_epoch_ms AS completed
FROM req
LEFT JOIN own ON own.workflow_uuid = req.wf
LEFT JOIN ins ON ins.workflow_uuid = req.wf AND ins.function_id = req.fid`,
    [...columns(items, KEYS), applicationName],
  )
  const byKey = new Map(rows.map((r) => [`${r.fid}:${r.wf}`, r]))
  return items.map((item) => {
    const row = byKey.get(`${item.functionID}:${item.workflowID}`)
    return row?.owned ? fate(item, row.completed) : 'not-owner'
  })
}

/**
 * The common case, one checkpoint alone, with scalar parameters: its generic plan is a primary-key lookup,
 * so Postgres keeps it cached instead of planning the batch form again on every call.
 */
async function writeOneCheckpoint(
  q: Queryable,
  s: string,
  c: Checkpoint,
  applicationName: string | null,
): Promise<CheckpointResult> {
  const [row] = await q.query<{ owner: string | null; completed: number | null }>(
    `
WITH own AS (
  SELECT owner_xid FROM ${s}.workflow_status WHERE workflow_uuid = $1 FOR NO KEY UPDATE
), ins AS (
  INSERT INTO ${s}.operation_outputs (workflow_uuid, function_id, output, error, function_name,
    child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name,
    retention_timestamp)
  SELECT $1, $3, $4, $5, $6, $7, $8, $9, $10, $11, ${NOW_MS} FROM own WHERE own.owner_xid = $2
  ON CONFLICT (workflow_uuid, function_id)
    DO UPDATE SET completed_at_epoch_ms = operation_outputs.completed_at_epoch_ms
  RETURNING completed_at_epoch_ms
)
SELECT (SELECT owner_xid FROM own) AS owner, (SELECT completed_at_epoch_ms FROM ins) AS completed`,
    [c.workflowID, c.token, c.functionID, c.output, c.error, c.name, c.childWorkflowID, c.startedAt,
      c.completedAt, c.serialization, applicationName],
  )
  return row?.owner === c.token ? fate(c, row.completed) : 'not-owner'
}

/** A returned completion time other than ours means this ID was already written (docs/sysdb.md §3.9). */
function fate(c: Checkpoint, completed: number | null): CheckpointResult {
  return Number(completed) === c.completedAt ? 'written' : 'duplicate'
}

/** Loads every recorded operation of a workflow at once, for replay. */
export async function loadOperations(q: Queryable, s: string, workflowID: string): Promise<RecordedOperation[]> {
  return await q.query<RecordedOperation>(
    `SELECT function_id, function_name, output, error, child_workflow_id, serialization
     FROM ${s}.operation_outputs WHERE workflow_uuid = $1 ORDER BY function_id`,
    [workflowID],
  )
}

/** The owner check that opens every multi-statement write of an execution (docs/sysdb.md §3.4). */
export async function checkOwner(q: Queryable, s: string, workflowID: string, token: string): Promise<boolean> {
  const [row] = await q.query<{ owner_xid: string | null }>(
    `SELECT owner_xid FROM ${s}.workflow_status WHERE workflow_uuid = $1 FOR NO KEY UPDATE`,
    [workflowID],
  )
  return row?.owner_xid === token
}
