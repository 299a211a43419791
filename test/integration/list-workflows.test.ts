// DBOS.listWorkflows and listQueuedWorkflows: every filter of the guide's GetWorkflowsInput, on one fixed set
// of workflows in every state a listing must tell apart.
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

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

describeEachDatabase('listing workflows', (db) => {
  const P = `lw-${db.name}-`
  const created = new Map<string, number>()
  const ids = (list: { workflowID: string }[]) => list.map((w) => w.workflowID)
  const mine = async (filters: Parameters<typeof DBOS.listWorkflows>[0] = {}) =>
    ids(await DBOS.listWorkflows({ workflow_id_prefix: P, ...filters }))

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
    await step(`${P}sql`, () => launchedSystem()!.engine.settings.db.query(
      `SELECT dbos.enqueue_workflow('listDouble', 'list-unserved', ARRAY['5'::json], workflow_id => $1,
         app_version => 'v-other', authenticated_user => 'alice')`,
      [`${P}sql`],
    ))
    await step(`${P}fork`, async () => (await DBOS.forkWorkflow(`${P}1`, 0, { newWorkflowID: `${P}fork` })).getResult())
    for (let i = 0; i < 500 && (await DBOS.getWorkflowStatus(`${P}q1`))?.status !== 'PENDING'; i++) await sleep(10)
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

  it('refuses a malformed filter, naming the field', async () => {
    await expect(DBOS.listWorkflows({ status: 'FINISHED' as never })).rejects.toThrow(DBOSError)
    await expect(DBOS.listWorkflows({ status: 'FINISHED' as never })).rejects.toThrow(/status/)
    await expect(DBOS.listWorkflows({ limit: -1 })).rejects.toThrow(/limit/)
    // Past a bigint (and a double's exact integers) Postgres itself would refuse it with a raw error.
    await expect(DBOS.listWorkflows({ limit: 1e20 })).rejects.toThrow(/limit/)
    await expect(DBOS.listWorkflows({ offset: 1e20 })).rejects.toThrow(/offset/)
    await expect(DBOS.listWorkflows({ startTime: 'yesterday' })).rejects.toThrow(/startTime/)
  })
})
