// Migrations to schema 123: complete, idempotent, safe when several processes launch at once, and able to bring
// a schema an older SDK left (at 99 or later, or passing the baseline check) up to 123.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { migrate, SCHEMA_VERSION } from '../../core/sysdb/migrations.ts'
import { pgliteDatabase, type PGliteLike } from '../../core/sysdb/pglite.ts'
import { postgresJsDatabase, type PostgresJsLike } from '../../core/sysdb/postgres-js.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import type { TimerPort } from '../../core/ports/timer.ts'
import { DBOSInitializationError } from '../../core/errors.ts'
import { afterAll, afterEach, beforeEach, expect, it } from '../harness.ts'
import { rollBackTo99 } from '../fixtures/schema-99.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import {
  describeEachDatabase,
  describeOn,
  dropPostgresDatabases,
  postgresUrl,
  type TestDatabase,
} from '../support/databases.ts'

const timer: TimerPort = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}
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
  const extraDatabases: string[] = []
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end({ timeout: 5 })))
    await dropPostgresDatabases([name, ...extraDatabases])
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
    await Promise.all(dbs.map((db) => migrate(db, 'dbos', '"dbos"', timer)))
    expect(await tables(dbs[0]!)).toEqual(TABLES)
    expect(await versions(dbs[0]!)).toEqual([SCHEMA_VERSION])
    const [fn] = await dbs[0]!.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'dbos' AND p.proname IN ('enqueue_workflow', 'send_message', 'notifications_function')`,
    )
    expect(Number(fn!.n)).toBe(3)
  })

  it('ten processes launched at once on an empty database all start, and the schema is created once', async () => {
    const url = postgresUrl(`${name}_procs`)
    extraDatabases.push(`${name}_procs`)
    const runs = Array.from({ length: 10 }, async (_, i) => {
      const command = scriptCommand('test/fixtures/launch-once.ts', [url])
      const child = new Child(`launch-once ${i}`, command, { stdin: 'ignore' })
      const { code } = await child.exited
      // The whole report only where the line is missing: it is what explains the failure.
      return { code, output: child.stdout.includes('LAUNCHED') ? 'LAUNCHED' : child.report() }
    })
    const results = await Promise.all(runs)
    for (const result of results) expect(result).toEqual({ code: 0, output: 'LAUNCHED' })
    const sql = postgres(url, { max: 1, onnotice: () => {} })
    pools.push(sql)
    const db = postgresJsDatabase(sql as unknown as PostgresJsLike, false)
    expect(await tables(db)).toEqual(TABLES)
    expect(await versions(db)).toEqual([SCHEMA_VERSION])
  })

  it('a second migration changes nothing', async () => {
    const db = postgresJsDatabase(pools[0] as unknown as PostgresJsLike, false)
    await migrate(db, 'dbos', '"dbos"', timer)
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
      await migrate(db, 'dbos', '"dbos"', timer)
      await migrate(db, 'dbos', '"dbos"', timer)
      expect(await tables(db)).toEqual(TABLES)
      expect(await versions(db)).toEqual([SCHEMA_VERSION])
    } finally {
      await db.close()
    }
  })
})

/** Columns, constraints, indexes (with validity) and function signatures of schema `dbos`, in a stable order. */
async function catalog(db: DatabasePort): Promise<string[]> {
  const rows = await db.query<{ line: string }>(`
    SELECT line FROM (
      SELECT 1 AS part, table_name AS a, ordinal_position AS b,
             format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type, is_nullable,
                    column_default) AS line
        FROM information_schema.columns WHERE table_schema = 'dbos'
      UNION ALL
      SELECT 2, conrelid::regclass::text, 0, format('constraint %s %s', conname, pg_get_constraintdef(oid))
        FROM pg_constraint WHERE connamespace = 'dbos'::regnamespace
      UNION ALL
      SELECT 3, i.relname, 0, format('%s valid=%s', pg_get_indexdef(i.oid), x.indisvalid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
       WHERE i.relnamespace = 'dbos'::regnamespace
      UNION ALL
      SELECT 4, p.oid::regprocedure::text, 0, 'function ' || p.oid::regprocedure::text
        FROM pg_proc p WHERE p.pronamespace = 'dbos'::regnamespace
    ) c ORDER BY part, a, b, line`)
  return rows.map((r) => r.line)
}

/** A port on an empty database of this kind, and how to close it. */
async function emptyDatabase(kind: TestDatabase): Promise<DatabasePort> {
  const url = kind.fresh()
  if (kind.name === 'pglite') {
    const pg = url.startsWith('file:') ? await PGlite.create(url.slice('file:'.length)) : await PGlite.create()
    return pgliteDatabase(pg as unknown as PGliteLike)
  }
  const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`)
  await admin.end()
  return postgresJsDatabase(postgres(url, { max: 3, onnotice: () => {} }) as unknown as PostgresJsLike)
}

describeEachDatabase('shared migrations 100-123 on an existing schema', (kind) => {
  let db: DatabasePort
  let fresh: string[]
  beforeEach(async () => {
    db = await emptyDatabase(kind)
    await migrate(db, 'dbos', '"dbos"', timer)
    fresh = await catalog(db)
  })
  afterEach(async () => {
    await db.close()
    await kind.dropAll()
  })
  const rollBack = async () => {
    for (const statement of rollBackTo99('"dbos"')) await db.query(statement)
  }

  it('bring a schema left at 99 to exactly the fresh schema 123', async () => {
    await rollBack()
    expect(await catalog(db)).not.toEqual(fresh)
    expect(await versions(db)).toEqual([99])
    await migrate(db, 'dbos', '"dbos"', timer)
    expect(await catalog(db)).toEqual(fresh)
    expect(await versions(db)).toEqual([SCHEMA_VERSION])
    // Migration 113's enqueue_workflow writes the inputs to workflow_input.
    const [row] = await db.query<{ id: string }>(`SELECT dbos.enqueue_workflow('wf', 'q', ARRAY['1'::json]) AS id`)
    const [input] = await db.query<{ inputs: string }>('SELECT inputs FROM dbos.workflow_input WHERE workflow_uuid = $1', [row!.id])
    expect(JSON.parse(input!.inputs)).toEqual({ positionalArgs: [1], namedArgs: {} })
  })

  it('apply only the migrations after the recorded version', async () => {
    // At 120 with 121 undone: 121-123 run; the stand-in index 114 would have dropped stays, proving 114 did not run.
    await db.query('ALTER TABLE dbos.notifications DROP COLUMN consumed_by_function_id')
    await db.query('CREATE INDEX idx_notifications ON dbos.notifications (destination_uuid)')
    await db.query('UPDATE dbos.dbos_migrations SET version = 120')
    await migrate(db, 'dbos', '"dbos"', timer)
    const after = await catalog(db)
    expect(after.filter((l) => !l.includes('idx_notifications '))).toEqual(fresh)
    expect(after.some((l) => l.includes('idx_notifications '))).toBe(true)
    expect(await versions(db)).toEqual([SCHEMA_VERSION])
  })

  it('migrate a schema with no recorded version when it passes the baseline check', async () => {
    await rollBack()
    await db.query('DELETE FROM dbos.dbos_migrations')
    await migrate(db, 'dbos', '"dbos"', timer)
    expect(await catalog(db)).toEqual(fresh)
    expect(await versions(db)).toEqual([SCHEMA_VERSION])
  })

  it('refuse, changing nothing, a schema older than the shared numbering', async () => {
    await rollBack()
    await db.query('ALTER TABLE dbos.workflow_status DROP COLUMN is_debounced')
    await db.query('UPDATE dbos.dbos_migrations SET version = 42')
    const before = await catalog(db)
    const started = Date.now()
    const error = await migrate(db, 'dbos', '"dbos"', timer, 1500).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInitializationError)
    expect((error as Error).message).toBe(
      'System database schema version 42 predates the shared migration scheme; migrate it with an official DBOS SDK (5.3 or later) first',
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
    expect(await catalog(db)).toEqual(before)
    expect(await versions(db)).toEqual([42])
  })

  it('wait for an older SDK by the clock it is given, not the wall clock', async () => {
    await rollBack()
    await db.query('ALTER TABLE dbos.workflow_status DROP COLUMN is_debounced')
    await db.query('UPDATE dbos.dbos_migrations SET version = 42')
    // A test clock: every sleep moves it forward at once, so the 60 s wait passes in no real time.
    let now = 0
    const testClock: TimerPort = {
      now: () => now,
      schedule(ms, fn) {
        now += ms
        const t = setTimeout(fn, 0)
        return () => clearTimeout(t)
      },
    }
    const started = Date.now()
    const error = await migrate(db, 'dbos', '"dbos"', testClock).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInitializationError)
    expect(now).toBeGreaterThanOrEqual(60_000)
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(await versions(db)).toEqual([42])
  })

  it('leave a schema a newer peer recorded as 124 untouched', async () => {
    await db.query('ALTER TABLE dbos.workflow_status DROP COLUMN creator_xid')
    await db.query('UPDATE dbos.dbos_migrations SET version = 124')
    const before = await catalog(db)
    await migrate(db, 'dbos', '"dbos"', timer)
    expect(await catalog(db)).toEqual(before)
    expect(await versions(db)).toEqual([124])
  })

  it('drop an index an interrupted online build left INVALID, then build it again', async () => {
    await db.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'dbos.idx_workflow_status_deadline'::regclass`)
    await db.query('UPDATE dbos.dbos_migrations SET version = 121')
    expect((await catalog(db)).some((l) => l.includes('idx_workflow_status_deadline') && l.endsWith('valid=f'))).toBe(true)
    await migrate(db, 'dbos', '"dbos"', timer)
    expect(await catalog(db)).toEqual(fresh)
  })
})
