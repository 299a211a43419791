// How busy the queues are, counted in the database (the dashboard's queues view): a deep backlog costs one
// grouped count, not a read of its rows.
import type { Queryable } from '../ports/database.ts'
import { scope } from './sql.ts'

/** How many workflows of a queue are in one status. */
export interface QueueStatusCount {
  queueName: string
  status: 'ENQUEUED' | 'PENDING' | 'DELAYED'
  count: number
}

/** How many workflows of a queue finished in one minute (epoch milliseconds / 60 000, rounded down). */
export interface FinishedInMinute {
  queueName: string
  minute: number
  count: number
}

/** The application's (`appName`; null: every application's) waiting, running and delayed workflows per queue. */
export async function countQueueStatuses(q: Queryable, s: string, appName: string | null): Promise<QueueStatusCount[]> {
  const rows = await q.query<{ queue_name: string; status: QueueStatusCount['status']; count: number | string }>(
    `SELECT queue_name, status, count(*) AS count FROM ${s}.workflow_status
     WHERE queue_name IS NOT NULL AND status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND ${scope('application_name', '$1')}
     GROUP BY queue_name, status`,
    [appName ? [appName] : null],
  )
  return rows.map((r) => ({ queueName: r.queue_name, status: r.status, count: Number(r.count) }))
}

/**
 * The application's workflows that finished (succeeded, failed, were cancelled or dead-lettered) at or after
 * `since` (epoch ms), per queue and minute of their completion.
 */
export async function countFinishedPerMinute(
  q: Queryable, s: string, since: number, appName: string | null,
): Promise<FinishedInMinute[]> {
  const rows = await q.query<{ queue_name: string; minute: number | string; count: number | string }>(
    `SELECT queue_name, completed_at / 60000 AS minute, count(*) AS count FROM ${s}.workflow_status
     WHERE completed_at >= $1 AND queue_name IS NOT NULL
       AND status IN ('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')
       AND ${scope('application_name', '$2')}
     GROUP BY queue_name, minute`,
    [since, appName ? [appName] : null],
  )
  return rows.map((r) => ({ queueName: r.queue_name, minute: Number(r.minute), count: Number(r.count) }))
}
