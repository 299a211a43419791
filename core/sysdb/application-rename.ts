import { DBOSInvalidArgumentError } from '../errors.ts'
import type { Transactional } from './sql.ts'

// Re-owning an application's rows after it is renamed: `application_name` scopes listings, recovery, queues,
// schedules and versions, so an application launched under a new name sees none of its history until then.

/** Rows a rename re-owned, by table (the shape DBOSClient.renameApplication returns). */
export interface RenamedRows {
  queues: number
  schedules: number
  versions: number
  workflows: number
  steps: number
}

/** Workflows re-owned per statement when the caller gives no batch size. */
export const DEFAULT_RENAME_BATCH_SIZE = 10_000

export interface RenameOptions {
  /** Workflows (with all their steps) re-owned per statement (default 10 000); null: each table in one statement. */
  batchSize?: number | null
  /** Also take rows no application owns (default false). */
  adoptUnclaimedRows?: boolean
}

/** The rows a rename takes: $2's (null: none by name), and unclaimed ones when $3. */
const SOURCE = '(application_name = $2 OR ($3::boolean AND application_name IS NULL))'

/** Statuses whose rows a running executor acts on: these move with the queues, schedules and versions. */
const IN_FLIGHT = ['PENDING', 'ENQUEUED', 'DELAYED']

function check(from: string | undefined, to: string, o: Required<RenameOptions>): void {
  if (from === '') throw new DBOSInvalidArgumentError('from', "the application's previous name must not be empty", '""')
  if (to === '') throw new DBOSInvalidArgumentError('to', 'the new application name must not be empty', '""')
  if (from === undefined && !o.adoptUnclaimedRows) {
    throw new DBOSInvalidArgumentError('from', 'name the application to rename, adopt unclaimed rows, or both', 'undefined')
  }
  if (from === to) throw new DBOSInvalidArgumentError('to', `must differ from the previous name`, JSON.stringify(to))
  if (o.batchSize !== null && (!Number.isSafeInteger(o.batchSize) || o.batchSize < 1)) {
    throw new DBOSInvalidArgumentError('batchSize', 'must be a positive whole number or null', String(o.batchSize))
  }
}

/**
 * Gives `to` the rows `from` owns, the unclaimed ones, or both. The application being renamed must be stopped,
 * or its dequeues race this. Queue, schedule and version names are unique whoever owns them, so this never
 * merges two rows into one.
 */
export async function renameApplication(
  q: Transactional, s: string, from: string | undefined, to: string, options: RenameOptions = {},
): Promise<RenamedRows> {
  const o = { batchSize: options.batchSize === undefined ? DEFAULT_RENAME_BATCH_SIZE : options.batchSize, adoptUnclaimedRows: options.adoptUnclaimedRows ?? false }
  check(from, to, o)
  const params = [to, from ?? null, o.adoptUnclaimedRows]
  const move = async (db: Pick<Transactional, 'query'>, table: string, extra = '', extraParams: unknown[] = []) => {
    const [row] = await db.query<{ n: number }>(
      `WITH moved AS (UPDATE ${s}.${table} SET application_name = $1 WHERE ${SOURCE}${extra} RETURNING 1)
       SELECT count(*)::int AS n FROM moved`,
      [...params, ...extraParams],
    )
    return row?.n ?? 0
  }
  // What an executor of the new name needs at once moves together: a half-moved application would dequeue work
  // whose queue or version row it cannot see.
  const first = await q.transaction(async (tx) => ({
    queues: await move(tx, 'queues'),
    schedules: await move(tx, 'workflow_schedules'),
    versions: await move(tx, 'application_versions'),
    inFlight: await move(tx, 'workflow_status', ' AND status = ANY($4::text[])', [IN_FLIGHT]),
  }))
  // The finished workflows and the steps only scope listings and retention, so they may follow in batches, each
  // its own transaction, and a long history never sits in one.
  const workflows = await moveInBatches(q, s, 'workflow_status', params, o.batchSize)
  const steps = await moveInBatches(q, s, 'operation_outputs', params, o.batchSize)
  return { queues: first.queues, schedules: first.schedules, versions: first.versions, workflows: first.inFlight + workflows, steps }
}

/**
 * Re-owns a table's rows `batchSize` workflow IDs at a time, in ID order from where the last batch ended (the
 * primary key's order, so no batch rescans the rows already moved), until a batch comes up short; then one last
 * statement takes whatever is left anywhere, rows written below the watermark meanwhile included.
 */
async function moveInBatches(q: Transactional, s: string, table: string, params: unknown[], batchSize: number | null): Promise<number> {
  let total = 0
  let after: string | null = null
  while (batchSize !== null) {
    const [row]: { moved: number; keys: number; last: string | null }[] = await q.query(
      `WITH batch AS (
         SELECT DISTINCT workflow_uuid FROM ${s}.${table}
          WHERE ${SOURCE} AND ($4::text IS NULL OR workflow_uuid > $4)
          ORDER BY workflow_uuid LIMIT $5
       ), moved AS (
         UPDATE ${s}.${table} AS t SET application_name = $1 FROM batch
          WHERE t.workflow_uuid = batch.workflow_uuid AND ${SOURCE} RETURNING 1
       )
       SELECT (SELECT count(*)::int FROM moved) AS moved, (SELECT count(*)::int FROM batch) AS keys,
              (SELECT max(workflow_uuid) FROM batch) AS last`,
      [...params, after, batchSize],
    )
    total += row?.moved ?? 0
    if (!row || row.keys < batchSize || row.last === null) break
    after = row.last
  }
  const [rest] = await q.query<{ n: number }>(
    `WITH moved AS (UPDATE ${s}.${table} SET application_name = $1 WHERE ${SOURCE} RETURNING 1)
     SELECT count(*)::int AS n FROM moved`,
    params,
  )
  return total + (rest?.n ?? 0)
}
