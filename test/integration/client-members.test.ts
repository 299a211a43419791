// DBOSClient's DBOS 5.3 members beside the outbox: rewind, a waiting workflow's priority and delay, the debouncer's
// two calls, application versions, applicationName and serializer. On PGlite the client shares the launched
// DBOS's embedded database.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { rawSql } from '../support/raw-sql.ts'

const {
  DBOS, DBOSClient, WorkflowQueue, DBOSError, DBOSInvalidArgumentError, DBOSInvalidQueuePriorityError,
  DBOSNonExistentWorkflowError, DBOSQueueDuplicatedError, DBOSInitializationError,
} = perdure

const queue = new WorkflowQueue('members-queue')

DBOS.registerWorkflow(async (x: string) => x, { name: 'membersEcho' })

/** How many times each workflow really ran each step of membersRewind. */
const runs = new Map<string, number>()
const count = (step: string) => {
  const key = `${DBOS.workflowID}:${step}`
  runs.set(key, (runs.get(key) ?? 0) + 1)
  return runs.get(key)!
}
const rewindable = DBOS.registerWorkflow(async () => {
  const a = await DBOS.runStep(() => count('a'), { name: 'a' })
  await DBOS.setEvent('phase', `a${a}`)
  const b = await DBOS.runStep(() => count('b'), { name: 'b' })
  await DBOS.setEvent('phase', `b${b}`)
  return `${a}-${b}`
}, { name: 'membersRewind' })

/** A queue option no executor here satisfies: the workflow stays ENQUEUED. */
const parked = { queueName: queue.name, appVersion: 'no-executor-runs-this' }

describeEachDatabase('DBOSClient members of DBOS 5.3', (db) => {
  let url: string
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'members-app', systemDatabaseUrl: url })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'members-app' })
  })
  afterAll(async () => {
    await client?.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('applicationName and serializer', async () => {
    expect(client.applicationName).toBe('members-app')
    const unnamed = await DBOSClient.create({ systemDatabaseUrl: url })
    try {
      expect(unnamed.applicationName).toBeUndefined()
    } finally {
      await unnamed.destroy()
    }
    expect(client.serializer.name?.()).toBe('js_superjson')
    const when = new Date(86_400_000)
    const text = await client.serializer.stringify({ when })
    expect(await client.serializer.parse(text)).toEqual({ when })
  })

  it('rewindWorkflow runs a finished workflow again from a step, under its ID', async () => {
    const handle = await DBOS.startWorkflow(rewindable, { workflowID: `rewind-${db.name}` })()
    expect(await handle.getResult()).toBe('1-1')
    const steps = (await client.listWorkflowSteps(handle.workflowID))!
    const b = steps.find((s) => s.name === 'b')!
    const rewound = await client.rewindWorkflow<string>(handle.workflowID, { startStep: b.functionID })
    expect(rewound.workflowID).toBe(handle.workflowID)
    // Step a stays recorded (1); step b runs again (2).
    expect(await rewound.getResult()).toBe('1-2')
    expect(runs.get(`${handle.workflowID}:a`)).toBe(1)
    // From step 0, everything runs again.
    expect(await (await client.rewindWorkflow<string>(handle.workflowID)).getResult()).toBe('2-3')
  })

  it('rewindWorkflow takes back the events and steps from the cut on, keeping those before it', async () => {
    const handle = await DBOS.startWorkflow(rewindable, { workflowID: `rewind-events-${db.name}` })()
    expect(await handle.getResult()).toBe('1-1')
    expect(await client.getEvent(handle.workflowID, 'phase', 0)).toBe('b1')
    const b = (await client.listWorkflowSteps(handle.workflowID))!.find((s) => s.name === 'b')!
    // Parked on a version nothing runs, to look at the rewound state before any replay.
    await client.rewindWorkflow(handle.workflowID, { startStep: b.functionID, applicationVersion: parked.appVersion })
    const status = await client.getWorkflow(handle.workflowID)
    expect(status).toMatchObject({ status: 'ENQUEUED', applicationVersion: parked.appVersion })
    expect(status?.output).toBeUndefined()
    expect(await client.getEvent(handle.workflowID, 'phase', 0)).toBe('a1')
    const left = (await client.listWorkflowSteps(handle.workflowID))!
    expect(left.every((s) => s.functionID < b.functionID)).toBe(true)
    expect(left.some((s) => s.name === 'a')).toBe(true)
  })

  it('rewindWorkflow refuses an unknown, unfinished or badly placed rewind', async () => {
    await expect(client.rewindWorkflow(`no-such-${db.name}`)).rejects.toBeInstanceOf(DBOSNonExistentWorkflowError)
    const waiting = await client.enqueue({ workflowName: 'membersEcho', ...parked }, 'x')
    await expect(client.rewindWorkflow(waiting.workflowID)).rejects.toThrow(/terminal state/)
    await expect(client.rewindWorkflow(waiting.workflowID, { startStep: -1 })).rejects.toBeInstanceOf(DBOSInvalidArgumentError)
    await expect(client.rewindWorkflow(waiting.workflowID, { startStep: 1.5 })).rejects.toBeInstanceOf(DBOSInvalidArgumentError)
  })

  it('setWorkflowPriority changes a waiting workflow only', async () => {
    const waiting = await client.enqueue({ workflowName: 'membersEcho', ...parked }, 'p')
    await client.setWorkflowPriority(waiting.workflowID, 9)
    expect((await client.getWorkflow(waiting.workflowID))?.priority).toBe(9)
    await expect(client.setWorkflowPriority(waiting.workflowID, -1)).rejects.toBeInstanceOf(DBOSInvalidQueuePriorityError)
    await expect(client.setWorkflowPriority(waiting.workflowID, 1.5)).rejects.toBeInstanceOf(DBOSInvalidQueuePriorityError)
    const done = await client.enqueue({ workflowName: 'membersEcho', queueName: queue.name }, 'd')
    expect(await done.getResult()).toBe('d')
    await client.setWorkflowPriority(done.workflowID, 5)
    expect((await client.getWorkflow(done.workflowID))?.priority).toBe(0)
  })

  it('enqueueDebounced, debounceDelayedWorkflow and setWorkflowDelay drive a debounced workflow', async () => {
    const key = `members-key-${db.name}`
    const id = await client.enqueueDebounced(
      { workflowName: 'membersEcho', queueName: queue.name, deduplicationID: key, delaySeconds: 3600 }, undefined, ['first'],
    )
    expect((await client.getWorkflow(id))?.status).toBe('DELAYED')
    await expect(client.enqueueDebounced(
      { workflowName: 'membersEcho', queueName: queue.name, deduplicationID: key, delaySeconds: 3600 }, undefined, ['again'],
    )).rejects.toBeInstanceOf(DBOSQueueDuplicatedError)
    await expect(client.enqueueDebounced(
      { workflowName: 'membersEcho', queueName: queue.name, deduplicationID: `${key}-0`, delaySeconds: 0 }, undefined, ['x'],
    )).rejects.toBeInstanceOf(DBOSError)

    const bounce = async (deduplicationID: string, value: string) => await client.debounceDelayedWorkflow({
      workflowName: 'membersEcho', workflowClassName: '', queueName: queue.name, deduplicationID,
      delayUntilEpochMS: Date.now() + 3_600_000, input: await client.serializer.stringify([value]),
      serialization: client.serializer.name!(),
    })
    expect(await bounce(key, 'second')).toMatchObject({ bouncedWorkflowID: id, holderWorkflowID: null })
    expect(await bounce(`${key}-free`, 'x')).toEqual({
      bouncedWorkflowID: null, holderWorkflowID: null, holderIsDebounced: false, holderWorkflowName: null,
      holderWorkflowClassName: null, holderApplicationName: null,
    })
    const held = await client.enqueue({ workflowName: 'membersEcho', ...parked, deduplicationID: `${key}-held` }, 'h')
    expect(await bounce(`${key}-held`, 'x')).toMatchObject({
      bouncedWorkflowID: null, holderWorkflowID: held.workflowID, holderIsDebounced: false, holderWorkflowName: 'membersEcho',
    })

    await expect(client.setWorkflowDelay(id, 0)).rejects.toBeInstanceOf(DBOSError)
    await expect(client.setWorkflowDelay(id, {})).rejects.toBeInstanceOf(DBOSError)
    // Brought forward, the delay ends at once and the last arguments win.
    await client.setWorkflowDelay(id, { delayUntilEpochMS: Date.now() + 50 })
    expect(await client.retrieveWorkflow(id).getResult()).toBe('second')
    // A workflow no longer DELAYED is left alone.
    await client.setWorkflowDelay(id, 3600)
    expect((await client.getWorkflow(id))?.status).toBe('SUCCESS')
  })

  it('lists application versions, gets the latest and promotes another, within its application', async () => {
    const current = DBOS.applicationVersion
    const { query, s } = rawSql()
    const insert = (name: string, app: string | null) => query(
      `INSERT INTO ${s}.application_versions (version_id, version_name, version_timestamp, application_name) VALUES ($1, $2, 1000, $3)`,
      [crypto.randomUUID(), name, app],
    )
    const nobody = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'members-nobody' })
    try {
      await expect(nobody.getLatestApplicationVersion()).rejects.toBeInstanceOf(DBOSInitializationError)
      await insert('members-old', 'members-app')
      await insert('members-unclaimed', null)
      await insert('members-foreign', 'members-other')
      const listed = await client.listApplicationVersions()
      expect(listed.map((v) => v.versionName)).toEqual([current, 'members-old', 'members-unclaimed'])
      expect(listed[0]).toMatchObject({ versionName: current, applicationName: 'members-app' })
      expect(typeof listed[0]!.versionTimestamp).toBe('number')
      expect(typeof listed[0]!.createdAt).toBe('number')
      expect((await client.getLatestApplicationVersion()).versionName).toBe(current)

      await client.setLatestApplicationVersion('members-old')
      expect((await client.getLatestApplicationVersion()).versionName).toBe('members-old')
      // Promoting an unclaimed version claims it, so it is not every other application's latest too.
      await new Promise((r) => setTimeout(r, 5))
      await client.setLatestApplicationVersion('members-unclaimed')
      expect(await client.getLatestApplicationVersion()).toMatchObject({ versionName: 'members-unclaimed', applicationName: 'members-app' })
      await expect(nobody.getLatestApplicationVersion()).rejects.toBeInstanceOf(DBOSInitializationError)

      await expect(client.setLatestApplicationVersion('members-foreign')).rejects.toThrow(/registered by application 'members-other'/)
      await client.setLatestApplicationVersion('members-foreign', { applicationName: 'members-other' })
      expect((await client.getLatestApplicationVersion()).versionName).toBe('members-unclaimed')
    } finally {
      await nobody.destroy()
      await new Promise((r) => setTimeout(r, 5))
      await client.setLatestApplicationVersion(current)
    }
    expect((await client.getLatestApplicationVersion()).versionName).toBe(current)
  })
})
