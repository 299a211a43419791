import { DBOSInitializationError } from '../errors.ts'
import { type DatabasePort, type Queryable, sqlState } from '../ports/database.ts'
import { schemaFunctions, schemaTables } from './schema.ts'

/** The schema version this engine writes; peers at or above it are current (spec §1.4). */
export const SCHEMA_VERSION = 123

// SQLSTATEs an official SDK creating the same objects concurrently (without our lock) can cause.
const RACE_CODES = new Set(['42P07', '42710', '42P06', '23505'])
const LOCK_TIMEOUT_MS = 10 * 60_000

/**
 * Brings the system database to schema 123 under a cross-process advisory try-lock.
 * Idempotent: a database at 123 or above is left untouched.
 */
export async function migrate(
  db: DatabasePort,
  schema: string,
  quoted: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  await db.session(async (conn) => {
    await acquireLock(conn, schema, sleep)
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await migrateLocked(db, schema, quoted)
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

async function acquireLock(conn: Queryable, schema: string, sleep: (ms: number) => Promise<void>) {
  const started = Date.now()
  // Never a blocking pg_advisory_lock: a waiter holding a snapshot can deadlock CREATE INDEX CONCURRENTLY.
  for (;;) {
    const [row] = await conn.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [lockKey(schema)],
    )
    if (row?.locked) return
    if (Date.now() - started > LOCK_TIMEOUT_MS) {
      throw new DBOSInitializationError('Timed out after 10 minutes waiting for the migration lock')
    }
    await sleep(200 + Math.random() * 300)
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

async function migrateLocked(db: DatabasePort, schema: string, quoted: string): Promise<void> {
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
  // TODO(perdure#6): apply the shared migrations 100–122 to databases left by older official SDKs.
  throw new DBOSInitializationError(
    `System database schema version ${version} is older than ${SCHEMA_VERSION}; ` +
      'migrate it with an official DBOS SDK (5.3 or later) first',
  )
}

/** Splits the DDL at top-level semicolons, keeping dollar-quoted function bodies whole. */
export function splitStatements(script: string): string[] {
  const out: string[] = []
  let current = ''
  let inDollar = false
  for (const line of script.split('\n')) {
    const trimmed = line.trim()
    if (trimmed.startsWith('--') && !inDollar) continue
    current += line + '\n'
    const dollars = line.match(/\$body\$/g)?.length ?? 0
    if (dollars % 2 === 1) inDollar = !inDollar
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim())
      current = ''
    }
  }
  if (current.trim()) out.push(current.trim())
  return out
}
