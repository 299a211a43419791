// Workflow management: cancel (with and without children), resume, fork, and listing filters.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSWorkflowCancelledError, DBOSNonExistentWorkflowError } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const ran = new Map<string, number>()
const count = (key: string) => ran.set(key, (ran.get(key) ?? 0) + 1)
const gates = new Map<string, () => void>()
let holdGates = true

const fiveSteps = DBOS.registerWorkflow(async (tag: string) => {
  let total = 0
  for (let i = 0; i < 5; i++) {
    total += await DBOS.runStep(async () => {
      count(`${tag}:${i}`)
      if (i === 2 && holdGates) await new Promise<void>((r) => gates.set(tag, r))
      return i
    }, { name: `s${i}` })
  }
  return total
}, { name: 'mgmtFiveSteps' })

const parent = DBOS.registerWorkflow(async (tag: string) => {
  const child = await DBOS.startWorkflow(fiveSteps)(`${tag}-child`)
  return await child.getResult()
}, { name: 'mgmtParent' })

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

describeEachDatabase('workflow management', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'management', systemDatabaseUrl: db.fresh() })
    await DBOS.launch()
  })
  afterAll(async () => {
    holdGates = false
    for (const open of gates.values()) open()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('cancels a running workflow at its next step, then resumes it without re-running finished steps', async () => {
    holdGates = true
    const tag = `cancel-${db.name}`
    const handle = await DBOS.startWorkflow(fiveSteps, { workflowID: tag })(tag)
    await until(() => gates.has(tag), 'step 2 to start')
    await DBOS.cancelWorkflow(tag)
    expect((await handle.getStatus())?.status).toBe('CANCELLED')
    gates.get(tag)!()
    await expect(handle.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    await sleep(50)
    expect(ran.get(`${tag}:3`)).toBeUndefined() // preempted: no step after the cancel began
    holdGates = false
    const resumed = await DBOS.resumeWorkflow<number>(tag)
    expect(await resumed.getResult()).toBe(10)
    expect([0, 1, 2, 3, 4].map((i) => ran.get(`${tag}:${i}`))).toEqual([1, 1, 2, 1, 1])
    const status = await resumed.getStatus()
    expect(status).toMatchObject({ status: 'SUCCESS', recoveryAttempts: 1 })
  })

  it('cancels the children of a cancelled workflow', async () => {
    holdGates = true
    const tag = `parent-${db.name}`
    const handle = await DBOS.startWorkflow(parent, { workflowID: tag })(tag)
    await until(() => gates.has(`${tag}-child`), 'the child to block')
    await DBOS.cancelWorkflow(tag, { cancelChildren: true })
    const childID = `${tag}-0`
    expect((await DBOS.getWorkflowStatus(childID))?.status).toBe('CANCELLED')
    gates.get(`${tag}-child`)!()
    await expect(handle.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    await expect(DBOS.retrieveWorkflow(childID).getResult()).rejects.toThrow(/cancelled/)
    holdGates = false
  })

  it('cancels only the workflow named unless cancelChildren is set (DBOS 5.3): its child runs on', async () => {
    holdGates = true
    const tag = `lone-${db.name}`
    const handle = await DBOS.startWorkflow(parent, { workflowID: tag })(tag)
    await until(() => gates.has(`${tag}-child`), 'the child to block')
    await DBOS.cancelWorkflow(tag)
    const childID = `${tag}-0`
    expect((await DBOS.getWorkflowStatus(tag))?.status).toBe('CANCELLED')
    expect((await DBOS.getWorkflowStatus(childID))?.status).toBe('PENDING')
    gates.get(`${tag}-child`)!()
    await expect(handle.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    expect(await DBOS.retrieveWorkflow(childID).getResult()).toBe(10)
    holdGates = false
  })

  it('forks a finished workflow: steps below startStep are replayed, the rest run again', async () => {
    holdGates = false
    const tag = `fork-${db.name}`
    const original = await DBOS.startWorkflow(fiveSteps, { workflowID: tag })(tag)
    expect(await original.getResult()).toBe(10)
    const fork = await DBOS.forkWorkflow<number>(tag, 3, { newWorkflowID: `${tag}-fork` })
    expect(fork.workflowID).toBe(`${tag}-fork`)
    expect(await fork.getResult()).toBe(10)
    expect([0, 1, 2, 3, 4].map((i) => ran.get(`${tag}:${i}`))).toEqual([1, 1, 1, 2, 2])
    expect((await fork.getStatus())?.forkedFrom).toBe(tag)
    expect((await DBOS.listWorkflows({ forkedFrom: tag })).map((w) => w.workflowID)).toEqual([`${tag}-fork`])
    const steps = await DBOS.listWorkflowSteps(`${tag}-fork`)
    expect(steps?.map((st) => st.functionID)).toEqual([0, 1, 2, 3, 4])
  })

  it('forks onto another application version, which only an executor of that version runs', async () => {
    const tag = `fork-version-${db.name}`
    await (await DBOS.startWorkflow(fiveSteps, { workflowID: tag })(tag)).getResult()
    const fork = await DBOS.forkWorkflow(tag, 0, { applicationVersion: 'v-next', timeoutMS: 60_000 })
    await sleep(300)
    expect(await fork.getStatus()).toMatchObject({ status: 'ENQUEUED', applicationVersion: 'v-next', timeoutMS: 60_000 })
  })

  it('deletes a workflow with its steps, events and children, leaving others alone', async () => {
    holdGates = false
    const tag = `delete-${db.name}`
    expect(await (await DBOS.startWorkflow(parent, { workflowID: tag })(tag)).getResult()).toBe(10)
    const keep = `${tag}-kept`
    await (await DBOS.startWorkflow(fiveSteps, { workflowID: keep })(keep)).getResult()
    const family = (await DBOS.listWorkflows({ workflow_id_prefix: tag })).map((w) => w.workflowID)
    const [child] = family.filter((id) => id !== tag && id !== keep)
    expect((await DBOS.getWorkflowStatus(child!))?.parentWorkflowID).toBe(tag)
    await DBOS.deleteWorkflow(tag, true)
    expect(await DBOS.getWorkflowStatus(tag)).toBeNull()
    expect(await DBOS.getWorkflowStatus(child!)).toBeNull()
    expect(await DBOS.listWorkflowSteps(child!)).toBeUndefined()
    expect((await DBOS.listWorkflowSteps(keep))?.length).toBe(5)
  })

  it('reports unknown IDs with DBOSNonExistentWorkflowError', async () => {
    await expect(DBOS.resumeWorkflow('no-such-workflow')).rejects.toThrow(DBOSNonExistentWorkflowError)
    await expect(DBOS.forkWorkflow('no-such-workflow', 0)).rejects.toThrow(DBOSNonExistentWorkflowError)
    await expect(DBOS.forkWorkflow('no-such-workflow', -1)).rejects.toThrow(/non-negative/)
  })
})
