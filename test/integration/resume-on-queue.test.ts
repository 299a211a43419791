// DBOS.resumeWorkflows onto a named queue goes through the same management path as any resume: IDs are
// checked, and a queue that does not exist is an error rather than a workflow stranded on it.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSError, DBOSNonExistentWorkflowError, WorkflowQueue } = perdure

const queue = new WorkflowQueue('resume-target')
const echo = DBOS.registerWorkflow(async (x: string) => x, { name: 'resumeOnQueueEcho' })

describeEachDatabase('resumeWorkflows with a queueName', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'resume-on-queue', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('an unknown queue or workflow is an error, and nothing moves', async () => {
    const done = await DBOS.startWorkflow(echo)('x')
    await done.getResult()
    const e = await DBOS.resumeWorkflows([done.workflowID], { queueName: 'no-such-queue' }).catch((err: unknown) => err as Error)
    expect(e).toBeInstanceOf(DBOSError)
    expect((e as Error).message).toContain("Queue 'no-such-queue' does not exist")
    expect((await DBOS.getWorkflowStatus(done.workflowID))?.queueName).toBeUndefined()
    await expect(DBOS.resumeWorkflows(['no-such-workflow'], { queueName: queue.name })).rejects.toThrow(DBOSNonExistentWorkflowError)
    await expect(DBOS.resumeWorkflows([''], { queueName: queue.name })).rejects.toThrow()
  })
})
