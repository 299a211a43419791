import type { Queryable } from '../ports/database.ts'
import { NOW_MS, scope } from './sql.ts'

/** A row this executor just claimed, with what dispatch needs to run it (spec §5.5). */
export interface ClaimedRow {
  workflow_uuid: string
  name: string | null
  class_name: string | null
  config_name: string | null
  recovery_attempts: number
  workflow_deadline_epoch_ms: number | null
  serialization: string | null
  inputs: string | null
}

export interface ClaimRequest {
  queueName: string
  max: number
  token: string
  executorID: string
  version: string
  /** True when no later version exists, so rows without a version may run here too (spec §5.3 step 5). */
  isLatestVersion: boolean
  appNames: string[] | undefined
  appName: string | null
  rateLimited: boolean
}

/**
 * Claims up to `max` ENQUEUED rows of a queue without shared limits in one statement (READ COMMITTED,
 * SKIP LOCKED: several executors may dequeue at once). Queues with shared budgets need the full
 * transaction of spec §5.3.
 */
export async function claimUnlimited(q: Queryable, s: string, r: ClaimRequest): Promise<ClaimedRow[]> {
  const version = r.isLatestVersion
    ? '(application_version = $4 OR application_version IS NULL)'
    : 'application_version = $4'
  const rows = await q.query<ClaimedRow>(
    `
UPDATE ${s}.workflow_status ws
SET status = 'PENDING', owner_xid = $1, executor_id = $3, application_version = $4,
    started_at_epoch_ms = ${NOW_MS}, rate_limited = $7, application_name = COALESCE(application_name, $6),
    recovery_attempts = recovery_attempts + 1, updated_at = ${NOW_MS},
    workflow_deadline_epoch_ms = CASE WHEN workflow_timeout_ms IS NOT NULL AND workflow_deadline_epoch_ms IS NULL
                                      THEN ${NOW_MS} + workflow_timeout_ms ELSE workflow_deadline_epoch_ms END
WHERE ws.workflow_uuid IN (
  SELECT workflow_uuid FROM ${s}.workflow_status
  WHERE status = 'ENQUEUED' AND queue_name = $2 AND ${version} AND ${scope('application_name', '$8')}
  ORDER BY priority ASC, created_at ASC
  LIMIT $5
  FOR UPDATE SKIP LOCKED)
  AND ws.status = 'ENQUEUED'
RETURNING ws.workflow_uuid, ws.name, ws.class_name, ws.config_name, ws.recovery_attempts,
  ws.workflow_deadline_epoch_ms, ws.serialization, ws.created_at, ws.priority,
  COALESCE((SELECT wi.inputs FROM ${s}.workflow_input wi WHERE wi.workflow_uuid = ws.workflow_uuid), ws.inputs)
    AS inputs`,
    [r.token, r.queueName, r.executorID, r.version, r.max, r.appName, r.rateLimited, r.appNames ?? null],
  )
  // RETURNING has no order: restore the queue order (priority, then age).
  return (rows as (ClaimedRow & { created_at: number; priority: number })[]).sort(
    (a, b) => a.priority - b.priority || Number(a.created_at) - Number(b.created_at),
  )
}
