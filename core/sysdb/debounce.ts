// SQL for debounced workflows (docs/sysdb.md §7.1): DELAYED rows with is_debounced, keyed by their deduplication ID.
import type { Queryable } from '../ports/database.ts'
import { NOW_MS, scope } from './sql.ts'
import type { InsertedWorkflow, NewWorkflow } from './workflow-status.ts'

/** Which debounced row a key maps to. */
export interface DebounceTarget {
  name: string
  /** NULL for free functions. */
  className: string | null
  queueName: string
  /** `<className>.<workflowName>-<key>` */
  deduplicationID: string
}

/**
 * Pushes back the DELAYED debounced row of this key, if there is one, to `newDelay` (never past its debounce
 * deadline), and replaces its inputs: the last arguments win. Run it in a transaction so the inputs change
 * together with the delay; the DELAYED→ENQUEUED promotion locks the same row, so it sees both or neither.
 * @returns the bounced workflow's ID, or undefined when no DELAYED row holds the key.
 */
export async function bounceDebounced(
  tx: Queryable,
  s: string,
  target: DebounceTarget,
  newDelay: number,
  serialization: string,
  inputs: string,
  appName: string | null,
): Promise<string | undefined> {
  // A NULL deadline makes the comparison false, so the new delay applies.
  const [row] = await tx.query<{ workflow_uuid: string }>(
    `UPDATE ${s}.workflow_status
     SET delay_until_epoch_ms = CASE WHEN debounce_deadline_epoch_ms < $1 THEN debounce_deadline_epoch_ms ELSE $1 END,
         serialization = $2, updated_at = ${NOW_MS}, application_name = COALESCE(application_name, $3)
     WHERE name = $4 AND class_name IS NOT DISTINCT FROM $5 AND queue_name = $6 AND deduplication_id = $7
       AND status = 'DELAYED' AND is_debounced AND ${scope('application_name', '$8')}
     RETURNING workflow_uuid`,
    [newDelay, serialization, appName, target.name, target.className, target.queueName, target.deduplicationID,
      appName ? [appName] : null],
  )
  if (!row) return undefined
  await tx.query(
    `INSERT INTO ${s}.workflow_input (workflow_uuid, inputs) VALUES ($1, $2)
     ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = EXCLUDED.inputs`,
    [row.workflow_uuid, inputs],
  )
  return row.workflow_uuid
}

/** The row holding a queue's deduplication ID, whatever its application. */
export interface DedupHolder {
  workflow_uuid: string
  name: string | null
  class_name: string | null
  status: string
  is_debounced: boolean
  application_name: string | null
}

export async function readDedupHolder(q: Queryable, s: string, queueName: string, deduplicationID: string): Promise<DedupHolder | undefined> {
  const [row] = await q.query<DedupHolder>(
    `SELECT workflow_uuid, name, class_name, status, is_debounced, application_name
     FROM ${s}.workflow_status WHERE queue_name = $1 AND deduplication_id = $2`,
    [queueName, deduplicationID],
  )
  return row
}

/**
 * Inserts a debounced workflow (docs/sysdb.md §3.3 with status DELAYED) and its inputs. An existing ID is returned as
 * it is; another active row holding the deduplication ID fails with SQLSTATE 23505.
 * @param row built as an enqueue (ENQUEUED, no owner); it is stored DELAYED instead.
 */
export async function insertDebounced(
  q: Queryable,
  s: string,
  row: NewWorkflow,
  delayUntil: number,
  debounceDeadline: number | null,
): Promise<InsertedWorkflow> {
  const [inserted] = await q.query<InsertedWorkflow>(
    `
WITH ws AS (
  INSERT INTO ${s}.workflow_status (workflow_uuid, status, name, class_name, config_name, queue_name,
    executor_id, application_version, application_id, recovery_attempts, workflow_timeout_ms,
    workflow_deadline_epoch_ms, deduplication_id, priority, queue_partition_key, parent_workflow_id,
    serialization, creator_xid, owner_xid, application_name, authenticated_user, assumed_role,
    authenticated_roles, delay_until_epoch_ms, is_debounced, debounce_deadline_epoch_ms)
  VALUES ($1, 'DELAYED', $2, $3, $4, $5, $6, $7, $8, 0, $9, NULL, $10, $11, NULL, $12, $13, $14, NULL, $15,
    $16, '', $17, $18, TRUE, $19)
  ON CONFLICT (workflow_uuid) DO UPDATE SET creator_xid = workflow_status.creator_xid
  RETURNING workflow_uuid, status, name, class_name, config_name, queue_name, executor_id, creator_xid,
    serialization
), wi AS (
  INSERT INTO ${s}.workflow_input (workflow_uuid, inputs)
  SELECT $1, $20 FROM ws WHERE ws.creator_xid = $14
  ON CONFLICT (workflow_uuid) DO NOTHING
)
SELECT * FROM ws`,
    [row.workflowID, row.name, row.className, row.configName, row.queueName, row.executorID,
      row.applicationVersion, row.applicationID, row.timeoutMS, row.deduplicationID, row.priority,
      row.parentWorkflowID, row.serialization, row.token, row.applicationName, row.authenticatedUser,
      row.authenticatedRoles, delayUntil, debounceDeadline, row.inputs],
  )
  return inserted!
}
