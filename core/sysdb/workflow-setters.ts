// SQL that changes a waiting workflow's place in its queue: its priority, or how long it stays DELAYED.
import type { Queryable } from '../ports/database.ts'
import { NOW_MS } from './sql.ts'

/** Sets the priority of a workflow still waiting on its queue (ENQUEUED or DELAYED); others are left alone. */
export async function setPriority(q: Queryable, s: string, workflowID: string, priority: number): Promise<void> {
  await q.query(
    `UPDATE ${s}.workflow_status SET priority = $1, updated_at = ${NOW_MS}
     WHERE workflow_uuid = $2 AND status IN ('ENQUEUED', 'DELAYED')`,
    [priority, workflowID],
  )
}

/** Moves the end of a DELAYED workflow's delay to `delayUntil` (epoch ms); others are left alone. */
export async function setDelay(q: Queryable, s: string, workflowID: string, delayUntil: number): Promise<void> {
  await q.query(
    `UPDATE ${s}.workflow_status SET delay_until_epoch_ms = $1, updated_at = ${NOW_MS}
     WHERE workflow_uuid = $2 AND status = 'DELAYED'`,
    [delayUntil, workflowID],
  )
}
