// Migrations to schema 123: complete, idempotent, and safe when several processes launch at once.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { migrate, SCHEMA_VERSION } from '../../core/sysdb/migrations.ts'
import { pgliteDatabase, type PGliteLike } from '../../core/sysdb/pglite.ts'
import { postgresJsDatabase, type PostgresJsLike } from '../../core/sysdb/postgres-js.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import { afterAll, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const TABLES = [
  'application_versions', 'dbos_migrations', 'event_dispatch_kv', 'notifications', 'operation_outputs', 'queues',
  'streams', 'workflow_events', 'workflow_events_history', 'workflow_input', 'workflow_output',
  'workflow_schedules', 'workflow_status',
]

async function tables(db: DatabasePort): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'dbos' ORDER BY table_name`,
  )
  return rows.map((r) => r.table_name)
}

async function versions(db: DatabasePort): Promise<number[]> {
  return (await db.query<{ version: string }>('SELECT version FROM dbos.dbos_migrations')).map((r) => Number(r.version))
}

describeOn('postgres', 'migrations', () => {
  const name = `perdure_test_mig_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  const pools: ReturnType<typeof postgres>[] = []
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end({ timeout: 5 })))
    await dropPostgresDatabases([name])
  })

  it('ten concurrent launches create the schema exactly once', async () => {
    const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
    await admin.unsafe(`CREATE DATABASE "${name}"`)
    await admin.end()
    const dbs = Array.from({ length: 10 }, () => {
      const sql = postgres(postgresUrl(name), { max: 2, onnotice: () => {} })
      pools.push(sql)
      return postgresJsDatabase(sql as unknown as PostgresJsLike, false)
    })
    await Promise.all(dbs.map((db) => migrate(db, 'dbos', '"dbos"', sleep)))
    expect(await tables(dbs[0]!)).toEqual(TABLES)
    expect(await versions(dbs[0]!)).toEqual([SCHEMA_VERSION])
    const [fn] = await dbs[0]!.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'dbos' AND p.proname IN ('enqueue_workflow', 'send_message', 'notifications_function')`,
    )
    expect(Number(fn!.n)).toBe(3)
  })

  it('a second migration changes nothing', async () => {
    const db = postgresJsDatabase(pools[0] as unknown as PostgresJsLike, false)
    await migrate(db, 'dbos', '"dbos"', sleep)
    expect(await versions(db)).toEqual([SCHEMA_VERSION])
  })

  it('plain SQL can enqueue a workflow through the schema functions', async () => {
    const db = postgresJsDatabase(pools[0] as unknown as PostgresJsLike, false)
    const [row] = await db.query<{ id: string }>(`SELECT dbos.enqueue_workflow('wf', 'q', ARRAY['1'::json]) AS id`)
    const [status] = await db.query<{ status: string; serialization: string }>(
      'SELECT status, serialization FROM dbos.workflow_status WHERE workflow_uuid = $1',
      [row!.id],
    )
    expect(status).toEqual({ status: 'ENQUEUED', serialization: 'portable_json' })
  })
})

describeOn('pglite', 'migrations', () => {
  it('creates schema 123 in an empty embedded database, idempotently', async () => {
    const pg = await PGlite.create()
    const db = pgliteDatabase(pg as unknown as PGliteLike)
    try {
      await migrate(db, 'dbos', '"dbos"', sleep)
      await migrate(db, 'dbos', '"dbos"', sleep)
      expect(await tables(db)).toEqual(TABLES)
      expect(await versions(db)).toEqual([SCHEMA_VERSION])
    } finally {
      await db.close()
    }
  })
})
