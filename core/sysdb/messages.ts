import type { Queryable } from '../ports/database.ts'
import { NOW_MS } from './sql.ts'

/** The topic stored for messages sent without one. */
export const NULL_TOPIC = '__null__topic__'

/** Inserts a message (docs/sysdb.md §6.1); an existing message ID makes it a no-op (idempotent send). */
export async function insertMessage(
  q: Queryable,
  s: string,
  m: { destinationID: string; topic: string | undefined; message: string; format: string; messageID: string },
): Promise<void> {
  await q.query(
    `INSERT INTO ${s}.notifications (destination_uuid, topic, message, serialization, message_uuid)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_uuid) DO NOTHING`,
    [m.destinationID, m.topic ?? NULL_TOPIC, m.message, m.format, m.messageID],
  )
}

/** Publishes an event value and its history entry (docs/sysdb.md §6.3). */
export async function upsertEvent(
  q: Queryable,
  s: string,
  e: { workflowID: string; functionID: number; key: string; value: string; format: string },
): Promise<void> {
  await q.query(
    `WITH ev AS (
       INSERT INTO ${s}.workflow_events (workflow_uuid, key, value, serialization) VALUES ($1, $3, $4, $5)
       ON CONFLICT (workflow_uuid, key) DO UPDATE SET value = EXCLUDED.value, serialization = EXCLUDED.serialization
     )
     INSERT INTO ${s}.workflow_events_history (workflow_uuid, function_id, key, value, serialization)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workflow_uuid, function_id, key) DO UPDATE SET value = EXCLUDED.value, serialization = EXCLUDED.serialization`,
    [e.workflowID, e.functionID, e.key, e.value, e.format],
  )
}

/** The latest value of an event, if published. */
export async function readEvent(
  q: Queryable,
  s: string,
  workflowID: string,
  key: string,
): Promise<{ value: string; serialization: string | null } | undefined> {
  const [row] = await q.query<{ value: string; serialization: string | null }>(
    `SELECT value, serialization FROM ${s}.workflow_events WHERE workflow_uuid = $1 AND key = $2`,
    [workflowID, key],
  )
  return row
}

/** Appends a value to a stream at the next offset (docs/sysdb.md §6.5); a concurrent writer may cause 23505. */
export async function appendStream(
  q: Queryable,
  s: string,
  w: { workflowID: string; key: string; value: string; functionID: number; format: string },
): Promise<void> {
  await q.query(
    `INSERT INTO ${s}.streams (workflow_uuid, key, value, "offset", function_id, serialization)
     SELECT $1, $2, $3, COALESCE(MAX(st."offset"), -1) + 1, $4, $5
     FROM ${s}.streams st WHERE st.workflow_uuid = $1 AND st.key = $2`,
    [w.workflowID, w.key, w.value, w.functionID, w.format],
  )
}

/** One stream position read together with the writer's status (docs/sysdb.md §6.5 read step 1). */
export interface StreamRead {
  status: string
  value: string | null
  serialization: string | null
  offset: number | null
}

export async function readStreamAt(
  q: Queryable,
  s: string,
  workflowID: string,
  key: string,
  offset: number,
): Promise<StreamRead | undefined> {
  const [row] = await q.query<StreamRead>(
    `SELECT ws.status, st.value, st.serialization, st."offset" FROM ${s}.workflow_status ws
     LEFT JOIN ${s}.streams st ON st.workflow_uuid = ws.workflow_uuid AND st.key = $2 AND st."offset" = $3
     WHERE ws.workflow_uuid = $1`,
    [workflowID, key, offset],
  )
  return row
}

/** Consecutive stream values from one offset on, with the writer's status; `values` may be empty. */
export interface StreamRange {
  status: string
  values: { value: string; serialization: string | null; offset: number }[]
}

/**
 * Up to `count` stream values at `offset` and after, in offset order, in one statement; undefined when there
 * is no workflow of that ID.
 */
export async function readStreamRange(
  q: Queryable, s: string, workflowID: string, key: string, offset: number, count: number,
): Promise<StreamRange | undefined> {
  const rows = await q.query<{ status: string; value: string | null; serialization: string | null; offset: number | null }>(
    `SELECT ws.status, st.value, st.serialization, st."offset" FROM ${s}.workflow_status ws
     LEFT JOIN LATERAL (
       SELECT value, serialization, "offset" FROM ${s}.streams
       WHERE workflow_uuid = ws.workflow_uuid AND key = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT $4
     ) st ON true
     WHERE ws.workflow_uuid = $1 ORDER BY st."offset"`,
    [workflowID, key, offset, count],
  )
  if (rows.length === 0) return undefined
  const values = rows.flatMap((r) => r.value === null || r.offset === null ? [] : [{ value: r.value, serialization: r.serialization, offset: Number(r.offset) }])
  return { status: rows[0]!.status, values }
}

/** The outcome of one attempt to receive: a consumed message, a recorded timeout, or nothing yet. */
export interface ReceiveAttempt {
  owned: boolean
  recorded: boolean
  message: string | null
  serialization: string | null
  completed: number | null
}

/**
 * One `recv` attempt in one statement (docs/sysdb.md §6.2 step 4): under the owner check, consume the oldest message of
 * the topic and record it at `functionID`; with no message, record the timeout (NULL) only when `final`.
 */
export async function receiveMessage(
  q: Queryable,
  s: string,
  r: { workflowID: string; token: string; topic: string; functionID: number; final: boolean; startedAt: number; completedAt: number; appName: string | null },
): Promise<ReceiveAttempt> {
  const [row] = await q.query<{ owner: string | null; message: string | null; serialization: string | null; completed: number | null }>(
    `
WITH own AS (
  SELECT owner_xid FROM ${s}.workflow_status WHERE workflow_uuid = $1 FOR NO KEY UPDATE
), msg AS (
  UPDATE ${s}.notifications SET consumed = true, consumed_by_function_id = $4
  WHERE destination_uuid = $1 AND topic = $3 AND consumed = false
    AND (SELECT owner_xid FROM own) = $2
    AND message_uuid = (SELECT message_uuid FROM ${s}.notifications
      WHERE destination_uuid = $1 AND topic = $3 AND consumed = false
      ORDER BY created_at_epoch_ms, message_uuid LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING message, serialization
), ck AS (
  INSERT INTO ${s}.operation_outputs (workflow_uuid, function_id, output, error, function_name, child_workflow_id,
    started_at_epoch_ms, completed_at_epoch_ms, serialization, application_name, retention_timestamp)
  SELECT $1, $4, (SELECT message FROM msg), NULL, 'DBOS.recv', NULL, $6, $7, (SELECT serialization FROM msg), $8,
    (EXTRACT(epoch FROM now()) * 1000)::bigint
  FROM own WHERE own.owner_xid = $2 AND (EXISTS (SELECT 1 FROM msg) OR $5)
  ON CONFLICT (workflow_uuid, function_id) DO UPDATE SET completed_at_epoch_ms = operation_outputs.completed_at_epoch_ms
  RETURNING completed_at_epoch_ms
)
SELECT (SELECT owner_xid FROM own) AS owner, (SELECT message FROM msg) AS message,
  (SELECT serialization FROM msg) AS serialization, (SELECT completed_at_epoch_ms FROM ck) AS completed`,
    [r.workflowID, r.token, r.topic, r.functionID, r.final, r.startedAt, r.completedAt, r.appName],
  )
  return {
    owned: row?.owner === r.token,
    recorded: row?.completed !== null && row?.completed !== undefined,
    message: row?.message ?? null,
    serialization: row?.serialization ?? null,
    completed: row?.completed === null || row?.completed === undefined ? null : Number(row.completed),
  }
}
