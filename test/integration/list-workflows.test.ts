// DBOS.listWorkflows and listQueuedWorkflows: every filter of DBOS Transact 5.3's GetWorkflowsInput, on one
// fixed set of workflows in every state a listing must tell apart.
import type { GetWorkflowsInput as TransactInput } from '@dbos-inc/dbos-sdk'
import type { GetWorkflowsInput } from '../../core/management/list-input.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { rawSql } from '../support/raw-sql.ts'

const { DBOS, DBOSError, WorkflowQueue } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const heldQueue = new WorkflowQueue('list-held', { concurrency: 1 })
let release: () => void = () => {}
const held = new Promise<void>((r) => (release = r))

const double = DBOS.registerWorkflow(async (n: number) => n * 2, { name: 'listDouble' })
const fails = DBOS.registerWorkflow(async (): Promise<never> => {
  throw new Error('listed failure')
}, { name: 'listFails' })
const waits = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => held, { name: 'held' })
  return 'released'
}, { name: 'listWaits' })
const parent = DBOS.registerWorkflow(async (childID: string) => {
  return await (await DBOS.startWorkflow(double, { workflowID: childID })(3)).getResult()
}, { name: 'listParent' })

// Every filter DBOS Transact 5.3 takes is one Perdure takes: this fails to typecheck when 5.3 has one more.
const sameFilters: [Exclude<keyof TransactInput, keyof GetWorkflowsInput>] extends [never] ? true : false = true

describeEachDatabase('listing workflows', (db) => {
  const P = `lw-${db.name}-`
  const created = new Map<string, number>()
  const ids = (list: { workflowID: string }[]) => list.map((w) => w.workflowID)
  const mine = async (filters: Parameters<typeof DBOS.listWorkflows>[0] = {}) =>
    ids(await DBOS.listWorkflows({ workflow_id_prefix: P, ...filters }))
  // A second set for 5.3's filters: a parent and its child, a fork of the child, and a row another application
  // owns, started by a schedule, with attributes.
  const X = `lx-${db.name}-`
  const more = async (filters: GetWorkflowsInput = {}) => ids(await DBOS.listWorkflows({ workflow_id_prefix: X, ...filters }))
  let forkedAt = 0

  beforeAll(async () => {
    DBOS.setConfig({ name: 'lister', systemDatabaseUrl: db.fresh(), executorID: 'lister-1', applicationVersion: 'v-list' })
    await DBOS.launch()
    // Each row gets its own creation millisecond, so the time and order filters have one right answer.
    const step = async (id: string, start: () => Promise<unknown>) => {
      await sleep(3)
      await start()
      created.set(id, (await DBOS.getWorkflowStatus(id))!.createdAt)
    }
    await step(`${P}1`, async () => (await DBOS.startWorkflow(double, { workflowID: `${P}1` })(1)).getResult())
    await step(`${P}2`, async () => (await DBOS.startWorkflow(double, { workflowID: `${P}2` })(2)).getResult())
    await step(`${P}3`, async () => (await DBOS.startWorkflow(fails, { workflowID: `${P}3` })()).getResult().catch(() => {}))
    await step(`${P}q1`, () => DBOS.startWorkflow(waits, { workflowID: `${P}q1`, queueName: heldQueue.name })())
    await step(`${P}q2`, () => DBOS.startWorkflow(waits, { workflowID: `${P}q2`, queueName: heldQueue.name })())
    // A row from plain SQL, with a user and another version, on a queue no process here serves.
    await step(`${P}sql`, () => rawSql().query(
      `SELECT dbos.enqueue_workflow('listDouble', 'list-unserved', ARRAY['5'::json], workflow_id => $1,
         app_version => 'v-other', authenticated_user => 'alice')`,
      [`${P}sql`],
    ))
    await step(`${P}fork`, async () => (await DBOS.forkWorkflow(`${P}1`, 0, { newWorkflowID: `${P}fork` })).getResult())
    for (let i = 0; i < 500 && (await DBOS.getWorkflowStatus(`${P}q1`))?.status !== 'PENDING'; i++) await sleep(10)

    await (await DBOS.startWorkflow(parent, { workflowID: `${X}parent` })(`${X}child`)).getResult()
    await sleep(5)
    forkedAt = Date.now()
    await sleep(5)
    await (await DBOS.forkWorkflow(`${X}child`, 0, { newWorkflowID: `${X}fork` })).getResult()
    const sql = rawSql()
    await sql.query(`SELECT dbos.enqueue_workflow('listDouble', 'list-unserved', ARRAY['7'::json], workflow_id => $1)`, [`${X}other`])
    await sql.query(
      `UPDATE ${sql.s}.workflow_status SET application_name = 'other-app', schedule_name = 'nightly',
         attributes = '{"team": "a", "tier": 2}'::jsonb WHERE workflow_uuid = $1`,
      [`${X}other`],
    )
  })
  afterAll(async () => {
    release()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('by IDs, name and status', async () => {
    expect(ids(await DBOS.listWorkflows({ workflowIDs: [`${P}3`, `${P}1`] }))).toEqual([`${P}1`, `${P}3`])
    expect(await mine({ workflowName: 'listFails' })).toEqual([`${P}3`])
    expect(await mine({ status: 'ERROR' })).toEqual([`${P}3`])
    expect(await mine({ status: 'PENDING' })).toEqual([`${P}q1`])
    expect(await mine({ status: 'ENQUEUED' })).toEqual([`${P}q2`, `${P}sql`])
    expect(await mine({ status: 'SUCCESS' })).toEqual([`${P}1`, `${P}2`, `${P}fork`])
  })

  it('by creation time, both bounds inclusive', async () => {
    const at = (id: string) => new Date(created.get(id)!).toISOString()
    expect(await mine({ startTime: at(`${P}2`), endTime: at(`${P}2`) })).toEqual([`${P}2`])
    expect(await mine({ startTime: at(`${P}q2`) })).toEqual([`${P}q2`, `${P}sql`, `${P}fork`])
    expect(await mine({ endTime: at(`${P}2`) })).toEqual([`${P}1`, `${P}2`])
  })

  it('by user, application version and executor', async () => {
    expect(await mine({ authenticatedUser: 'alice' })).toEqual([`${P}sql`])
    expect(await mine({ applicationVersion: 'v-other' })).toEqual([`${P}sql`])
    expect(await mine({ applicationVersion: 'v-list' })).toEqual([`${P}1`, `${P}2`, `${P}3`, `${P}q1`, `${P}q2`, `${P}fork`])
    expect(await mine({ executorId: 'lister-1', status: 'SUCCESS' })).toEqual([`${P}1`, `${P}2`, `${P}fork`])
    expect(await mine({ executorId: 'someone-else' })).toEqual([])
  })

  it('by ID prefix, with LIKE wildcards taken literally', async () => {
    expect(await mine()).toHaveLength(7)
    expect(ids(await DBOS.listWorkflows({ workflow_id_prefix: `${P}q` }))).toEqual([`${P}q1`, `${P}q2`])
    expect(ids(await DBOS.listWorkflows({ workflow_id_prefix: `lw-${db.name}_` }))).toEqual([])
    expect(ids(await DBOS.listWorkflows({ workflow_id_prefix: `lw-%` }))).toEqual([])
  })

  it('by queue, active queue members only, and fork origin', async () => {
    expect(await mine({ queueName: heldQueue.name })).toEqual([`${P}q1`, `${P}q2`])
    expect(await mine({ queuesOnly: true })).toEqual([`${P}q1`, `${P}q2`, `${P}sql`])
    const queued = await DBOS.listQueuedWorkflows({ workflow_id_prefix: P })
    expect(ids(queued)).toEqual([`${P}q1`, `${P}q2`, `${P}sql`])
    expect(queued.every((w) => w.output === undefined)).toBe(true)
    expect(await mine({ forkedFrom: `${P}1` })).toEqual([`${P}fork`])
  })

  it('paged and ordered by creation time', async () => {
    expect(await mine({ limit: 2 })).toEqual([`${P}1`, `${P}2`])
    expect(await mine({ limit: 2, offset: 1 })).toEqual([`${P}2`, `${P}3`])
    expect(await mine({ sortDesc: true, limit: 2 })).toEqual([`${P}fork`, `${P}sql`])
    expect(await mine({ offset: 6 })).toEqual([`${P}fork`])
  })

  it('with or without inputs and outputs', async () => {
    const [full] = await DBOS.listWorkflows({ workflowIDs: [`${P}2`] })
    expect(full).toMatchObject({ input: [2], output: 4, status: 'SUCCESS', workflowName: 'listDouble' })
    const [bare] = await DBOS.listWorkflows({ workflowIDs: [`${P}2`], loadInput: false, loadOutput: false })
    expect(bare!.input).toBeUndefined()
    expect(bare!.output).toBeUndefined()
    const [sql] = await DBOS.listWorkflows({ workflowIDs: [`${P}sql`] })
    expect(sql!.input).toEqual([5])
  })

  it('by lists of names, statuses, users, versions, executors, queues and ID prefixes', async () => {
    expect(await mine({ workflowName: ['listFails', 'listWaits'] })).toEqual([`${P}3`, `${P}q1`, `${P}q2`])
    expect(await mine({ status: ['ERROR', 'PENDING'] })).toEqual([`${P}3`, `${P}q1`])
    expect(await mine({ status: ['RETRIES_EXCEEDED', 'ERROR'] })).toEqual([`${P}3`])
    expect(await mine({ authenticatedUser: ['alice', 'bob'] })).toEqual([`${P}sql`])
    expect(await mine({ applicationVersion: ['v-other', 'v-none'] })).toEqual([`${P}sql`])
    expect(await mine({ executorId: ['someone-else', 'lister-1'], status: 'ERROR' })).toEqual([`${P}3`])
    expect(await mine({ queueName: ['list-unserved', heldQueue.name] })).toEqual([`${P}q1`, `${P}q2`, `${P}sql`])
    expect(await mine({ status: [] })).toEqual([])
    expect(ids(await DBOS.listWorkflows({ workflow_id_prefix: [`${P}q`, `${P}f`, `lw-%`] }))).toEqual([`${P}q1`, `${P}q2`, `${P}fork`])
    expect(ids(await DBOS.listWorkflows({ workflow_id_prefix: [] }))).toEqual([])
  })

  it('by parent, and with or without one', async () => {
    expect(await more({ parentWorkflowID: `${X}parent` })).toEqual([`${X}child`])
    expect(await more({ parentWorkflowID: [`${X}nobody`, `${X}parent`] })).toEqual([`${X}child`])
    expect(await more({ hasParent: true })).toEqual([`${X}child`])
    expect(await more({ hasParent: false })).toEqual([`${X}parent`, `${X}fork`])
  })

  it('by fork origin: forks, what was forked, lists of origins', async () => {
    expect(await more({ isFork: true })).toEqual([`${X}fork`])
    expect(await more({ isFork: false })).toEqual([`${X}parent`, `${X}child`])
    expect(await more({ wasForkedFrom: true })).toEqual([`${X}child`])
    expect(await more({ wasForkedFrom: false })).toEqual([`${X}parent`, `${X}fork`])
    expect(await more({ forkedFrom: [`${X}child`, `${P}1`] })).toEqual([`${X}fork`])
  })

  it('by completion and dequeue time, both bounds inclusive', async () => {
    const at = (ms: number) => new Date(ms).toISOString()
    expect(await more({ completedAfter: at(forkedAt) })).toEqual([`${X}fork`])
    expect(await more({ completedBefore: at(forkedAt) })).toEqual([`${X}parent`, `${X}child`])
    const dequeuedAt = (await DBOS.getWorkflowStatus(`${P}q1`))!.dequeuedAt!
    expect(await mine({ dequeuedAfter: at(dequeuedAt), dequeuedBefore: at(dequeuedAt) })).toEqual([`${P}q1`])
    expect(await mine({ dequeuedBefore: at(dequeuedAt - 1) })).toEqual([])
  })

  it('by application, schedule and attributes', async () => {
    expect(await more()).toEqual([`${X}parent`, `${X}child`, `${X}fork`])
    expect(await more({ applicationName: 'other-app' })).toEqual([`${X}other`])
    expect(await more({ applicationName: ['lister', 'other-app'] })).toEqual([`${X}parent`, `${X}child`, `${X}fork`, `${X}other`])
    expect(ids(await DBOS.listWorkflows({ workflowIDs: [`${X}other`, `${X}fork`] }))).toEqual([`${X}fork`, `${X}other`])
    expect(ids(await DBOS.listWorkflows({ workflowIDs: [`${X}other`, `${X}fork`], applicationName: 'lister' }))).toEqual([`${X}fork`])
    expect(await more({ applicationName: 'other-app', scheduleName: 'nightly' })).toEqual([`${X}other`])
    expect(await more({ applicationName: 'other-app', scheduleName: ['weekly'] })).toEqual([])
    expect(await more({ applicationName: 'other-app', attributes: { team: 'a' } })).toEqual([`${X}other`])
    expect(await more({ applicationName: 'other-app', attributes: { team: 'a', tier: 2 } })).toEqual([`${X}other`])
    expect(await more({ applicationName: 'other-app', attributes: { team: 'b' } })).toEqual([])
  })

  it('takes every filter DBOS Transact 5.3 takes, and refuses one it does not know', async () => {
    expect(sameFilters).toBe(true)
    const every: Required<GetWorkflowsInput> = {
      workflowIDs: [`${X}child`], workflowName: 'listDouble', status: 'SUCCESS', startTime: new Date(0).toISOString(),
      endTime: new Date().toISOString(), completedAfter: new Date(0).toISOString(), completedBefore: new Date().toISOString(),
      dequeuedAfter: new Date(0).toISOString(), dequeuedBefore: new Date().toISOString(), authenticatedUser: [],
      applicationVersion: 'v-list', executorId: 'lister-1', workflow_id_prefix: X, queueName: 'q', queuesOnly: false,
      forkedFrom: [], wasForkedFrom: true, isFork: false, parentWorkflowID: `${X}parent`, hasParent: true, attributes: {},
      scheduleName: [], applicationName: 'lister', limit: 10, offset: 0, sortDesc: false, loadInput: false, loadOutput: false,
    }
    expect(await DBOS.listWorkflows(every)).toEqual([])
    await expect(DBOS.listWorkflows({ workflowIds: [`${X}child`] } as never)).rejects.toThrow(/workflowIds/)
    await expect(DBOS.listWorkflows({ parentWorkflowId: `${X}parent` } as never)).rejects.toThrow(DBOSError)
  })

  it('refuses a malformed filter, naming the field', async () => {
    await expect(DBOS.listWorkflows({ status: 'FINISHED' as never })).rejects.toThrow(DBOSError)
    await expect(DBOS.listWorkflows({ status: 'FINISHED' as never })).rejects.toThrow(/status/)
    await expect(DBOS.listWorkflows({ limit: -1 })).rejects.toThrow(/limit/)
    // Past a bigint (and a double's exact integers) Postgres itself would refuse it with a raw error.
    await expect(DBOS.listWorkflows({ limit: 1e20 })).rejects.toThrow(/limit/)
    await expect(DBOS.listWorkflows({ offset: 1e20 })).rejects.toThrow(/offset/)
    await expect(DBOS.listWorkflows({ startTime: 'yesterday' })).rejects.toThrow(/startTime/)
    await expect(DBOS.listWorkflows({ completedAfter: 'today' })).rejects.toThrow(/completedAfter/)
    await expect(DBOS.listWorkflows({ status: ['SUCCESS', 'DONE' as never] })).rejects.toThrow(/status/)
    await expect(DBOS.listWorkflows({ hasParent: 'yes' as never })).rejects.toThrow(/hasParent/)
    await expect(DBOS.listWorkflows({ attributes: 'team=a' as never })).rejects.toThrow(/attributes/)
  })
})
