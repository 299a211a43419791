import type { QueueLimits, QueueRateLimit } from '../queue/workflow-queue.ts'
import { DBOSConflictingRegistrationError } from '../errors.ts'
import type { IsolationLevel, Queryable } from '../ports/database.ts'
import { NOW_MS, scope, type Transactional } from './sql.ts'

/** A row this executor just claimed, with what dispatch needs to run it (docs/sysdb.md §5.5). */
export interface ClaimedRow {
  workflow_uuid: string
  name: string | null
  class_name: string | null
  config_name: string | null
  queue_partition_key: string | null
  recovery_attempts: number
  workflow_deadline_epoch_ms: number | null
  serialization: string | null
  inputs: string | null
  /** The workflow's recorded operations, loaded with the claim so replay needs no extra round trip. */
  ops: RecordedOp[] | null
  created_at: number
  priority: number
}

/** [function_id, function_name, output, error, child_workflow_id, serialization] */
export type RecordedOp = [number, string, string | null, string | null, string | null, string | null]

/** Who claims, and which rows it may take. */
export interface Claimer {
  executorID: string
  version: string
  /** True when no later version exists, so rows without a version may run here too (docs/sysdb.md §5.3 step 5). */
  isLatestVersion: boolean
  appName: string | null
}

/** One claim: up to `max` rows of a queue (or of one partition), under one fresh owner token. */
export interface ClaimRequest {
  queueName: string
  partitionKey: string | null
  max: number
  token: string
  /** NOWAIT (contention is an error, docs/sysdb.md §5.3) when limits are shared; SKIP LOCKED otherwise. */
  lock: 'NOWAIT' | 'SKIP LOCKED'
  rateLimited: boolean
}

/**
 * The claim itself (docs/sysdb.md §5.3 steps 6–7 as one statement): select the head of the queue, lock it, flip it to
 * PENDING under the token, and return what dispatch needs, recorded operations included.
 */
function claimSql(s: string, c: Claimer, lock: ClaimRequest['lock'], partitioned: boolean): string {
  const version = c.isLatestVersion
    ? '(application_version = $4 OR application_version IS NULL)'
    : 'application_version = $4'
  // The candidates are a MATERIALIZED CTE, evaluated once: as an IN (…LIMIT…) subquery Postgres may run it
  // again per row and claim more than LIMIT rows. The update joins them by primary key only: they are locked,
  // so still ENQUEUED, and a status condition here lets the planner scan every ENQUEUED row of every queue.
  return `
WITH candidates AS MATERIALIZED (
  SELECT workflow_uuid FROM ${s}.workflow_status
  WHERE status = 'ENQUEUED' AND queue_name = $2 AND ${version} AND ${scope('application_name', '$8')}
    ${partitioned ? 'AND queue_partition_key = $9' : ''}
  ORDER BY priority ASC, created_at ASC
  LIMIT $5
  FOR UPDATE ${lock}
)
UPDATE ${s}.workflow_status ws
SET status = 'PENDING', owner_xid = $1, executor_id = $3, application_version = $4,
    started_at_epoch_ms = ${NOW_MS}, rate_limited = $7, application_name = COALESCE(application_name, $6),
    recovery_attempts = recovery_attempts + 1, updated_at = ${NOW_MS},
    workflow_deadline_epoch_ms = CASE WHEN workflow_timeout_ms IS NOT NULL AND workflow_deadline_epoch_ms IS NULL
                                      THEN ${NOW_MS} + workflow_timeout_ms ELSE workflow_deadline_epoch_ms END
FROM candidates
WHERE ws.workflow_uuid = candidates.workflow_uuid
RETURNING ws.workflow_uuid, ws.name, ws.class_name, ws.config_name, ws.queue_partition_key, ws.recovery_attempts,
  ws.workflow_deadline_epoch_ms, ws.serialization, ws.created_at, ws.priority,
  COALESCE((SELECT wi.inputs FROM ${s}.workflow_input wi WHERE wi.workflow_uuid = ws.workflow_uuid), ws.inputs)
    AS inputs,
  (SELECT json_agg(json_build_array(o.function_id, o.function_name, o.output, o.error, o.child_workflow_id,
     o.serialization)) FROM ${s}.operation_outputs o WHERE o.workflow_uuid = ws.workflow_uuid) AS ops`
}

async function claimRows(q: Queryable, s: string, c: Claimer, r: ClaimRequest): Promise<ClaimedRow[]> {
  const params: unknown[] = [
    r.token, r.queueName, c.executorID, c.version, r.max, c.appName, r.rateLimited, c.appName ? [c.appName] : null,
  ]
  if (r.partitionKey !== null) params.push(r.partitionKey)
  const rows = await q.query<ClaimedRow>(claimSql(s, c, r.lock, r.partitionKey !== null), params)
  // RETURNING has no order: restore the queue's (priority, then age).
  return rows.sort((a, b) => a.priority - b.priority || Number(a.created_at) - Number(b.created_at))
}

/** What limits leave for this claim (docs/sysdb.md §5.3 steps 3–4); `max` is what the local budget allows. */
async function sharedBudget(
  q: Queryable,
  s: string,
  c: Claimer,
  queueName: string,
  partitionKey: string | null,
  limits: QueueLimits,
  max: number,
  warn: (message: string) => void,
): Promise<number> {
  const names = c.appName ? [c.appName] : null
  const rate = async (limit: QueueRateLimit, key: string | null) => {
    const [row] = await q.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ${s}.workflow_status
       WHERE queue_name = $1 AND rate_limited = TRUE AND status NOT IN ('ENQUEUED', 'DELAYED')
         AND started_at_epoch_ms > ${NOW_MS} - $2::float8 * 1000 AND ${scope('application_name', '$3')}
         ${key === null ? '' : 'AND queue_partition_key = $4'}`,
      key === null ? [queueName, limit.periodSec, names] : [queueName, limit.periodSec, names, key],
    )
    return limit.limitPerPeriod - Number(row?.n ?? 0)
  }
  const pending = async (limit: number, key: string | null) => {
    const [row] = await q.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM ${s}.workflow_status
       WHERE queue_name = $1 AND status = 'PENDING' AND ${scope('application_name', '$2')}
         ${key === null ? '' : 'AND queue_partition_key = $3'}`,
      key === null ? [queueName, names] : [queueName, names, key],
    )
    const running = Number(row?.n ?? 0)
    if (running > limit) warn(`Queue ${queueName} has ${running} workflows running, above its concurrency of ${limit}`)
    return limit - running
  }
  if (limits.rateLimit) max = Math.min(max, await rate(limits.rateLimit, null))
  if (max > 0 && limits.partitionRateLimit && partitionKey !== null) {
    max = Math.min(max, await rate(limits.partitionRateLimit, partitionKey))
  }
  if (max > 0 && limits.concurrency !== null) max = Math.min(max, await pending(limits.concurrency, null))
  if (max > 0 && limits.partitionConcurrency !== null && partitionKey !== null) {
    max = Math.min(max, await pending(limits.partitionConcurrency, partitionKey))
  }
  return max
}

/**
 * Claims work from a queue (or one partition), per docs/sysdb.md §5.3. Queues without shared limits claim in one
 * SKIP LOCKED statement; shared budgets (global concurrency, rate limits) count and claim in one transaction
 * whose isolation level, with NOWAIT, turns a race between executors into a contention error (40001 or
 * 55P03) instead of an overrun.
 */
export async function claim(
  db: Transactional,
  s: string,
  c: Claimer,
  queueName: string,
  partitionKey: string | null,
  limits: QueueLimits,
  max: number,
  token: string,
  warn: (message: string) => void,
): Promise<ClaimedRow[]> {
  const shared = limits.concurrency !== null || limits.rateLimit !== null ||
    (partitionKey !== null && (limits.partitionConcurrency !== null || limits.partitionRateLimit !== null))
  const rateLimited = limits.rateLimit !== null || limits.partitionRateLimit !== null
  if (!shared) {
    return await claimRows(db, s, c, { queueName, partitionKey, max, token, lock: 'SKIP LOCKED', rateLimited })
  }
  const writeSkew = partitionKey !== null && (limits.concurrency !== null || limits.rateLimit !== null)
  const isolation: IsolationLevel = writeSkew ? 'serializable' : 'repeatable read'
  return await db.transaction(async (tx) => {
    const budget = await sharedBudget(tx, s, c, queueName, partitionKey, limits, max, warn)
    if (budget <= 0) return []
    return await claimRows(tx, s, c, { queueName, partitionKey, max: budget, token, lock: 'NOWAIT', rateLimited })
  }, isolation)
}

/** Partition keys with ENQUEUED work on a queue, in random order (docs/sysdb.md §5.4, the general path). */
export async function partitionKeys(q: Queryable, s: string, queueName: string, appName: string | null): Promise<string[]> {
  const rows = await q.query<{ k: string }>(
    `SELECT DISTINCT queue_partition_key AS k FROM ${s}.workflow_status
     WHERE status = 'ENQUEUED' AND queue_name = $1 AND queue_partition_key IS NOT NULL
       AND ${scope('application_name', '$2')}`,
    [queueName, appName ? [appName] : null],
  )
  const keys = rows.map((r) => r.k)
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[keys[i], keys[j]] = [keys[j]!, keys[i]!]
  }
  return keys
}

/** The `queues` table row of a queue (docs/sysdb.md §5.1). */
export interface QueueRow {
  name: string
  concurrency: number | null
  worker_concurrency: number | null
  rate_limit_max: number | null
  rate_limit_period_sec: number | null
  partition_concurrency: number | null
  partition_worker_concurrency: number | null
  partition_rate_limit_max: number | null
  partition_rate_limit_period_sec: number | null
  partition_queue: boolean
  polling_interval_sec: number
  application_name: string | null
}

/** The limits a queue row stores. */
export function limitsOfRow(r: QueueRow): QueueLimits {
  const rate = (max: number | null, period: number | null) =>
    max !== null && period !== null ? { limitPerPeriod: Number(max), periodSec: Number(period) } : null
  return {
    concurrency: r.concurrency,
    workerConcurrency: r.worker_concurrency,
    rateLimit: rate(r.rate_limit_max, r.rate_limit_period_sec),
    partitionConcurrency: r.partition_concurrency,
    partitionWorkerConcurrency: r.partition_worker_concurrency,
    partitionRateLimit: rate(r.partition_rate_limit_max, r.partition_rate_limit_period_sec),
  }
}

/** Queue rows within this application's scope, re-read every second so fleet-wide changes apply. */
export async function readQueueRows(q: Queryable, s: string, appName: string | null): Promise<QueueRow[]> {
  return await q.query<QueueRow>(
    `SELECT name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec, partition_concurrency,
       partition_worker_concurrency, partition_rate_limit_max, partition_rate_limit_period_sec, partition_queue,
       polling_interval_sec, application_name
     FROM ${s}.queues WHERE ${scope('application_name', '$1')}`,
    [appName ? [appName] : null],
  )
}

/** Whether a queue row exists (another process or a client may have registered it). */
export async function queueExists(q: Queryable, s: string, name: string): Promise<boolean> {
  return (await q.query(`SELECT 1 FROM ${s}.queues WHERE name = $1`, [name])).length > 0
}

/**
 * Publishes declared queues as `queues` rows (docs/sysdb.md §5.1), so DBOS tools see them and limits changed there
 * apply fleet-wide. Only the latest version overwrites an existing row's limits.
 */
export async function publishQueues(
  db: Transactional,
  s: string,
  queues: readonly { name: string; limits: QueueLimits; pollingIntervalSec?: number }[],
  appName: string | null,
  update: boolean,
  now: number,
): Promise<void> {
  if (queues.length === 0) return
  await db.transaction(async (tx) => {
    for (const { name, limits, pollingIntervalSec } of queues) {
      await checkQueueOwner(tx, s, name, appName)
      const l = limits
      const partitioned = l.partitionConcurrency !== null || l.partitionWorkerConcurrency !== null ||
        l.partitionRateLimit !== null
      await tx.query(
        `INSERT INTO ${s}.queues (name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec,
           partition_concurrency, partition_worker_concurrency, partition_rate_limit_max,
           partition_rate_limit_period_sec, priority_enabled, partition_queue, polling_interval_sec, updated_at,
           application_name)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $13, $11, $12)
         ON CONFLICT (name) DO ${update ? `UPDATE SET concurrency = EXCLUDED.concurrency,
           worker_concurrency = EXCLUDED.worker_concurrency, rate_limit_max = EXCLUDED.rate_limit_max,
           rate_limit_period_sec = EXCLUDED.rate_limit_period_sec,
           partition_concurrency = EXCLUDED.partition_concurrency,
           partition_worker_concurrency = EXCLUDED.partition_worker_concurrency,
           partition_rate_limit_max = EXCLUDED.partition_rate_limit_max,
           partition_rate_limit_period_sec = EXCLUDED.partition_rate_limit_period_sec,
           priority_enabled = EXCLUDED.priority_enabled, partition_queue = EXCLUDED.partition_queue,
           polling_interval_sec = EXCLUDED.polling_interval_sec, updated_at = EXCLUDED.updated_at,
           application_name = COALESCE(queues.application_name, EXCLUDED.application_name)` : 'NOTHING'}`,
        [name, l.concurrency, l.workerConcurrency, l.rateLimit?.limitPerPeriod ?? null, l.rateLimit?.periodSec ?? null,
          l.partitionConcurrency, l.partitionWorkerConcurrency, l.partitionRateLimit?.limitPerPeriod ?? null,
          l.partitionRateLimit?.periodSec ?? null, partitioned, now, appName, pollingIntervalSec ?? 1.0],
      )
      await checkQueueOwner(tx, s, name, appName)
    }
  })
}

async function checkQueueOwner(q: Queryable, s: string, name: string, appName: string | null): Promise<void> {
  const [row] = await q.query<{ application_name: string | null }>(
    `SELECT application_name FROM ${s}.queues WHERE name = $1`,
    [name],
  )
  if (row?.application_name && appName && row.application_name !== appName) {
    throw new DBOSConflictingRegistrationError(
      `Queue '${name}' is already registered by application '${row.application_name}'; queue names are shared by every application on this database`,
    )
  }
}

/**
 * Moves this application's DELAYED rows whose delay ended by `now` to ENQUEUED (docs/sysdb.md §7.1: a debounced row
 * also frees its deduplication ID). Returns the queue of each promoted row.
 */
export async function promoteDelayed(q: Queryable, s: string, now: number, appName: string | null): Promise<string[]> {
  const rows = await q.query<{ queue_name: string }>(
    `UPDATE ${s}.workflow_status
     SET status = 'ENQUEUED', updated_at = ${NOW_MS},
         deduplication_id = CASE WHEN is_debounced THEN NULL ELSE deduplication_id END
     WHERE status = 'DELAYED' AND delay_until_epoch_ms <= $1 AND ${scope('application_name', '$2')}
     RETURNING queue_name`,
    [now, appName ? [appName] : null],
  )
  return rows.map((r) => r.queue_name)
}

// Queues at run time (DBOS 5.3): one row read, listed, changed or deleted by name.

const QUEUE_COLUMNS = `name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec, partition_concurrency,
  partition_worker_concurrency, partition_rate_limit_max, partition_rate_limit_period_sec, partition_queue,
  polling_interval_sec, application_name`

/** The row of a queue, whichever application owns it; undefined when there is none. */
export async function readQueue(q: Queryable, s: string, name: string): Promise<QueueRow | undefined> {
  const [row] = await q.query<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM ${s}.queues WHERE name = $1`, [name])
  return row
}

/** Queue rows of these applications and unclaimed ones, by name; every row when `names` is null. */
export async function listQueueRows(q: Queryable, s: string, names: readonly string[] | null): Promise<QueueRow[]> {
  return await q.query<QueueRow>(
    `SELECT ${QUEUE_COLUMNS} FROM ${s}.queues WHERE ${scope('application_name', '$1')} ORDER BY name`,
    [names],
  )
}

/** Deletes a queue row; its workflows stay, and no executor dispatches them until the queue is registered again. */
export async function deleteQueue(q: Queryable, s: string, name: string): Promise<void> {
  await q.query(`DELETE FROM ${s}.queues WHERE name = $1`, [name])
}

/** Stored limits to change on a queue row; null clears one, an absent field stays as it is. */
export interface QueueChanges {
  concurrency?: number | null
  workerConcurrency?: number | null
  rateLimit?: QueueRateLimit | null
  partitionConcurrency?: number | null
  partitionWorkerConcurrency?: number | null
  partitionRateLimit?: QueueRateLimit | null
  partitionQueue?: boolean
  pollingIntervalSec?: number
}

/** Changes the given fields of a queue row; false when there is no row of that name. */
export async function updateQueue(q: Queryable, s: string, name: string, c: QueueChanges, now: number): Promise<boolean> {
  const sets: string[] = []
  const params: unknown[] = [name, now]
  const set = (column: string, value: unknown) => {
    params.push(value)
    sets.push(`${column} = $${params.length}`)
  }
  if (c.concurrency !== undefined) set('concurrency', c.concurrency)
  if (c.workerConcurrency !== undefined) set('worker_concurrency', c.workerConcurrency)
  if (c.rateLimit !== undefined) {
    set('rate_limit_max', c.rateLimit?.limitPerPeriod ?? null)
    set('rate_limit_period_sec', c.rateLimit?.periodSec ?? null)
  }
  if (c.partitionConcurrency !== undefined) set('partition_concurrency', c.partitionConcurrency)
  if (c.partitionWorkerConcurrency !== undefined) set('partition_worker_concurrency', c.partitionWorkerConcurrency)
  if (c.partitionRateLimit !== undefined) {
    set('partition_rate_limit_max', c.partitionRateLimit?.limitPerPeriod ?? null)
    set('partition_rate_limit_period_sec', c.partitionRateLimit?.periodSec ?? null)
  }
  if (c.partitionQueue !== undefined) set('partition_queue', c.partitionQueue)
  if (c.pollingIntervalSec !== undefined) set('polling_interval_sec', c.pollingIntervalSec)
  const rows = await q.query(
    `UPDATE ${s}.queues SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE name = $1 RETURNING name`,
    params,
  )
  return rows.length > 0
}
