import { DBOSInitializationError } from '../errors.ts'
import { type DatabasePort, type Queryable, sqlState } from '../ports/database.ts'
import type { TimerPort } from '../ports/timer.ts'
import { schemaFunctions, schemaTables, splitStatements } from './schema.ts'
import { SHARED_MIGRATIONS } from './shared-migrations.ts'

/** The schema version this engine writes; peers at or above it are current (docs/sysdb.md §1.4). */
export const SCHEMA_VERSION = 123
const FIRST_SHARED = 100

type Session = Queryable & { exec(script: string): Promise<void> }


// SQLSTATEs an official SDK creating the same objects concurrently (without our lock) can cause.
const RACE_CODES = new Set(['42P07', '42710', '42P06', '23505'])
const LOCK_TIMEOUT_MS = 10 * 60_000

/**
 * Brings the system database to schema 123 under a cross-process advisory try-lock: a fresh install in one
 * transaction, or the shared migrations after the current version. A database at 123 or above is left untouched.
 * @param timer the clock and the sleeps of the waits below
 * @param legacyWaitMs how long a schema older than the shared numbering may take to reach it (60 s in §1.4).
 */
export async function migrate(
  db: DatabasePort,
  schema: string,
  quoted: string,
  timer: TimerPort,
  legacyWaitMs = 60_000,
): Promise<void> {
  await db.session(async (conn) => {
    await acquireLock(conn, schema, timer)
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await migrateLocked(db, conn, schema, quoted, timer, legacyWaitMs)
          return
        } catch (e) {
          if (attempt >= 5 || !RACE_CODES.has(sqlState(e) ?? '')) throw e
        }
      }
    } finally {
      await conn.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(schema)])
    }
  })
}

function lockKey(schema: string): string {
  return `perdure:sysdb-migrations:${schema}`
}

function sleep(timer: TimerPort, ms: number): Promise<void> {
  return new Promise((resolve) => timer.schedule(ms, resolve))
}

async function acquireLock(conn: Queryable, schema: string, timer: TimerPort) {
  const started = timer.now()
  // Never a blocking pg_advisory_lock: a waiter holding a snapshot can deadlock CREATE INDEX CONCURRENTLY.
  for (;;) {
    const [row] = await conn.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [lockKey(schema)],
    )
    if (row?.locked) return
    if (timer.now() - started > LOCK_TIMEOUT_MS) {
      throw new DBOSInitializationError('Timed out after 10 minutes waiting for the migration lock')
    }
    await sleep(timer, 200 + Math.random() * 300)
  }
}

async function readVersion(db: Queryable, schema: string, quoted: string): Promise<number> {
  const [table] = await db.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'dbos_migrations'`,
    [schema],
  )
  if (!table) return 0
  const [row] = await db.query<{ version: string | number }>(
    `SELECT version FROM ${quoted}.dbos_migrations ORDER BY version DESC LIMIT 1`,
  )
  return row ? Number(row.version) : 0
}

async function hasWorkflowStatus(db: Queryable, schema: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'workflow_status'`,
    [schema],
  )
  return rows.length > 0
}

/**
 * The §1.4 baseline: a schema an older TypeScript or Python SDK left before the shared numbering existed, but
 * already shaped like 99, so the shared migrations apply to it.
 */
async function passesBaseline(db: Queryable, schema: string): Promise<boolean> {
  const [row] = await db.query<{ tables: number; columns: number; legacy: number }>(
    `SELECT
       (SELECT count(*)::int FROM information_schema.tables WHERE table_schema = $1 AND table_name IN
         ('workflow_status', 'operation_outputs', 'notifications', 'workflow_events', 'workflow_events_history',
          'streams', 'event_dispatch_kv', 'workflow_schedules', 'application_versions', 'queues')) AS tables,
       (SELECT count(*)::int FROM information_schema.columns WHERE table_schema = $1 AND (
         (table_name = 'workflow_status' AND column_name IN
           ('is_debounced', 'schedule_name', 'attributes', 'rate_limited', 'completed_at'))
         OR (table_name = 'notifications' AND column_name = 'consumed'))) AS columns,
       (SELECT count(*)::int FROM information_schema.tables WHERE table_schema = $1 AND table_name IN
         ('workflow_inputs', 'workflow_queue', 'scheduler_state')) AS legacy`,
    [schema],
  )
  return row !== undefined && row.tables === 10 && row.columns === 6 && row.legacy === 0
}

/** Records `version` as the last migration applied (the table holds one row). */
async function bumpVersion(db: Queryable, quoted: string, version: number): Promise<void> {
  const updated = await db.query(`UPDATE ${quoted}.dbos_migrations SET version = $1 RETURNING version`, [version])
  if (updated.length === 0) await db.query(`INSERT INTO ${quoted}.dbos_migrations (version) VALUES ($1)`, [version])
}

/** Drops indexes an interrupted `CREATE INDEX CONCURRENTLY` left INVALID: their names block the retry. */
async function dropInvalidIndexes(conn: Session, schema: string, quoted: string): Promise<void> {
  const invalid = await conn.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE NOT x.indisvalid AND n.nspname = $1`,
    [schema],
  )
  for (const { name } of invalid) await conn.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${quoted}."${name}"`)
}

/** Applies the shared migrations after `from`, each bumping the version as it lands (§1.4). */
async function applyShared(db: DatabasePort, conn: Session, schema: string, quoted: string, from: number) {
  for (const migration of SHARED_MIGRATIONS) {
    if (migration.version <= from) continue
    if (migration.kind === 'tx') {
      await db.transaction(async (tx) => {
        for (const statement of migration.statements(quoted)) await tx.query(statement)
        await bumpVersion(tx, quoted, migration.version)
      })
    } else {
      await dropInvalidIndexes(conn, schema, quoted)
      // Simple protocol, autocommit: CONCURRENTLY refuses to run inside a transaction block.
      for (const statement of migration.statements(quoted)) await conn.exec(statement)
      await bumpVersion(conn, quoted, migration.version)
    }
  }
}

/** @param legacyWaitMs how long to wait for an older SDK to bring a pre-shared-numbering schema up to 99 */
async function migrateLocked(db: DatabasePort, conn: Session, schema: string, quoted: string, timer: TimerPort, legacyWaitMs: number) {
  const started = timer.now()
  for (;;) {
    const version = await readVersion(db, schema, quoted)
    if (version >= SCHEMA_VERSION) return
    if (!(await hasWorkflowStatus(db, schema))) {
      await db.transaction(async (tx) => {
        await tx.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`)
        for (const statement of splitStatements(schemaTables(quoted) + schemaFunctions(quoted))) {
          await tx.query(statement)
        }
        await tx.query(`INSERT INTO ${quoted}.dbos_migrations (version) VALUES ($1)`, [SCHEMA_VERSION])
      })
      return
    }
    if (version >= FIRST_SHARED - 1 || (await passesBaseline(db, schema))) {
      await applyShared(db, conn, schema, quoted, Math.max(version, FIRST_SHARED - 1))
      return
    }
    // An older SDK may be partway through its own numbering: give it time to reach the shared scheme.
    if (timer.now() - started >= legacyWaitMs) {
      throw new DBOSInitializationError(
        `System database schema version ${version} predates the shared migration scheme; ` +
          'migrate it with an official DBOS SDK (5.3 or later) first',
      )
    }
    await sleep(timer, 1000)
  }
}
