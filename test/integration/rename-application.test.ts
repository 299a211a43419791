// Issue #15: SystemDatabase.renameApplication re-owns an application's rows in every table scoped by
// application name, in batches, leaving other applications' rows alone; on Postgres and PGlite.
import { DBOSInvalidArgumentError } from '../../core/errors.ts'
import { openSystemDatabase } from '../../core/sysdb/connect.ts'
import { SystemDatabase } from '../../core/sysdb/system-database.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const runtime = perdure.createRuntime()

/** Owners of each table's rows, as "owner:count" sorted, NULL as "-". */
async function owners(db: DatabasePort, table: string): Promise<string[]> {
  const rows = await db.query<{ owner: string | null; n: number }>(
    `SELECT application_name AS owner, count(*)::int AS n FROM dbos.${table} GROUP BY application_name`,
  )
  return rows.map((r) => `${r.owner ?? '-'}:${r.n}`).sort()
}

const TABLES = ['workflow_status', 'operation_outputs', 'queues', 'workflow_schedules', 'application_versions']

describeEachDatabase('SystemDatabase.renameApplication', (tdb) => {
  let db: DatabasePort
  let sys: SystemDatabase

  beforeAll(async () => {
    db = await openSystemDatabase(runtime, { name: 'rename-test', systemDatabasePoolSize: 2 }, tdb.fresh())
    sys = SystemDatabase.on(db, 'dbos', null)
    await sys.migrate(runtime.timer)
    // Seven workflows of "old" (one still PENDING, one ENQUEUED), two unclaimed, two of another application;
    // three steps each; a queue, a schedule and a version per owner.
    const owner = (i: number) => (i < 7 ? 'old' : i < 9 ? null : 'other')
    for (let i = 0; i < 11; i++) {
      const status = i === 0 ? 'PENDING' : i === 1 ? 'ENQUEUED' : 'SUCCESS'
      await db.query(`INSERT INTO dbos.workflow_status (workflow_uuid, status, name, application_name) VALUES ($1, $2, 'wf', $3)`,
        [`wf-${String(i).padStart(2, '0')}`, status, owner(i)])
      for (let f = 1; f <= 3; f++) {
        await db.query(`INSERT INTO dbos.operation_outputs (workflow_uuid, function_id, application_name) VALUES ($1, $2, $3)`,
          [`wf-${String(i).padStart(2, '0')}`, f, owner(i)])
      }
    }
    for (const [i, o] of [['old', 'old'], ['none', null], ['other', 'other']] as const) {
      await db.query(`INSERT INTO dbos.queues (name, application_name) VALUES ($1, $2)`, [`q-${i}`, o])
      await db.query(
        `INSERT INTO dbos.workflow_schedules (schedule_id, schedule_name, workflow_name, schedule, context, application_name)
         VALUES ($1, $1, 'wf', '* * * * *', '{}', $2)`, [`s-${i}`, o])
      await db.query(`INSERT INTO dbos.application_versions (version_id, version_name, application_name) VALUES ($1, $1, $2)`, [`v-${i}`, o])
    }
  })
  afterAll(async () => {
    await db?.close()
    await tdb.dropAll()
  })

  it('refuses what it cannot do before touching a row', async () => {
    const refuse = async (from: string | undefined, to: string, o: Parameters<SystemDatabase['renameApplication']>[2]) => {
      await expect(sys.renameApplication(from, to, o)).rejects.toBeInstanceOf(DBOSInvalidArgumentError)
    }
    await refuse(undefined, 'new', {})
    await refuse('', 'new', {})
    await refuse('old', '', {})
    await refuse('old', 'old', {})
    await refuse('old', 'new', { batchSize: 0 })
    await refuse('old', 'new', { batchSize: 1.5 })
    expect(await owners(db, 'workflow_status')).toEqual(['-:2', 'old:7', 'other:2'])
  })

  it("moves one application's rows in batches, then adopts the unclaimed ones, and never another's", async () => {
    // Batches of 2 workflow IDs: the seven move over several statements, each with all its steps.
    expect(await sys.renameApplication('old', 'new', { batchSize: 2 })).toEqual({ queues: 1, schedules: 1, versions: 1, workflows: 7, steps: 21 })
    expect(await Promise.all(TABLES.map((t) => owners(db, t)))).toEqual([
      ['-:2', 'new:7', 'other:2'], ['-:6', 'new:21', 'other:6'], ['-:1', 'new:1', 'other:1'], ['-:1', 'new:1', 'other:1'], ['-:1', 'new:1', 'other:1'],
    ])
    // The new name sees what the old one saw; the old name now owns nothing.
    expect((await SystemDatabase.on(db, 'dbos', 'new').listWorkflows({})).length).toBe(9)
    expect(await sys.renameApplication('old', 'new', { batchSize: 2 })).toEqual({ queues: 0, schedules: 0, versions: 0, workflows: 0, steps: 0 })

    // Unclaimed rows only, each table in one statement.
    expect(await sys.renameApplication(undefined, 'new', { adoptUnclaimedRows: true, batchSize: null })).toEqual({
      queues: 1, schedules: 1, versions: 1, workflows: 2, steps: 6,
    })
    expect(await owners(db, 'workflow_status')).toEqual(['new:9', 'other:2'])
    expect(await owners(db, 'operation_outputs')).toEqual(['new:27', 'other:6'])
  })
})
