// DBOSClient's queues at run time (DBOS 5.3): registerQueue, retrieveQueue, listQueues, deleteQueue, the queue
// objects it hands out (bound to the client's database), and renameApplication. On PGlite the client shares
// the launched DBOS's embedded database.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSClient, DBOSConflictingRegistrationError, DBOSError, DBOSInvalidArgumentError } = perdure

DBOS.registerWorkflow(async (x: string) => `ran ${x}`, { name: 'clientQueuesEcho' })

describeEachDatabase('DBOSClient queues and renameApplication (DBOS 5.3)', (db) => {
  let url: string
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'cq-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'cq-app' })
  })
  afterAll(async () => {
    await client?.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('registerQueue stores a queue the application dispatches, and hands it back', async () => {
    const queue = await client.registerQueue('cq-work', {
      globalConcurrency: 4, workerConcurrency: 2, rateLimit: { limitPerPeriod: 10, periodSec: 2 }, minPollingIntervalMs: 500,
    })
    expect(queue).toMatchObject({
      name: 'cq-work', concurrency: 4, workerConcurrency: 2, rateLimit: { limitPerPeriod: 10, periodSec: 2 },
      minPollingIntervalMs: 500, applicationName: 'cq-app', databaseBacked: true, clientBound: true,
    })
    const handle = await client.enqueue({ workflowName: 'clientQueuesEcho', queueName: 'cq-work' }, 'queued')
    expect(await handle.getResult()).toBe('ran queued')
  })

  it('retrieveQueue reads the stored row; its setters write through the client', async () => {
    expect(await client.retrieveQueue('cq-missing')).toBeNull()
    const queue = (await client.retrieveQueue('cq-work'))!
    expect(queue.clientBound).toBe(true)
    expect(await queue.getWorkerConcurrency()).toBe(2)
    await queue.setWorkerConcurrency(3)
    expect((await client.retrieveQueue('cq-work'))!.workerConcurrency).toBe(3)
  })

  it('registerQueue overwrites a stored queue by default, never with never_update, and refuses update_if_latest_version', async () => {
    expect((await client.registerQueue('cq-work', { globalConcurrency: 6 })).concurrency).toBe(6)
    const kept = await client.registerQueue('cq-work', { globalConcurrency: 1, onConflict: 'never_update' })
    // The queue as stored, not as asked for.
    expect(kept.concurrency).toBe(6)
    await expect(client.registerQueue('cq-work', { onConflict: 'update_if_latest_version' })).rejects.toBeInstanceOf(DBOSError)
    await expect(client.registerQueue('_dbos_reserved')).rejects.toBeInstanceOf(DBOSError)
    await expect(client.registerQueue('cq-bad', { workerConcurrency: 0 })).rejects.toBeInstanceOf(DBOSError)
  })

  it('registerQueue acts for applicationName; a name another application owns is refused', async () => {
    const foreign = await client.registerQueue('cq-foreign', { applicationName: 'cq-other', workerConcurrency: 1 })
    expect(foreign.applicationName).toBe('cq-other')
    await expect(client.registerQueue('cq-foreign', { workerConcurrency: 2 }))
      .rejects.toBeInstanceOf(DBOSConflictingRegistrationError)
    expect((await client.retrieveQueue('cq-foreign'))!.workerConcurrency).toBe(1)
  })

  it("listQueues lists the client's application's queues by default, or the named applications'", async () => {
    const names = async (applicationName?: string | string[]) => (await client.listQueues(applicationName)).map((q) => q.name)
    const own = await names()
    expect(own).toContain('cq-work')
    expect(own).not.toContain('cq-foreign')
    expect(await names('cq-other')).toEqual(['cq-foreign'])
    expect(await names(['cq-other', 'cq-app'])).toEqual(expect.arrayContaining(['cq-foreign', 'cq-work']))
    expect((await client.listQueues()).every((q) => q.clientBound)).toBe(true)
  })

  it('deleteQueue removes the row; an unknown name is no error', async () => {
    await client.registerQueue('cq-doomed')
    await client.deleteQueue('cq-doomed')
    expect(await client.retrieveQueue('cq-doomed')).toBeNull()
    await client.deleteQueue('cq-doomed')
  })

  it('renameApplication moves an application\'s rows to its new name and counts them', async () => {
    const old = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'cq-old' })
    try {
      await old.registerQueue('cq-old-queue')
      // No executor of cq-old runs: the workflow waits on its queue.
      await old.enqueue({ workflowName: 'clientQueuesEcho', queueName: 'cq-old-queue' }, 'parked')
    } finally {
      await old.destroy()
    }
    const moved = await client.renameApplication('cq-old', 'cq-new')
    expect(moved).toEqual({ queues: 1, schedules: 0, versions: 0, workflows: 1, steps: 0 })
    expect((await client.listQueues('cq-new')).map((q) => q.name)).toEqual(['cq-old-queue'])
    expect(await client.listQueues('cq-old')).toEqual([])
    expect(await client.renameApplication('cq-old', 'cq-new')).toEqual({ queues: 0, schedules: 0, versions: 0, workflows: 0, steps: 0 })
    await expect(client.renameApplication('cq-new', 'cq-new')).rejects.toBeInstanceOf(DBOSInvalidArgumentError)
    await expect(client.renameApplication(undefined, 'cq-new')).rejects.toBeInstanceOf(DBOSInvalidArgumentError)
  })
})
