import type { Queryable } from '../ports/database.ts'
import { NOW_MS } from './sql.ts'

/** The topic stored for messages sent without one. */
export const NULL_TOPIC = '__null__topic__'

/** Inserts a message (spec §6.1); an existing message ID makes it a no-op (idempotent send). */
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

/** Whether an unconsumed message waits on a topic. */
export async function hasMessage(q: Queryable, s: string, workflowID: string, topic: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM ${s}.notifications WHERE destination_uuid = $1 AND topic = $2 AND consumed = false LIMIT 1`,
    [workflowID, topic],
  )
  return rows.length > 0
}

/** Consumes the oldest message of a topic for operation `functionID` (spec §6.2 step 4). */
export async function consumeMessage(
  q: Queryable,
  s: string,
  workflowID: string,
  topic: string,
  functionID: number,
): Promise<{ message: string; serialization: string | null } | undefined> {
  const [row] = await q.query<{ message: string; serialization: string | null }>(
    `UPDATE ${s}.notifications SET consumed = true, consumed_by_function_id = $3
     WHERE destination_uuid = $1 AND topic = $2 AND consumed = false AND message_uuid =
       (SELECT message_uuid FROM ${s}.notifications
        WHERE destination_uuid = $1 AND topic = $2 AND consumed = false
        ORDER BY created_at_epoch_ms, message_uuid LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING message, serialization`,
    [workflowID, topic, functionID],
  )
  return row
}

/** Publishes an event value and its history entry (spec §6.3). */
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

/** Appends a value to a stream at the next offset (spec §6.5); a concurrent writer may cause 23505. */
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

/** One stream position read together with the writer's status (spec §6.5 read step 1). */
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

/** Stream values from an offset on, in order (for SSE catch-up in one statement). */
export async function readStreamFrom(
  q: Queryable,
  s: string,
  workflowID: string,
  key: string,
  offset: number,
  limit: number,
): Promise<{ value: string; serialization: string | null; offset: number }[]> {
  return await q.query(
    `SELECT value, serialization, "offset" FROM ${s}.streams
     WHERE workflow_uuid = $1 AND key = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT $4`,
    [workflowID, key, offset, limit],
  )
}

