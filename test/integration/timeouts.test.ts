// Durable workflow timeouts: start-to-completion, cascading to children, surviving a restart.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSWorkflowCancelledError } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const afterSleep: string[] = []
const sleeper = DBOS.registerWorkflow(async (ms: number) => {
  await DBOS.sleep(ms)
  await DBOS.runStep(() => afterSleep.push(DBOS.workflowID!), { name: 'after' })
  return 'woke'
}, { name: 'timeoutSleeper' })

const parent = DBOS.registerWorkflow(async () => {
  const child = await DBOS.startWorkflow(sleeper)(3000)
  return await child.getResult()
}, { name: 'timeoutParent' })

let blocked = true
const blocker = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => (blocked ? new Promise<void>(() => {}) : undefined), { name: 'block' })
  await DBOS.runStep(() => afterSleep.push(DBOS.workflowID!), { name: 'after' })
}, { name: 'timeoutBlocker' })

async function statusOf(id: string): Promise<string | undefined> {
  return (await DBOS.getWorkflowStatus(id))?.status
}

describeEachDatabase('workflow timeouts', (db) => {
  let url: string
  beforeAll(async () => {
    url = db.persistent()
    DBOS.setConfig({ name: 'timeouts', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('cancels a workflow at its deadline, interrupting a durable sleep', async () => {
    const started = performance.now()
    const handle = await DBOS.startWorkflow(sleeper, { timeoutMS: 300 })(30_000)
    await expect(handle.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    // Not before the deadline, and long before the 30 s sleep would have ended (a loaded machine may be seconds late).
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(290)
    expect(elapsed).toBeLessThan(15_000)
    expect(await statusOf(handle.workflowID)).toBe('CANCELLED')
    const status = await handle.getStatus()
    expect(status?.timeoutMS).toBe(300)
    expect(afterSleep).not.toContain(handle.workflowID)
  })

  it('cancels the children of a timed-out parent', async () => {
    const handle = await DBOS.startWorkflow(parent, { timeoutMS: 400 })()
    await expect(handle.getResult()).rejects.toThrow(/cancelled/)
    const childID = `${handle.workflowID}-0`
    for (let i = 0; i < 100 && (await statusOf(childID)) !== 'CANCELLED'; i++) await sleep(20)
    expect(await statusOf(childID)).toBe('CANCELLED')
    expect((await DBOS.getWorkflowStatus(childID))?.deadlineEpochMS).toBe((await handle.getStatus())?.deadlineEpochMS)
    expect(afterSleep).not.toContain(childID)
  })

  it('keeps the deadline across a restart', async () => {
    blocked = true
    const handle = await DBOS.startWorkflow(blocker, { timeoutMS: 1200 })()
    await DBOS.shutdown()
    blocked = false
    await sleep(1300)
    DBOS.setConfig({ name: 'timeouts', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
    for (let i = 0; i < 150 && (await statusOf(handle.workflowID)) !== 'CANCELLED'; i++) await sleep(20)
    expect(await statusOf(handle.workflowID)).toBe('CANCELLED')
    expect(afterSleep).not.toContain(handle.workflowID)
  })
})
