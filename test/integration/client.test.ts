// DBOSClient: drives an application through its system database alone. On PGlite the client shares the
// launched DBOS's embedded database, the only way to reach it from the same process.
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const {
  DBOS, DBOSClient, WorkflowQueue, DBOSQueueDuplicatedError, DBOSNonExistentWorkflowError,
  DBOSAwaitedWorkflowCancelledError, DBOSStreamTimeoutError, DBOSInitializationError,
} = perdure

const clientQueue = new WorkflowQueue('client-queue')
let releaseSlow: () => void = () => {}
const gates = new Map<string, () => void>()
const gate = (name: string) => new Promise<void>((r) => gates.set(name, r))
const open = (name: string) => gates.get(name)?.()

const greet = DBOS.registerWorkflow(async (name: string, when: Date) => {
  await DBOS.setEvent('greeting', `hello ${name}`)
  const reply = await DBOS.recv<{ x: number }>('reply', 10)
  await DBOS.writeStream('log', 'started')
  await DBOS.writeStream('log', reply)
  await DBOS.closeStream('log')
  return { name, year: when.getUTCFullYear(), reply }
}, { name: 'clientGreet' })

/** How many times each workflow ID really ran the `first` step of clientSlow. */
const firstRuns = new Map<string, number>()
const slow = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => {
    firstRuns.set(DBOS.workflowID!, (firstRuns.get(DBOS.workflowID!) ?? 0) + 1)
    return 'first'
  }, { name: 'first' })
  await DBOS.runStep(() => new Promise<void>((r) => (releaseSlow = r)), { name: 'wait' })
  return 'slow done'
}, { name: 'clientSlow' })

const echo = DBOS.registerWorkflow(async (...args: unknown[]) => args, { name: 'clientEcho' })

const waitFor = DBOS.registerWorkflow(async (name: string) => {
  await DBOS.runStep(() => gate(name), { name: 'gate' })
  return name
}, { name: 'clientGate' })

const parent = DBOS.registerWorkflow(async (id: string) => {
  const child = await DBOS.startWorkflow(echo, { workflowID: `${id}-child` })('child')
  return await child.getResult()
}, { name: 'clientParent' })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, check: () => Promise<boolean>, tick = () => {}): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return
    tick()
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

describeEachDatabase('DBOSClient', (db) => {
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  beforeAll(async () => {
    const url = db.fresh()
    DBOS.setConfig({ name: 'client-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'client-app' })
  })
  afterAll(async () => {
    releaseSlow()
    for (const name of gates.keys()) open(name)
    await client.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('enqueues by name, messages the workflow, reads its event, stream and result', async () => {
    const handle = await client.enqueue<typeof greet>(
      { workflowName: 'clientGreet', queueName: clientQueue.name, workflowID: `client-1-${db.name}` }, 'ada', new Date(0),
    )
    expect(await client.getEvent(handle.workflowID, 'greeting', 10)).toBe('hello ada')
    await client.send(handle.workflowID, { x: 1 }, 'reply', 'once')
    await client.send(handle.workflowID, { x: 1 }, 'reply', 'once')
    const log: unknown[] = []
    for await (const v of client.readStream(handle.workflowID, 'log')) log.push(v)
    expect(log).toEqual(['started', { x: 1 }])
    expect(await handle.getResult()).toEqual({ name: 'ada', year: 1970, reply: { x: 1 } })
    expect((await client.getWorkflow(handle.workflowID))?.status).toBe('SUCCESS')
    expect((await client.listWorkflows({ workflowIDs: [handle.workflowID] })).map((w) => w.workflowName)).toEqual(['clientGreet'])
    expect((await client.listWorkflowSteps(handle.workflowID))?.map((s) => s.name)).toContain('DBOS.setEvent')
    // From an offset, and one value at a time.
    const rest: unknown[] = []
    for await (const v of client.readStream(handle.workflowID, 'log', { offset: 1 })) rest.push(v)
    expect(rest).toEqual([{ x: 1 }])
    expect(await client.readStreamOffset(handle.workflowID, 'log', 1)).toEqual({ x: 1 })
    await expect(client.readStreamOffset(handle.workflowID, 'log', 2)).rejects.toThrow(DBOSStreamTimeoutError)
  })

  it('refuses a duplicate deduplication ID; cancels, resumes and forks', async () => {
    const options = { workflowName: 'clientSlow', queueName: clientQueue.name, deduplicationID: `dup-${db.name}` }
    const first = await client.enqueue<typeof slow>(options)
    await expect(client.enqueue(options)).rejects.toThrow(DBOSQueueDuplicatedError)
    await until('the first run to start', async () => (await first.getStatus())?.status === 'PENDING')
    expect((await client.listQueuedWorkflows({ queueName: clientQueue.name })).map((w) => w.workflowID)).toEqual([first.workflowID])
    // Cancel: an awaiting client sees DBOSAwaitedWorkflowCancelledError. Resume: the finished first step is not run again.
    await client.cancelWorkflow(first.workflowID)
    expect((await first.getStatus())?.status).toBe('CANCELLED')
    await expect(first.getResult()).rejects.toThrow(DBOSAwaitedWorkflowCancelledError)
    releaseSlow()
    const resumed = await client.resumeWorkflow<string>(first.workflowID)
    await until('the resumed run', async () => (await resumed.getStatus())?.status === 'SUCCESS', () => releaseSlow())
    expect(await resumed.getResult()).toBe('slow done')
    expect(firstRuns.get(first.workflowID)).toBe(1)
    // Fork: as DBOS's client, it returns the new ID.
    const forkID = await client.forkWorkflow(first.workflowID, 1)
    expect(typeof forkID).toBe('string')
    const fork = client.retrieveWorkflow<string>(forkID)
    await until('the fork', async () => (await fork.getStatus())?.status === 'SUCCESS', () => releaseSlow())
    expect(await fork.getResult()).toBe('slow done')
    expect((await fork.getStatus())?.forkedFrom).toBe(first.workflowID)
    expect((await client.listWorkflowSteps(forkID))?.map((s) => s.name)).toEqual(['first', 'wait'])
    // Forked from step 1: step 0 was copied, not run.
    expect(firstRuns.get(forkID)).toBeUndefined()
  })

  it('enqueues portable arguments, which arrive as plain JSON', async () => {
    const handle = await client.enqueuePortable<unknown[]>(
      { workflowName: 'clientEcho', queueName: clientQueue.name }, ['hi', 42, new Date(0), { deep: [true, null] }],
    )
    // Portable JSON revives nothing: the Date arrives as its ISO string.
    expect(await handle.getResult()).toEqual(['hi', 42, '1970-01-01T00:00:00.000Z', { deep: [true, null] }])
    expect((await handle.getStatus())?.input).toEqual(['hi', 42, '1970-01-01T00:00:00.000Z', { deep: [true, null] }])
    await expect(
      client.enqueuePortable({ workflowName: 'clientEcho', queueName: clientQueue.name }, [], { named: 1 }),
    ).rejects.toThrow(/named arguments are not supported/)
  })

  it('waits for the first and for all of several workflows', async () => {
    const a = await client.enqueue<typeof waitFor>({ workflowName: 'clientGate', queueName: clientQueue.name }, `a-${db.name}`)
    const b = await client.enqueue<typeof waitFor>({ workflowName: 'clientGate', queueName: clientQueue.name }, `b-${db.name}`)
    await until('both gates', async () => gates.has(`a-${db.name}`) && gates.has(`b-${db.name}`))
    const first = client.waitFirst([a, b])
    await sleep(50)
    open(`b-${db.name}`)
    expect((await first).workflowID).toBe(b.workflowID)
    expect((await a.getStatus())?.status).toBe('PENDING')
    const all = client.waitAll([a, b])
    open(`a-${db.name}`)
    expect((await all).map((h) => h.workflowID)).toEqual([a.workflowID, b.workflowID])
    expect((await a.getStatus())?.status).toBe('SUCCESS')
    await expect(client.waitFirst([])).rejects.toThrow(TypeError)
    expect(await client.waitAll([])).toEqual([])
  })

  it('deletes a workflow, and with deleteChildren its descendants', async () => {
    const id = `doomed-${db.name}`
    expect(await DBOS.startWorkflow(parent, { workflowID: id })(id).then((h) => h.getResult())).toEqual(['child'])
    await client.deleteWorkflow(id)
    expect(await client.getWorkflow(id)).toBeUndefined()
    expect(await client.listWorkflowSteps(id)).toBeUndefined()
    expect((await client.getWorkflow(`${id}-child`))?.status).toBe('SUCCESS')

    const again = `${id}-2`
    await DBOS.startWorkflow(parent, { workflowID: again })(again).then((h) => h.getResult())
    await client.deleteWorkflow(again, true)
    expect(await client.getWorkflow(again)).toBeUndefined()
    expect(await client.getWorkflow(`${again}-child`)).toBeUndefined()
    expect(await client.listWorkflows({ workflowIDs: [again, `${again}-child`] })).toEqual([])
    // Deleting what is not there is not an error.
    await client.deleteWorkflows([again, 'never-existed'])
  })

  it('reports a message to an unknown workflow', async () => {
    await expect(client.send('no-such-workflow', 1)).rejects.toThrow(DBOSNonExistentWorkflowError)
  })
})

describe('DBOSClient on an embedded database no DBOS launched here', () => {
  it('refuses memory://, which only the launching process can reach', async () => {
    await expect(DBOSClient.create({ systemDatabaseUrl: 'memory://' })).rejects.toThrow(DBOSInitializationError)
  })
})
