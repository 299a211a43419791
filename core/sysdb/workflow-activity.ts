// What one workflow published and received, as listings for people to read (the dashboard): its events, its
// streams with their lengths, and the messages sent to it.
import type { Queryable } from '../ports/database.ts'
import { NULL_TOPIC } from './messages.ts'

/** An event's latest value. */
export interface EventRow {
  key: string
  value: string
  serialization: string | null
}

/** A stream of a workflow: how many values it holds (the close marker included) and the last of them. */
export interface StreamSummary {
  key: string
  count: number
  /** The last value written, which is the close marker once the stream is closed. */
  lastValue: string
  lastSerialization: string | null
}

/** A message sent to a workflow, consumed by a `recv` or still waiting for one. */
export interface MessageRow {
  messageID: string
  /** Null for a message sent without a topic. */
  topic: string | null
  message: string
  serialization: string | null
  consumed: boolean
  /** The `recv` step that consumed it, when it was consumed. */
  consumedBy: number | null
  createdAt: number
}

/** Up to `limit` of a workflow's events, by key. */
export async function listEvents(q: Queryable, s: string, workflowID: string, limit: number): Promise<EventRow[]> {
  return await q.query<EventRow>(
    `SELECT key, value, serialization FROM ${s}.workflow_events WHERE workflow_uuid = $1 ORDER BY key LIMIT $2`,
    [workflowID, limit],
  )
}

/** Up to `limit` of a workflow's streams, by key, each with its count of values and its last value. */
export async function listStreamSummaries(q: Queryable, s: string, workflowID: string, limit: number): Promise<StreamSummary[]> {
  const rows = await q.query<{ key: string; count: number | string; value: string; serialization: string | null }>(
    `SELECT st.key, c.count, st.value, st.serialization
     FROM (SELECT key, count(*) AS count, max("offset") AS last FROM ${s}.streams
           WHERE workflow_uuid = $1 GROUP BY key ORDER BY key LIMIT $2) c
     JOIN ${s}.streams st ON st.workflow_uuid = $1 AND st.key = c.key AND st."offset" = c.last
     ORDER BY st.key`,
    [workflowID, limit],
  )
  return rows.map((r) => ({ key: r.key, count: Number(r.count), lastValue: r.value, lastSerialization: r.serialization }))
}

/** Up to `limit` of the messages sent to a workflow, oldest first, consumed or not. */
export async function listMessages(q: Queryable, s: string, workflowID: string, limit: number): Promise<MessageRow[]> {
  const rows = await q.query<{
    message_uuid: string; topic: string | null; message: string; serialization: string | null; consumed: boolean
    consumed_by_function_id: number | null; created_at_epoch_ms: number | string
  }>(
    `SELECT message_uuid, NULLIF(topic, $3) AS topic, message, serialization, consumed, consumed_by_function_id,
       created_at_epoch_ms
     FROM ${s}.notifications WHERE destination_uuid = $1
     ORDER BY created_at_epoch_ms, message_uuid LIMIT $2`,
    [workflowID, limit, NULL_TOPIC],
  )
  return rows.map((r) => ({
    messageID: r.message_uuid,
    topic: r.topic,
    message: r.message,
    serialization: r.serialization,
    consumed: r.consumed,
    consumedBy: r.consumed_by_function_id,
    createdAt: Number(r.created_at_epoch_ms),
  }))
}
