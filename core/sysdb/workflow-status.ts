import type { Queryable } from '../ports/database.ts'
import { columns, INTERNAL_QUEUE, NOW_MS, scope } from './sql.ts'

/** A workflow row to create (docs/sysdb.md §3.3). */
export interface NewWorkflow {
  workflowID: string
  status: 'PENDING' | 'ENQUEUED'
  name: string
  className: string | null
  configName: string | null
  queueName: string | null
  executorID: string
  applicationVersion: string | null
  applicationID: string
  recoveryAttempts: number
  timeoutMS: number | null
  deadlineEpochMS: number | null
  deduplicationID: string | null
  priority: number
  queuePartitionKey: string | null
  parentWorkflowID: string | null
  serialization: string
  /** The creator token; also the owner token of a PENDING row. */
  token: string
  inputs: string
  applicationName: string | null
  authenticatedUser: string
  authenticatedRoles: string
}

/** What the insert returns: the new row, or the existing one when the ID was taken. */
export interface InsertedWorkflow {
  workflow_uuid: string
  status: string
  name: string | null
  class_name: string | null
  config_name: string | null
  queue_name: string | null
  executor_id: string | null
  creator_xid: string | null
  serialization: string | null
}

const INSERT_KEYS = [
  'workflowID', 'status', 'name', 'className', 'configName', 'queueName', 'executorID',
  'applicationVersion', 'applicationID', 'recoveryAttempts', 'timeoutMS', 'deadlineEpochMS',
  'deduplicationID', 'priority', 'queuePartitionKey', 'parentWorkflowID', 'serialization', 'token',
  'inputs', 'applicationName', 'authenticatedUser', 'authenticatedRoles',
] as const satisfies readonly (keyof NewWorkflow)[]

/**
 * Inserts workflow rows and their inputs in one statement (so one round trip and one commit for a whole
 * batch). An existing ID is left untouched and returned as it is (ON CONFLICT no-op update).
 */
export function insertWorkflowsSql(s: string): string {
  return `
WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[], $13::text[], $14::int[], $15::text[],
    $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[])
  AS r(id, status, name, cls, cfg, queue, executor, version, appid, attempts, timeout_ms, deadline, dedup,
       priority, partkey, parent, fmt, token, inputs, appname, usr, roles)
), ws AS (
  INSERT INTO ${s}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name,
    executor_id, application_version, application_id, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, deduplication_id, priority, queue_partition_key, parent_workflow_id,
    serialization, creator_xid, owner_xid, application_name, authenticated_user, assumed_role,
    authenticated_roles)
  SELECT id, status, name, cls, cfg, queue, executor, version, appid, attempts, timeout_ms, deadline, dedup,
    priority, partkey, parent, fmt, token, CASE WHEN status = 'PENDING' THEN token END, appname, usr, '', roles
  FROM req
  ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = workflow_status.creator_xid
  RETURNING workflow_uuid, status, name, class_name, config_name, queue_name, executor_id, creator_xid,
    serialization
), wi AS (
  INSERT INTO ${s}.workflow_input (workflow_uuid, inputs)
  SELECT req.id, req.inputs FROM req JOIN ws ON ws.workflow_uuid = req.id AND ws.creator_xid = req.token
  ON CONFLICT (workflow_uuid) DO NOTHING
)
SELECT * FROM ws`
}

export async function insertWorkflows(
  q: Queryable,
  s: string,
  rows: readonly NewWorkflow[],
): Promise<InsertedWorkflow[]> {
  if (rows.length === 1) return [await insertOneWorkflow(q, s, rows[0]!)]
  const result = await q.query<InsertedWorkflow>(insertWorkflowsSql(s), columns(rows, INSERT_KEYS))
  const byID = new Map(result.map((r) => [r.workflow_uuid, r]))
  return rows.map((r) => byID.get(r.workflowID)!)
}

/** One row alone, with scalar parameters, so its plan stays cached (see writeOneCheckpoint). */
async function insertOneWorkflow(q: Queryable, s: string, row: NewWorkflow): Promise<InsertedWorkflow> {
  const [result] = await q.query<InsertedWorkflow>(
    `
WITH ws AS (
  INSERT INTO ${s}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name,
    executor_id, application_version, application_id, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, deduplication_id, priority, queue_partition_key, parent_workflow_id,
    serialization, creator_xid, owner_xid, application_name, authenticated_user, assumed_role,
    authenticated_roles)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
    CASE WHEN $2 = 'PENDING' THEN $18 END, $20, $21, '', $22)
  ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = workflow_status.creator_xid
  RETURNING workflow_uuid, status, name, class_name, config_name, queue_name, executor_id, creator_xid,
    serialization
), wi AS (
  INSERT INTO ${s}.workflow_input (workflow_uuid, inputs)
  SELECT $1, $19 FROM ws WHERE ws.creator_xid = $18
  ON CONFLICT (workflow_uuid) DO NOTHING
)
SELECT * FROM ws`,
    INSERT_KEYS.map((k) => row[k] ?? null),
  )
  return result!
}

/** A workflow outcome to record (docs/sysdb.md §3.5). */
export interface Outcome {
  workflowID: string
  token: string
  status: 'SUCCESS' | 'ERROR'
  output: string | null
  error: string | null
}

/** Records outcomes for the executions that still own their rows; returns, per item, whether it did. */
export async function writeOutcomes(q: Queryable, s: string, items: readonly Outcome[]): Promise<boolean[]> {
  if (items.length === 1) {
    const o = items[0]!
    const rows = await q.query(
      `
WITH upd AS (
  UPDATE ${s}.workflow_status
  SET status = $3, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}, deduplication_id = NULL, owner_xid = NULL
  WHERE workflow_uuid = $1 AND status = 'PENDING' AND owner_xid = $2
  RETURNING workflow_uuid
), outp AS (
  INSERT INTO ${s}.workflow_output (workflow_uuid, output, error)
  SELECT workflow_uuid, $4, $5 FROM upd
  ON CONFLICT (workflow_uuid) DO UPDATE SET output = EXCLUDED.output, error = EXCLUDED.error
)
SELECT workflow_uuid FROM upd`,
      [o.workflowID, o.token, o.status, o.output, o.error],
    )
    return [rows.length === 1]
  }
  const rows = await q.query<{ workflow_uuid: string }>(
    `
WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS r(id, token, status, output, error)
), upd AS (
  UPDATE ${s}.workflow_status ws
  SET status = req.status, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}, deduplication_id = NULL, owner_xid = NULL
  FROM req
  WHERE ws.workflow_uuid = ANY($1::text[]) AND ws.workflow_uuid = req.id AND ws.status = 'PENDING'
    AND ws.owner_xid = req.token
  RETURNING ws.workflow_uuid
), outp AS (
  INSERT INTO ${s}.workflow_output (workflow_uuid, output, error)
  SELECT req.id, req.output, req.error FROM req JOIN upd ON upd.workflow_uuid = req.id
  ON CONFLICT (workflow_uuid) DO UPDATE SET output = EXCLUDED.output, error = EXCLUDED.error
)
SELECT workflow_uuid FROM upd`,
    columns(items, ['workflowID', 'token', 'status', 'output', 'error']),
  )
  const written = new Set(rows.map((r) => r.workflow_uuid))
  return items.map((i) => written.has(i.workflowID))
}

/** The full status row with payloads, read per docs/sysdb.md §1.3. */
export interface StatusRow {
  workflow_uuid: string
  status: string
  name: string | null
  class_name: string | null
  config_name: string | null
  queue_name: string | null
  authenticated_user: string | null
  assumed_role: string | null
  authenticated_roles: string | null
  executor_id: string | null
  created_at: number
  updated_at: number
  application_version: string | null
  application_id: string | null
  recovery_attempts: number | null
  workflow_timeout_ms: number | null
  workflow_deadline_epoch_ms: number | null
  started_at_epoch_ms: number | null
  deduplication_id: string | null
  priority: number
  queue_partition_key: string | null
  forked_from: string | null
  parent_workflow_id: string | null
  serialization: string | null
  inputs: string | null
  output: string | null
  error: string | null
}

export const STATUS_COLUMNS = `ws.workflow_uuid, ws.status, ws.name, ws.class_name, ws.config_name, ws.queue_name,
  ws.authenticated_user, ws.assumed_role, ws.authenticated_roles, ws.executor_id, ws.created_at, ws.updated_at,
  ws.application_version, ws.application_id, ws.recovery_attempts, ws.workflow_timeout_ms,
  ws.workflow_deadline_epoch_ms, ws.started_at_epoch_ms, ws.deduplication_id, ws.priority,
  ws.queue_partition_key, ws.forked_from, ws.parent_workflow_id, ws.serialization`

/** The §1.3 read: status columns plus payloads, the new tables first, the legacy columns as fallback. */
function statusQuery(s: string, where: string): string {
  return `SELECT ${STATUS_COLUMNS},
       COALESCE(wi.inputs, ws.inputs) AS inputs,
       COALESCE(wo.output, ws.output) AS output,
       COALESCE(wo.error, ws.error) AS error
     FROM ${s}.workflow_status ws
     LEFT JOIN ${s}.workflow_input wi ON wi.workflow_uuid = ws.workflow_uuid
     LEFT JOIN ${s}.workflow_output wo ON wo.workflow_uuid = ws.workflow_uuid
     WHERE ${where}`
}

/** Reads several status rows at once (result waiters share statements); a missing ID maps to undefined. */
export async function readStatuses(q: Queryable, s: string, ids: readonly string[]): Promise<(StatusRow | undefined)[]> {
  if (ids.length === 1) return [await readStatus(q, s, ids[0]!)]
  const rows = await q.query<StatusRow>(statusQuery(s, 'ws.workflow_uuid = ANY($1::text[])'), [ids])
  const byID = new Map(rows.map((r) => [r.workflow_uuid, r]))
  return ids.map((id) => byID.get(id))
}

export async function readStatus(q: Queryable, s: string, workflowID: string): Promise<StatusRow | undefined> {
  const [row] = await q.query<StatusRow>(statusQuery(s, 'ws.workflow_uuid = $1'), [workflowID])
  return row
}

/** Puts this executor's PENDING workflows of this version back on a queue (docs/sysdb.md §3.6). */
export async function recoverPending(
  q: Queryable,
  s: string,
  executorID: string,
  version: string,
  appNames: string[] | undefined,
): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `UPDATE ${s}.workflow_status
     SET status = 'ENQUEUED', owner_xid = NULL, started_at_epoch_ms = NULL, updated_at = ${NOW_MS},
         queue_name = COALESCE(queue_name, '${INTERNAL_QUEUE}')
     WHERE status = 'PENDING' AND executor_id = $1 AND application_version = $2
       AND ${scope('application_name', '$3')}
     RETURNING workflow_uuid`,
    [executorID, version, appNames ?? null],
  )
  return rows.map((r) => r.workflow_uuid)
}

/** Dead-letters a claimed row whose attempts exceeded the maximum (docs/sysdb.md §3.7). */
export async function deadLetter(q: Queryable, s: string, workflowID: string, attempts: number): Promise<void> {
  await q.query(
    `UPDATE ${s}.workflow_status
     SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', owner_xid = NULL, deduplication_id = NULL,
         started_at_epoch_ms = NULL, queue_name = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
     WHERE workflow_uuid = $1 AND status = 'PENDING' AND recovery_attempts >= $2`,
    [workflowID, attempts],
  )
}

/** Which of these workflows have finished, whatever the outcome (docs/sysdb.md §6.6), earliest first. */
export async function finishedAmong(q: Queryable, s: string, ids: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status
     WHERE workflow_uuid = ANY($1::text[]) AND status NOT IN ('PENDING', 'ENQUEUED', 'DELAYED')
     ORDER BY completed_at, updated_at`,
    [ids],
  )
  return rows.map((r) => r.workflow_uuid)
}

/** Which of these workflows are CANCELLED (their local executions must stop). */
export async function cancelledAmong(q: Queryable, s: string, ids: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${s}.workflow_status WHERE workflow_uuid = ANY($1::text[]) AND status = 'CANCELLED'`,
    [ids],
  )
  return rows.map((r) => r.workflow_uuid)
}
