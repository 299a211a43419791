// Owner fencing (docs/sysdb.md §3.4): only the execution holding the row's owner token may write for it.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { perdure } from '../support/perdure.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import { migrate } from '../../core/sysdb/migrations.ts'
import { type Checkpoint, writeCheckpoints } from '../../core/sysdb/operation-outputs.ts'
import { pgliteDatabase, type PGliteLike } from '../../core/sysdb/pglite.ts'
import { postgresJsDatabase, type PostgresJsLike } from '../../core/sysdb/postgres-js.ts'
import { insertWorkflows, type NewWorkflow, writeOutcomes } from '../../core/sysdb/workflow-status.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase, describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS } = perdure

const S = '"dbos"'

function row(workflowID: string, token: string): NewWorkflow {
  return {
    workflowID, status: 'PENDING', name: 'wf', className: null, configName: null, queueName: null,
    executorID: 'local', applicationVersion: 'v1', applicationID: '', recoveryAttempts: 1, timeoutMS: null,
    deadlineEpochMS: null, deduplicationID: null, priority: 0, queuePartitionKey: null, parentWorkflowID: null,
    serialization: 'js_superjson', token, inputs: '{"json":[],"__dbos_serializer":"superjson"}',
    applicationName: null, authenticatedUser: '', authenticatedRoles: '[]',
  }
}

function checkpoint(workflowID: string, token: string, functionID: number, completedAt = Date.now()): Checkpoint {
  return {
    workflowID, token, functionID, name: 'step', output: null, error: null, childWorkflowID: null,
    startedAt: completedAt, completedAt, serialization: 'js_superjson',
  }
}

async function openRaw(kind: 'postgres' | 'pglite', url: string): Promise<DatabasePort> {
  if (kind === 'pglite') return pgliteDatabase((await PGlite.create()) as unknown as PGliteLike)
  const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
  await admin.unsafe(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`)
  await admin.end()
  const sql = postgres(url, { max: 4, onnotice: () => {}, types: { bigint: postgres.BigInt } })
  return postgresJsDatabase(sql as unknown as PostgresJsLike)
}

describeEachDatabase('fencing in the system database', (tdb) => {
  let db: DatabasePort
  beforeAll(async () => {
    db = await openRaw(tdb.name, tdb.fresh())
    await migrate(db, 'dbos', S, { now: () => Date.now(), schedule: (ms, fn) => { const t = setTimeout(fn, ms); return () => clearTimeout(t) } })
  })
  afterAll(async () => {
    await db.close()
    await tdb.dropAll()
  })

  it('writes a checkpoint only under the owner token, once per ID', async () => {
    const id = crypto.randomUUID()
    const [inserted] = await insertWorkflows(db, S, [row(id, 'owner-1')])
    expect(inserted?.creator_xid).toBe('owner-1')
    expect(await writeCheckpoints(db, S, [checkpoint(id, 'intruder', 0)], null)).toEqual(['not-owner'])
    expect(await writeCheckpoints(db, S, [checkpoint(id, 'owner-1', 0, 1000)], null)).toEqual(['written'])
    expect(await writeCheckpoints(db, S, [checkpoint(id, 'owner-1', 0, 2000)], null)).toEqual(['duplicate'])
  })

  it('applies the same rules to a batch, item by item', async () => {
    const a = crypto.randomUUID()
    const b = crypto.randomUUID()
    await insertWorkflows(db, S, [row(a, 'token-a'), row(b, 'token-b')])
    const results = await writeCheckpoints(db, S, [
      checkpoint(a, 'token-a', 0),
      checkpoint(b, 'token-a', 0), // wrong owner for b
      checkpoint(b, 'token-b', 1),
    ], null)
    expect(results).toEqual(['written', 'not-owner', 'written'])
  })

  it('records the outcome only for the owner, and nothing can be written after it', async () => {
    const id = crypto.randomUUID()
    await insertWorkflows(db, S, [row(id, 'owner-2')])
    const outcome = { workflowID: id, status: 'SUCCESS' as const, output: '1', error: null }
    expect(await writeOutcomes(db, S, [{ ...outcome, token: 'intruder' }])).toEqual([false])
    expect(await writeOutcomes(db, S, [{ ...outcome, token: 'owner-2' }])).toEqual([true])
    expect(await writeOutcomes(db, S, [{ ...outcome, token: 'owner-2' }])).toEqual([false])
    expect(await writeCheckpoints(db, S, [checkpoint(id, 'owner-2', 5)], null)).toEqual(['not-owner'])
  })

  it('returns the existing row, untouched, when an ID is inserted again', async () => {
    const id = crypto.randomUUID()
    await insertWorkflows(db, S, [row(id, 'first')])
    const [again] = await insertWorkflows(db, S, [row(id, 'second')])
    expect(again?.creator_xid).toBe('first')
  })
})

// A zombie execution (its workflow was taken over) must stop at its next step and report the outcome the
// new owner recorded. Driving the takeover needs SQL from outside the engine, so this runs on Postgres.
let release: () => void = () => {}
const afterTakeover: string[] = []
const zombie = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => new Promise<void>((r) => (release = r)), { name: 'wait' })
  await DBOS.runStep(() => afterTakeover.push('ran'), { name: 'after' })
  return 'zombie result'
}, { name: 'zombie' })

describeOn('postgres', 'fencing a zombie execution', () => {
  const name = `perdure_test_zombie_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  let sql: ReturnType<typeof postgres>
  beforeAll(async () => {
    DBOS.setConfig({ name: 'fencing', systemDatabaseUrl: postgresUrl(name) })
    await DBOS.launch()
    sql = postgres(postgresUrl(name), { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await sql.end()
    await dropPostgresDatabases([name])
  })

  it('parks the old execution and delivers the new owner\'s outcome', async () => {
    const handle = await DBOS.startWorkflow(zombie)()
    await waitFor('the workflow to be PENDING', async () => {
      return (await DBOS.getWorkflowStatus(handle.workflowID))?.status === 'PENDING' ? true : undefined
    }, 15_000, 10)
    await new Promise((r) => setTimeout(r, 50))
    // Another execution takes over and finishes the workflow.
    await sql`UPDATE dbos.workflow_status SET owner_xid = 'new-owner' WHERE workflow_uuid = ${handle.workflowID}`
    await sql`UPDATE dbos.workflow_status SET status = 'SUCCESS', owner_xid = NULL WHERE workflow_uuid = ${handle.workflowID}`
    await sql`INSERT INTO dbos.workflow_output (workflow_uuid, output) VALUES (${handle.workflowID}, '{"json":"new owner result","__dbos_serializer":"superjson"}')`
    release()
    expect(await handle.getResult()).toBe('new owner result')
    expect(afterTakeover).toEqual([])
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps).toEqual([])
  })
})
