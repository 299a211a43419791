// SQL for scheduled workflows (docs/sysdb.md §7.2): the `workflow_schedules` rows and the workflow row of each slot.
import { DBOSConflictingRegistrationError } from '../errors.ts'
import type { Queryable } from '../ports/database.ts'
import { scope, type Transactional } from './sql.ts'

/** Prefix of the `schedule_id` of schedules declared in code; other rows are dynamic schedules. */
export const CODE_SCHEDULE_PREFIX = 'perdure-code:'

/** A `workflow_schedules` row. */
export interface ScheduleRow {
  schedule_id: string
  schedule_name: string
  workflow_name: string
  workflow_class_name: string | null
  schedule: string
  status: string
  context: string
  last_fired_at: string | null
  automatic_backfill: boolean
  cron_timezone: string | null
  queue_name: string | null
  application_name: string | null
}

/** What `publishSchedules` stores for one declared schedule. */
export interface PublishedSchedule {
  scheduleName: string
  workflowName: string
  workflowClassName: string
  crontab: string
  automaticBackfill: boolean
  queueName: string | null
}

/**
 * Publishes declared schedules in one transaction (docs/sysdb.md §7.2): upserts their definitions, keeping each row's
 * `schedule_id`, `status` and `last_fired_at`, so a schedule paused by a DBOS tool stays paused. With
 * `deleteUndeclared` (the latest version does this), this application's code schedules that are no longer
 * declared are deleted; rows without the code prefix are never touched.
 * @param context the app encoding of `null`
 */
export async function publishSchedules(
  db: Transactional,
  s: string,
  schedules: readonly PublishedSchedule[],
  appName: string | null,
  deleteUndeclared: boolean,
  context: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    for (const d of schedules) {
      const [row] = await tx.query<{ application_name: string | null }>(
        `INSERT INTO ${s}.workflow_schedules (schedule_id, schedule_name, workflow_name, workflow_class_name,
           schedule, status, context, last_fired_at, automatic_backfill, cron_timezone, queue_name, application_name)
         VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, NULL, $7, NULL, $8, $9)
         ON CONFLICT (schedule_name) DO UPDATE SET workflow_name = EXCLUDED.workflow_name,
           workflow_class_name = EXCLUDED.workflow_class_name, schedule = EXCLUDED.schedule,
           context = EXCLUDED.context, automatic_backfill = EXCLUDED.automatic_backfill,
           cron_timezone = EXCLUDED.cron_timezone, queue_name = EXCLUDED.queue_name,
           application_name = COALESCE(workflow_schedules.application_name, EXCLUDED.application_name)
         RETURNING application_name`,
        [`${CODE_SCHEDULE_PREFIX}${d.scheduleName}`, d.scheduleName, d.workflowName, d.workflowClassName,
          d.crontab, context, d.automaticBackfill, d.queueName, appName],
      )
      // Checked after the upsert, inside the transaction: throwing rolls back whatever it changed.
      const owner = row?.application_name ?? null
      if (owner !== null && appName !== null && owner !== appName) {
        throw new DBOSConflictingRegistrationError(
          `Schedule '${d.scheduleName}' is already registered by application '${owner}'; schedule names are shared by every application on this database`,
        )
      }
    }
    if (deleteUndeclared) {
      await tx.query(
        `DELETE FROM ${s}.workflow_schedules
         WHERE schedule_id LIKE '${CODE_SCHEDULE_PREFIX}%' AND application_name IS NOT DISTINCT FROM $1
           AND NOT (schedule_name = ANY($2::text[]))`,
        [appName, schedules.map((d) => d.scheduleName)],
      )
    }
  })
}

/** Schedule rows within this application's scope. */
export async function readSchedules(q: Queryable, s: string, appName: string | null): Promise<ScheduleRow[]> {
  return await q.query<ScheduleRow>(
    `SELECT schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context,
       last_fired_at, automatic_backfill, cron_timezone, queue_name, application_name
     FROM ${s}.workflow_schedules WHERE ${scope('application_name', '$1')}`,
    [appName ? [appName] : null],
  )
}

/** The workflow row of one slot (docs/sysdb.md §7.2 step 3). */
export interface ScheduledWorkflow {
  workflowID: string
  name: string
  /** NULL for free functions. */
  className: string | null
  queueName: string
  scheduleName: string
  /** The schedule's owner; the row's application version is that application's latest. */
  applicationName: string | null
  /** Used when the owner has no registered version; null lets any version run it. */
  fallbackVersion: string | null
  applicationID: string
  serialization: string
  inputs: string
  token: string
}

/**
 * Inserts a slot's workflow unless its ID exists; true if this call created it. The insert is idempotent, so
 * each slot runs once however many executors fire it. DO NOTHING rather than §3.3's no-op update: the
 * existing row is not needed, and locking it would wait on its execution's checkpoints.
 */
export async function insertScheduledWorkflow(q: Queryable, s: string, w: ScheduledWorkflow): Promise<boolean> {
  const rows = await q.query(
    `
WITH ws AS (
  INSERT INTO ${s}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name,
    executor_id, application_version, application_id, recovery_attempts, priority, serialization, creator_xid,
    owner_xid, application_name, authenticated_user, assumed_role, authenticated_roles, schedule_name)
  VALUES ($1, 'ENQUEUED', $2, $3, NULL, $4, '',
    COALESCE((SELECT version_name FROM ${s}.application_versions WHERE ${scope('application_name', '$12')}
              ORDER BY version_timestamp DESC LIMIT 1), $6),
    $7, 0, 0, $8, $9, NULL, $5, '', '', '[]', $10)
  ON CONFLICT (workflow_uuid) DO NOTHING
  RETURNING workflow_uuid
), wi AS (
  INSERT INTO ${s}.workflow_input (workflow_uuid, inputs)
  SELECT workflow_uuid, $11 FROM ws
  ON CONFLICT (workflow_uuid) DO NOTHING
)
SELECT workflow_uuid FROM ws`,
    [w.workflowID, w.name, w.className, w.queueName, w.applicationName, w.fallbackVersion, w.applicationID,
      w.serialization, w.token, w.scheduleName, w.inputs, w.applicationName === null ? null : [w.applicationName]],
  )
  return rows.length === 1
}

/** Records a fired slot; `last_fired_at` only ever moves forward (docs/sysdb.md §12 item 4). */
export async function advanceLastFired(q: Queryable, s: string, scheduleName: string, iso: string): Promise<void> {
  await q.query(
    `UPDATE ${s}.workflow_schedules SET last_fired_at = $2
     WHERE schedule_name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)`,
    [scheduleName, iso],
  )
}

// --- schedules made at run time (DBOS 5.3's schedule API) ------------------------------------------------

const COLUMNS = `schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context,
  last_fired_at, automatic_backfill, cron_timezone, queue_name, application_name`

/**
 * The owner a write of schedule `name` keeps: the row's owner if it has one, else `owner`. A named writer
 * whose name differs from the row's owner is refused: schedule names are shared by every application on the
 * database, so the collision is not the writer's to resolve.
 */
async function resolveOwner(q: Queryable, s: string, name: string, owner: string | null): Promise<string | null> {
  const [row] = await q.query<{ application_name: string | null }>(
    `SELECT application_name FROM ${s}.workflow_schedules WHERE schedule_name = $1`, [name],
  )
  const current = row?.application_name ?? null
  if (current === null || owner === null || current === owner) return current ?? owner
  throw new DBOSConflictingRegistrationError(
    `Schedule '${name}' is already registered by application '${current}'; schedule names are shared by every application on this database: give '${owner}' a different schedule name, or re-own the rows with rename-application`,
  )
}

/**
 * Inserts a new schedule row, owned by `row.application_name` unless an existing row says otherwise.
 * Throws DBOSConflictingRegistrationError if a schedule of that name exists.
 */
export async function insertSchedule(db: Transactional, s: string, row: ScheduleRow): Promise<void> {
  await db.transaction(async (tx) => {
    const owner = await resolveOwner(tx, s, row.schedule_name, row.application_name)
    const inserted = await tx.query(
      `INSERT INTO ${s}.workflow_schedules (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (schedule_name) DO NOTHING RETURNING schedule_name`,
      [row.schedule_id, row.schedule_name, row.workflow_name, row.workflow_class_name, row.schedule, row.status,
        row.context, row.last_fired_at, row.automatic_backfill, row.cron_timezone, row.queue_name, owner],
    )
    if (inserted.length === 0) throw new DBOSConflictingRegistrationError(`Schedule '${row.schedule_name}' already exists`)
  })
}

/**
 * Upserts schedule rows in one transaction: a new name is inserted whole; an existing one gets the new
 * definition but keeps its `schedule_id`, `status` and `last_fired_at`, so re-applying the same set changes
 * nothing. An unclaimed row is claimed; a row another application owns is refused (and nothing is written).
 */
export async function applySchedules(db: Transactional, s: string, rows: readonly ScheduleRow[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const row of rows) {
      const owner = await resolveOwner(tx, s, row.schedule_name, row.application_name)
      await tx.query(
        `INSERT INTO ${s}.workflow_schedules (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (schedule_name) DO UPDATE SET workflow_name = EXCLUDED.workflow_name,
           workflow_class_name = EXCLUDED.workflow_class_name, schedule = EXCLUDED.schedule,
           context = EXCLUDED.context, automatic_backfill = EXCLUDED.automatic_backfill,
           cron_timezone = EXCLUDED.cron_timezone, queue_name = EXCLUDED.queue_name,
           application_name = COALESCE(workflow_schedules.application_name, EXCLUDED.application_name)`,
        [row.schedule_id, row.schedule_name, row.workflow_name, row.workflow_class_name, row.schedule, row.status,
          row.context, row.last_fired_at, row.automatic_backfill, row.cron_timezone, row.queue_name, owner],
      )
      // Read back: a writer that claimed the row between the check and the upsert keeps it.
      await resolveOwner(tx, s, row.schedule_name, row.application_name)
    }
  })
}

/** Filters of a schedule listing; each list matches any of its values, an absent one matches all. */
export interface ScheduleFilters {
  status?: readonly string[]
  workflowName?: readonly string[]
  scheduleNamePrefix?: readonly string[]
  /** Rows of these applications plus unclaimed ones; null for every row. */
  applicationNames: readonly string[] | null
}

/** Schedule rows matching the filters, by name. */
export async function listSchedules(q: Queryable, s: string, f: ScheduleFilters): Promise<ScheduleRow[]> {
  return await q.query<ScheduleRow>(
    `SELECT ${COLUMNS} FROM ${s}.workflow_schedules
     WHERE ($1::text[] IS NULL OR status = ANY($1::text[]))
       AND ($2::text[] IS NULL OR workflow_name = ANY($2::text[]))
       AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS p
             WHERE left(schedule_name, length(p)) = p))
       AND ${scope('application_name', '$4')}
     ORDER BY schedule_name`,
    [f.status ?? null, f.workflowName ?? null, f.scheduleNamePrefix ?? null, f.applicationNames],
  )
}

/** One schedule row by name, whoever owns it. */
export async function readSchedule(q: Queryable, s: string, name: string): Promise<ScheduleRow | undefined> {
  const [row] = await q.query<ScheduleRow>(`SELECT ${COLUMNS} FROM ${s}.workflow_schedules WHERE schedule_name = $1`, [name])
  return row
}

/** Deletes a schedule; an unknown name is no error. */
export async function deleteSchedule(q: Queryable, s: string, name: string): Promise<void> {
  await q.query(`DELETE FROM ${s}.workflow_schedules WHERE schedule_name = $1`, [name])
}

/** Pauses or resumes a schedule; an unknown name is no error. */
export async function setScheduleStatus(q: Queryable, s: string, name: string, status: 'ACTIVE' | 'PAUSED'): Promise<void> {
  await q.query(`UPDATE ${s}.workflow_schedules SET status = $2 WHERE schedule_name = $1`, [name, status])
}

/** The definition fields an update may change; runtime state (id, status, last fired) is never touched. */
export interface ScheduleUpdate {
  schedule?: string
  context?: string
  automatic_backfill?: boolean
  cron_timezone?: string | null
  queue_name?: string | null
}

const UPDATABLE: readonly (keyof ScheduleUpdate)[] = ['schedule', 'context', 'automatic_backfill', 'cron_timezone', 'queue_name']

/** Changes the fields present in `u`; false if there is no schedule of that name. */
export async function updateSchedule(q: Queryable, s: string, name: string, u: ScheduleUpdate): Promise<boolean> {
  const present = UPDATABLE.filter((column) => column in u)
  if (present.length === 0) return (await readSchedule(q, s, name)) !== undefined
  const sets = present.map((column, i) => `${column} = $${i + 2}`)
  const rows = await q.query(
    `UPDATE ${s}.workflow_schedules SET ${sets.join(', ')} WHERE schedule_name = $1 RETURNING schedule_name`,
    [name, ...present.map((column) => u[column] ?? null)],
  )
  return rows.length === 1
}
