// DBOSClient: drives an application through its system database alone.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSClient, WorkflowQueue, DBOSQueueDuplicatedError, DBOSNonExistentWorkflowError } = perdure

const clientQueue = new WorkflowQueue('client-queue')
let releaseSlow: () => void = () => {}

const greet = DBOS.registerWorkflow(async (name: string, when: Date) => {
  await DBOS.setEvent('greeting', `hello ${name}`)
  const reply = await DBOS.recv<{ x: number }>('reply', 10)
  await DBOS.writeStream('log', 'started')
  await DBOS.writeStream('log', reply)
  await DBOS.closeStream('log')
  return { name, year: when.getUTCFullYear(), reply }
}, { name: 'clientGreet' })

const slow = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => 'first', { name: 'first' })
  await DBOS.runStep(() => new Promise<void>((r) => (releaseSlow = r)), { name: 'wait' })
  return 'slow done'
}, { name: 'clientSlow' })

describeOn('postgres', 'DBOSClient', (db) => {
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  let url: string
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'client-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'client-app' })
  })
  afterAll(async () => {
    releaseSlow()
    await client.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('enqueues by name, messages the workflow, reads its event, stream and result', async () => {
    const handle = await client.enqueue({ workflowName: 'clientGreet', queueName: clientQueue.name, workflowID: 'client-1' }, 'ada', new Date(0))
    expect(await client.getEvent(handle.workflowID, 'greeting', 10)).toBe('hello ada')
    await client.send(handle.workflowID, { x: 1 }, 'reply', 'once')
    await client.send(handle.workflowID, { x: 1 }, 'reply', 'once')
    const log: unknown[] = []
    for await (const v of client.readStream(handle.workflowID, 'log')) log.push(v)
    expect(log).toEqual(['started', { x: 1 }])
    expect(await handle.getResult()).toEqual({ name: 'ada', year: 1970, reply: { x: 1 } })
    expect((await client.getWorkflow('client-1'))?.status).toBe('SUCCESS')
    expect((await client.listWorkflows({ workflowIDs: ['client-1'] })).map((w) => w.workflowName)).toEqual(['clientGreet'])
    expect((await client.listWorkflowSteps('client-1'))?.map((s) => s.name)).toContain('DBOS.setEvent')
  })

  it('refuses a duplicate deduplication ID while the first is active', async () => {
    const options = { workflowName: 'clientSlow', queueName: clientQueue.name, deduplicationID: 'dup' }
    const first = await client.enqueue(options)
    await expect(client.enqueue(options)).rejects.toThrow(DBOSQueueDuplicatedError)
    for (let i = 0; i < 200 && (await first.getStatus())?.status !== 'PENDING'; i++) await new Promise((r) => setTimeout(r, 10))
    expect((await client.listQueuedWorkflows({ queueName: clientQueue.name })).map((w) => w.workflowID)).toEqual([first.workflowID])
    // Cancel, then resume: the finished first step is not run again.
    await client.cancelWorkflow(first.workflowID)
    expect((await first.getStatus())?.status).toBe('CANCELLED')
    releaseSlow()
    const resumed = await client.resumeWorkflow<string>(first.workflowID)
    for (let i = 0; i < 300 && (await resumed.getStatus())?.status !== 'SUCCESS'; i++) {
      releaseSlow()
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(await resumed.getResult()).toBe('slow done')
    const fork = await client.forkWorkflow<string>(first.workflowID, 1)
    for (let i = 0; i < 300 && (await fork.getStatus())?.status !== 'SUCCESS'; i++) {
      releaseSlow()
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(await fork.getResult()).toBe('slow done')
    expect((await fork.getStatus())?.forkedFrom).toBe(first.workflowID)
  })

  it('reports a message to an unknown workflow', async () => {
    await expect(client.send('no-such-workflow', 1)).rejects.toThrow(DBOSNonExistentWorkflowError)
  })
})
