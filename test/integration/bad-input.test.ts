// Bad input gets a typed error that says what to fix, and the process keeps serving.
import { rawSql } from '../support/raw-sql.ts'
import { perdure } from '../support/perdure.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase, describeOn } from '../support/databases.ts'

const {
  DBOS, DBOSClient, DBOSConflictingRegistrationError, DBOSError, DBOSExecutorNotInitializedError, DBOSInitializationError,
  DBOSInvalidArgumentError, DBOSInvalidWorkflowInputError, DBOSInvalidWorkflowTransitionError, DBOSNotRegisteredError,
  WorkflowQueue,
} = perdure

/** Random letters and digits: text that does not compress, so index entries take their full size. */
function randomText(bytes: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => alphabet[b % alphabet.length]).join('')
}

/** 1026 bytes of UTF-8 in 513 characters: the limits count bytes, not characters. */
const tooLong = 'é'.repeat(513)
const NUL = 'a\u0000b'
/** More than a btree index entry can hold (2704 bytes): Postgres itself refuses it. */
const unindexable = randomText(3000)

/** Resolves with the promise's outcome, or 'still waiting' after `ms` (a refused call must not hang). */
async function settle(promise: Promise<unknown>, ms = 10_000): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise((r) => (timer = setTimeout(() => r('still waiting'), ms)))
  try {
    return await Promise.race([promise.then((v) => ({ value: v }), (e: unknown) => e), late])
  } finally {
    clearTimeout(timer)
  }
}

/** Expects a DBOSInvalidArgumentError (a DBOSError) whose field and message name `field`. */
function expectRefused(outcome: unknown, field: string): void {
  expect(outcome).toBeInstanceOf(DBOSInvalidArgumentError)
  expect(outcome).toBeInstanceOf(DBOSError)
  expect((outcome as { field: string }).field).toBe(field)
  expect((outcome as Error).message).toContain(`Invalid ${field}: `)
}

/** Rows in the tables a refused call could have written to. */
async function rowCounts(): Promise<Record<string, number>> {
  const { query, s } = rawSql()
  const [row] = await query<Record<string, number>>(
    `SELECT (SELECT count(*) FROM ${s}.workflow_status)::int AS workflows,
            (SELECT count(*) FROM ${s}.operation_outputs)::int AS steps,
            (SELECT count(*) FROM ${s}.notifications)::int AS messages,
            (SELECT count(*) FROM ${s}.workflow_events)::int AS events,
            (SELECT count(*) FROM ${s}.workflow_events_history)::int AS event_history,
            (SELECT count(*) FROM ${s}.streams)::int AS streams,
            (SELECT count(*) FROM ${s}.queues)::int AS queues`,
  )
  return row!
}

/** Rows a workflow wrote to the communication tables. */
async function communicationRows(workflowID: string): Promise<number> {
  const { query, s } = rawSql()
  const [row] = await query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM ${s}.notifications WHERE destination_uuid = $1)
           + (SELECT count(*) FROM ${s}.workflow_events WHERE workflow_uuid = $1)
           + (SELECT count(*) FROM ${s}.workflow_events_history WHERE workflow_uuid = $1)
           + (SELECT count(*) FROM ${s}.streams WHERE workflow_uuid = $1))::int AS n`,
    [workflowID],
  )
  return row!.n
}

// At the documented limits (see core/internal/input-checks.ts): a 256-byte application and queue name, a
// 512-byte partition key, 1024-byte IDs and keys. Together they fill the widest composite index entries.
const appName = randomText(256)
const limitQueue = new WorkflowQueue(randomText(256), { partitionQueue: true })
const plainQueue = new WorkflowQueue('bad-input-plain')

/** Uses every kind of key at its limit: an event, a stream, a topic. */
const atLimits = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.setEvent(key, 'event')
  await DBOS.writeStream(key, 'chunk')
  await DBOS.closeStream(key)
  return await DBOS.recv<string>(key, 30)
}, { name: 'atLimits' })

/** Makes one refused call from workflow code and reports the error it got; the workflow itself succeeds. */
const misuse = DBOS.registerWorkflow(async (call: string) => {
  const calls: Record<string, () => Promise<unknown>> = {
    'setEvent NUL key': () => DBOS.setEvent(NUL, 1),
    'setEvent long key': () => DBOS.setEvent(tooLong, 1),
    'setEvent unindexable key': () => DBOS.setEvent(unindexable, 1),
    'writeStream unindexable key': () => DBOS.writeStream(unindexable, 1),
    'writeStream NUL key': () => DBOS.writeStream(NUL, 1),
    'writeStream long key': () => DBOS.writeStream(tooLong, 1),
    'closeStream NUL key': () => DBOS.closeStream(NUL),
    'recv NUL topic': () => DBOS.recv(NUL, 1),
    'recv NaN timeout': () => DBOS.recv('t', NaN),
    'recv negative timeout': () => DBOS.recv('t', -1),
    'getEvent NaN timeout': () => DBOS.getEvent(DBOS.workflowID!, 'k', NaN),
    'send NUL topic': () => DBOS.send(DBOS.workflowID!, 1, NUL),
    'send long topic': () => DBOS.send(DBOS.workflowID!, 1, tooLong),
    'sleep NaN': () => DBOS.sleep(NaN),
  }
  try {
    await calls[call]!()
    return { accepted: true }
  } catch (e) {
    return { name: (e as Error).name, field: (e as { field?: string }).field, message: (e as Error).message }
  }
}, { name: 'misuse' })

const echo = DBOS.registerWorkflow(async (value: unknown) => value, { name: 'echo' })

const startsFromStep = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => DBOS.startWorkflow(echo)(1), { name: 'bad' })
}, { name: 'startsFromStep' })

/** What `upgraded` passes: valid when it first runs, invalid under today's rules once the test "upgrades" it. */
const upgradeArgs = { timeoutSeconds: 0, key: 'k' }
const upgraded = DBOS.registerWorkflow(async () => {
  const got = await DBOS.recv<string>('t', upgradeArgs.timeoutSeconds)
  await DBOS.setEvent(upgradeArgs.key, 'v')
  return await DBOS.runStep(async () => `done:${got}`, { name: 'last' })
}, { name: 'upgraded' })

const unserializableResult = DBOS.registerWorkflow(async () => ({ callback: () => 1 }), { name: 'unserializableResult' })

describeOn('pglite', 'configuration and lifecycle', () => {
  it('names every invalid config field', () => {
    expect(() => DBOS.setConfig({ name: 'x', systemDatabasePoolSize: 0 })).toThrow(DBOSInitializationError)
    expect(() => DBOS.setConfig({ name: 'x', systemDatabasePoolSize: 0 })).toThrow(/systemDatabasePoolSize: must be at least 1/)
    expect(() => DBOS.setConfig({ systemDatabaseUrl: 'mysql://db/x' })).toThrow(/systemDatabaseUrl: must start with postgres:\/\//)
    expect(() => DBOS.setConfig({ logLevel: 'loud' })).toThrow(/logLevel: must be one of debug, info, warn, error/)
    expect(() => DBOS.setConfig({ systemDatabaseSchemaName: 'a;drop' })).toThrow(/systemDatabaseSchemaName: must be a Postgres identifier/)
    expect(() => DBOS.setConfig({ adminPort: 'x' as unknown as number })).toThrow(/adminPort/)
  })

  it('refuses a second workflow with the same name', () => {
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'echo' })).toThrow(DBOSConflictingRegistrationError)
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'echo' })).toThrow(/already registered/)
  })

  it('refuses to start an unregistered function', () => {
    expect(() => DBOS.startWorkflow(async () => 1)).toThrow(DBOSNotRegisteredError)
  })

  it('says DBOS is not launched when it is not', async () => {
    expect(() => DBOS.retrieveWorkflow('x')).toThrow(DBOSExecutorNotInitializedError)
    await expect(echo(1)).rejects.toThrow(/call DBOS.launch\(\) first/)
  })

  it('refuses bad names and schemas in the configuration, naming the field', async () => {
    expect(() => DBOS.setConfig({ systemDatabaseSchemaName: 'pg_mine' })).toThrow(DBOSInitializationError)
    expect(() => DBOS.setConfig({ systemDatabaseSchemaName: 'pg_mine' })).toThrow(/systemDatabaseSchemaName: must not start with pg_/)
    expect(() => DBOS.setConfig({ name: NUL })).toThrow(/name: must not contain a NUL character/)
    expect(() => DBOS.setConfig({ name: randomText(257) })).toThrow(/name: must be at most 256 bytes/)
    expect(() => DBOS.setConfig({ applicationVersion: tooLong })).toThrow(/applicationVersion: must be at most 256 bytes/)
    // Checked before connecting: this address refuses connections, which would be a different error.
    const create = (config: Record<string, unknown>) =>
      DBOSClient.create({ systemDatabaseUrl: 'postgres://postgres@127.0.0.1:1/none', ...config }).then(() => 'created', (e: unknown) => e)
    const badSchema = await create({ systemDatabaseSchemaName: 'a;b' })
    expect(badSchema).toBeInstanceOf(DBOSInitializationError)
    expect((badSchema as Error).message).toMatch(/Invalid DBOSClient configuration: systemDatabaseSchemaName: must be a Postgres identifier/)
    expect(((await create({ applicationName: NUL })) as Error).message).toMatch(/applicationName: must not contain a NUL/)
    expect(((await create({ systemDatabasePoolSize: Number.NaN })) as Error).message).toMatch(/systemDatabasePoolSize/)
  })

  it('refuses a queue with a NUL in its name or limits Postgres cannot store, and still launches', async () => {
    const refused = (make: () => unknown) => {
      try {
        make()
        return 'declared'
      } catch (e) {
        return e
      }
    }
    expectRefused(refused(() => new WorkflowQueue(NUL)), 'queue name')
    expectRefused(refused(() => new WorkflowQueue(`q-${tooLong}`)), 'queue name')
    expectRefused(refused(() => new WorkflowQueue('q-huge', { concurrency: 1e10 })), 'concurrency of queue "q-huge"')
    expectRefused(refused(() => new WorkflowQueue('q-nan', { workerConcurrency: Number.NaN })), 'workerConcurrency of queue "q-nan"')
    expectRefused(
      refused(() => new WorkflowQueue('q-forever', { rateLimit: { limitPerPeriod: 1, periodSec: Number.POSITIVE_INFINITY } })),
      'rateLimit.periodSec of queue "q-forever"',
    )
    // None of them was declared, so launch publishes only good queues.
    DBOS.setConfig({ name: 'queues-checked', systemDatabaseUrl: 'memory://' })
    await DBOS.launch()
    try {
      expect(await echo('launched')).toBe('launched')
      const handle = await DBOS.startWorkflow(echo, { queueName: plainQueue.name })('queued')
      expect(await handle.getResult()).toBe('queued')
    } finally {
      await DBOS.shutdown()
    }
  })

  it('refuses a sleep of NaN outside a workflow instead of returning at once', async () => {
    expectRefused(await settle(DBOS.sleep(Number.NaN)), 'durationMS')
    expectRefused(await settle(DBOS.sleepSeconds(Number.POSITIVE_INFINITY)), 'durationSeconds')
  })

  // A refused connection is waited on for systemDatabaseWaitMs (a server may be starting: postgres-restart.test.ts);
  // with no wait, the error comes at once.
  it('fails fast with a clear error when the database cannot be reached and no wait is set, then launches normally', async () => {
    DBOS.setConfig({ name: 'unreachable', systemDatabaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere', systemDatabaseWaitMs: 0 })
    const started = Date.now()
    const error = await DBOS.launch().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInitializationError)
    expect((error as Error).message).toMatch(/Cannot connect to the system database at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(DBOS.isInitialized).toBe(false)
    DBOS.setConfig({ name: 'reachable', systemDatabaseUrl: 'memory://' })
    await DBOS.launch()
    expect(await echo('after')).toBe('after')
    await DBOS.shutdown()
  })
})

describeEachDatabase('bad input while running', (db) => {
  let url = ''
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: appName, systemDatabaseUrl: url })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('refuses registration after launch', () => {
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'late' })).toThrow(DBOSError)
    expect(() => DBOS.registerWorkflow(async () => 1, { name: 'late' })).toThrow(/after DBOS.launch\(\)/)
  })

  it('rejects non-serializable arguments, stores nothing, and keeps serving', async () => {
    const id = `bad-args-${crypto.randomUUID()}`
    const error = await DBOS.startWorkflow(echo, { workflowID: id })(() => 1).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSInvalidWorkflowInputError)
    expect((error as Error).message).toMatch(/Arguments of workflow 'echo' cannot be serialized: .*args\[0\].*function/)
    expect(await DBOS.getWorkflowStatus(id)).toBeNull()
    const circular: Record<string, unknown> = {}
    circular.self = circular
    await expect(echo(circular)).rejects.toThrow(/circular/)
    expect(await echo({ fine: true })).toEqual({ fine: true })
  })

  it('fails a workflow whose result cannot be stored, with a clear error', async () => {
    const handle = await DBOS.startWorkflow(unserializableResult)()
    await expect(handle.getResult()).rejects.toThrow(/Result of workflow .* cannot be serialized/)
    expect((await handle.getStatus())?.status).toBe('ERROR')
  })

  it('refuses to start a workflow from inside a step', async () => {
    const handle = await DBOS.startWorkflow(startsFromStep)()
    await expect(handle.getResult()).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
  })

  it('stores IDs, names and keys at the documented limits, indexes and all', async () => {
    const workflowID = randomText(1024)
    const key = randomText(1024)
    const handle = await DBOS.startWorkflow(atLimits, {
      workflowID, queueName: limitQueue.name, enqueueOptions: { queuePartitionKey: randomText(512) },
    })(key)
    expect(await DBOS.getEvent(workflowID, key, 30)).toBe('event')
    await DBOS.send(workflowID, 'message', key, randomText(1024))
    expect(await handle.getResult()).toBe('message')
    const chunks: unknown[] = []
    for await (const chunk of DBOS.readStream(workflowID, key)) chunks.push(chunk)
    expect(chunks).toEqual(['chunk'])
    const deduplicated = await DBOS.startWorkflow(echo, {
      workflowID: randomText(1024), queueName: plainQueue.name, enqueueOptions: { deduplicationID: randomText(1024) },
    })('deduplicated')
    expect(await deduplicated.getResult()).toBe('deduplicated')
  })

  it('refuses a NUL or over-long workflow ID at every entry point, writes nothing, keeps serving', async () => {
    const before = await rowCounts()
    expectRefused(await settle(DBOS.startWorkflow(echo, { workflowID: NUL })(1)), 'workflowID')
    expectRefused(await settle(DBOS.startWorkflow(echo, { workflowID: tooLong })(1)), 'workflowID')
    expectRefused(await settle(DBOS.startWorkflow(echo, { workflowID: unindexable })(1)), 'workflowID')
    expectRefused(await settle(DBOS.startWorkflow(echo, { workflowID: tooLong, queueName: plainQueue.name })(1)), 'workflowID')
    expectRefused(await settle(DBOS.getWorkflowStatus(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.getResult(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.cancelWorkflow(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.resumeWorkflow(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.deleteWorkflow(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.listWorkflowSteps(NUL)), 'workflowID')
    expectRefused(await settle(DBOS.listWorkflows({ workflowIDs: ['ok', NUL] })), 'listWorkflows.workflowIDs[1]')
    expectRefused(await settle(DBOS.listWorkflows({ workflowName: NUL })), 'listWorkflows.workflowName')
    expect(() => DBOS.retrieveWorkflow(NUL)).toThrow(DBOSInvalidArgumentError)
    expect(await rowCounts()).toEqual(before)
    expect(await echo('after')).toBe('after')
  })

  it('refuses bad enqueue options and timeouts before writing the workflow', async () => {
    const before = await rowCounts()
    const start = (params: Record<string, unknown>) => settle(DBOS.startWorkflow(echo, params)(1))
    expectRefused(await start({ queueName: NUL }), 'queueName')
    expectRefused(await start({ queueName: plainQueue.name, enqueueOptions: { deduplicationID: NUL } }), 'enqueueOptions.deduplicationID')
    expectRefused(await start({ queueName: plainQueue.name, enqueueOptions: { deduplicationID: tooLong } }), 'enqueueOptions.deduplicationID')
    expectRefused(await start({ queueName: limitQueue.name, enqueueOptions: { queuePartitionKey: 'é'.repeat(257) } }), 'enqueueOptions.queuePartitionKey')
    for (const timeoutMS of [Number.NaN, -5, 0, Number.POSITIVE_INFINITY, 1e20]) {
      expectRefused(await start({ timeoutMS }), 'timeoutMS')
      expectRefused(await start({ timeoutMS, queueName: plainQueue.name }), 'timeoutMS')
    }
    expect(await rowCounts()).toEqual(before)
    // A fractional timeout (say seconds * 1000) is rounded up to the whole millisecond its bigint column holds.
    for (const params of [{ timeoutMS: 60_000.5 }, { timeoutMS: 60_000.5, queueName: plainQueue.name }]) {
      const handle = await DBOS.startWorkflow(echo, params)('fractional')
      expect(await handle.getResult()).toBe('fractional')
    }
  })

  it('refuses NUL or over-long keys and topics, and bad timeouts, in workflow code; writes none of them', async () => {
    const before = await rowCounts()
    const cases: [string, string][] = [
      ['setEvent NUL key', 'key'], ['setEvent long key', 'key'], ['setEvent unindexable key', 'key'],
      ['writeStream unindexable key', 'key'], ['writeStream NUL key', 'key'],
      ['writeStream long key', 'key'], ['closeStream NUL key', 'key'], ['recv NUL topic', 'topic'],
      ['recv NaN timeout', 'timeoutSeconds'], ['recv negative timeout', 'timeoutSeconds'],
      ['getEvent NaN timeout', 'timeoutSeconds'], ['send NUL topic', 'topic'], ['send long topic', 'topic'],
      ['sleep NaN', 'durationMS'],
    ]
    for (const [call, field] of cases) {
      const handle = await DBOS.startWorkflow(misuse)(call)
      const outcome = (await settle(handle.getResult())) as { value: { name: string; field: string; message: string } }
      expect({ call, ...outcome.value }).toEqual({ call, name: 'DBOSInvalidArgumentError', field, message: expect.stringContaining(`Invalid ${field}: `) })
      expect(await communicationRows(handle.workflowID)).toBe(0)
    }
    const after = await rowCounts()
    expect({ ...after, workflows: 0, steps: 0 }).toEqual({ ...before, workflows: 0, steps: 0 })
  })

  it('replays operations recorded under looser rules instead of refusing their arguments again', async () => {
    const first = await DBOS.startWorkflow(upgraded)()
    expect(await first.getResult()).toBe('done:null')
    const last = (await DBOS.listWorkflowSteps(first.workflowID))!.find((step) => step.name === 'last')!
    Object.assign(upgradeArgs, { timeoutSeconds: Number.NaN, key: NUL })
    try {
      // The fork replays recv and setEvent from their copied checkpoints, with arguments today's checks refuse.
      const forked = await DBOS.forkWorkflow(first.workflowID, last.functionID)
      expect(await settle(forked.getResult())).toEqual({ value: 'done:null' })
    } finally {
      Object.assign(upgradeArgs, { timeoutSeconds: 0, key: 'k' })
    }
  })

  it('refuses bad keys, topics and timeouts outside workflows, and a NaN wait returns instead of hanging', async () => {
    const target = await DBOS.startWorkflow(echo)('target')
    await target.getResult()
    const id = target.workflowID
    const before = await rowCounts()
    expectRefused(await settle(DBOS.getEvent(id, 'k', Number.NaN)), 'timeoutSeconds')
    expectRefused(await settle(DBOS.getEvent(id, 'k', -1)), 'timeoutSeconds')
    expectRefused(await settle(DBOS.getEvent(id, 'k', Number.POSITIVE_INFINITY)), 'timeoutSeconds')
    expectRefused(await settle(DBOS.getEvent(NUL, 'k', 0)), 'workflowID')
    expectRefused(await settle(DBOS.getEvent(id, NUL, 0)), 'key')
    expectRefused(await settle(DBOS.send(id, 1, NUL)), 'topic')
    expectRefused(await settle(DBOS.send(id, 1, tooLong)), 'topic')
    expectRefused(await settle(DBOS.send(id, 1, 't', tooLong)), 'idempotencyKey')
    expectRefused(await settle(DBOS.send(id, 1, unindexable)), 'topic')
    expectRefused(await settle(DBOS.send(NUL, 1, 't')), 'destinationID')
    expectRefused(await settle(DBOS.readStream(id, NUL).next()), 'key')
    expect(await rowCounts()).toEqual(before)
    await DBOS.send(id, 'fine', 't', 'once')
    expect(await DBOS.getEvent(id, 'k', 0)).toBeNull()
  })

  it('refuses a fork from a NaN, negative, fractional or too large step, or onto a bad ID', async () => {
    const original = await DBOS.startWorkflow(echo)('forked')
    await original.getResult()
    const before = await rowCounts()
    for (const step of [Number.NaN, -1, 1.5, 2 ** 31]) expectRefused(await settle(DBOS.forkWorkflow(original.workflowID, step)), 'startStep')
    expectRefused(await settle(DBOS.forkWorkflow(original.workflowID, 0, { newWorkflowID: NUL })), 'newWorkflowID')
    expectRefused(await settle(DBOS.forkWorkflow(original.workflowID, 0, { newWorkflowID: tooLong })), 'newWorkflowID')
    expectRefused(await settle(DBOS.forkWorkflow(original.workflowID, 0, { timeoutMS: Number.NaN })), 'timeoutMS')
    expectRefused(await settle(DBOS.forkWorkflow(NUL, 0)), 'workflowID')
    expect(await rowCounts()).toEqual(before)
    const fork = await DBOS.forkWorkflow<string>(original.workflowID, 0)
    expect(await fork.getResult()).toBe('forked')
  })

  it('refuses a queue registration Postgres cannot store, writing no queue row', async () => {
    const before = await rowCounts()
    expectRefused(await settle(DBOS.registerQueue(NUL)), 'queue name')
    expectRefused(await settle(DBOS.registerQueue('late-huge', { globalConcurrency: 1e10 })), 'globalConcurrency of queue "late-huge"')
    expectRefused(await settle(DBOS.registerQueue('late-nan', { partitionConcurrency: Number.NaN })), 'partitionConcurrency of queue "late-nan"')
    expectRefused(
      await settle(DBOS.registerQueue('late-rate', { rateLimit: { limitPerPeriod: 1, periodSec: Number.POSITIVE_INFINITY } })),
      'rateLimit.periodSec of queue "late-rate"',
    )
    expectRefused(
      await settle(DBOS.registerQueue('late-poll', { minPollingIntervalMs: Number.POSITIVE_INFINITY })),
      'minPollingIntervalMs of queue "late-poll"',
    )
    expect(await rowCounts()).toEqual(before)
    await DBOS.registerQueue('late-good', { globalConcurrency: 2 })
    expect((await rowCounts()).queues).toBe(before.queues! + 1)
  })

  it('gives a DBOSClient the same checks, before it writes anything', async () => {
    const client = await DBOSClient.create({ systemDatabaseUrl: url })
    try {
      const done = await DBOS.startWorkflow(echo)('client-target')
      await done.getResult()
      const id = done.workflowID
      const before = await rowCounts()
      const enqueue = (options: Record<string, unknown>) =>
        settle(client.enqueue({ workflowName: 'echo', queueName: plainQueue.name, ...options }, 1))
      expectRefused(await enqueue({ workflowTimeoutMS: Number.NaN }), 'workflowTimeoutMS')
      expectRefused(await enqueue({ workflowTimeoutMS: -1 }), 'workflowTimeoutMS')
      expectRefused(await enqueue({ workflowID: NUL }), 'workflowID')
      expectRefused(await enqueue({ workflowID: tooLong }), 'workflowID')
      expectRefused(await enqueue({ queueName: NUL }), 'queueName')
      expectRefused(await enqueue({ workflowName: NUL }), 'workflowName')
      expectRefused(await enqueue({ workflowClassName: 'c'.repeat(256) }), 'workflowClassName')
      expectRefused(await enqueue({ deduplicationID: NUL }), 'enqueueOptions.deduplicationID')
      for (const step of [Number.NaN, -1, 1.5]) expectRefused(await settle(client.forkWorkflow(id, step)), 'startStep')
      expectRefused(await settle(client.forkWorkflow(id, 0, { newWorkflowID: NUL })), 'newWorkflowID')
      expectRefused(await settle(client.readStream(id, 'k', { offset: Number.NaN }).next()), 'offset')
      expectRefused(await settle(client.readStream(id, 'k', { offset: -1 }).next()), 'offset')
      expectRefused(await settle(client.readStreamOffset(id, 'k', Number.NaN)), 'offset')
      expectRefused(await settle(client.getEvent(id, 'k', Number.NaN)), 'timeoutSeconds')
      expectRefused(await settle(client.send(id, 1, NUL)), 'topic')
      expectRefused(await settle(client.send(id, 1, 't', tooLong)), 'idempotencyKey')
      expectRefused(await settle(client.getWorkflow(NUL)), 'workflowID')
      expectRefused(await settle(client.cancelWorkflows(['ok', NUL])), 'workflowIDs[1]')
      expectRefused(await settle(client.listWorkflows({ queueName: NUL })), 'listWorkflows.queueName')
      expect(await rowCounts()).toEqual(before)
      const handle = await client.enqueue({ workflowName: 'echo', queueName: plainQueue.name, workflowTimeoutMS: 60_000.5 }, 'from client')
      expect(await handle.getResult()).toBe('from client')
      const fork = await client.forkWorkflow(id, 0)
      expect(await DBOS.getResult(fork)).toBe('client-target')
    } finally {
      await client.destroy()
    }
  })

  it('tells a DBOSClient pointed at a schema without DBOS tables so, and creates nothing there', async () => {
    const outcome = await DBOSClient.create({ systemDatabaseUrl: url, systemDatabaseSchemaName: 'no_such_schema' })
      .then(async (c) => (await c.destroy(), 'created'), (e: unknown) => e)
    expect(outcome).toBeInstanceOf(DBOSInitializationError)
    expect((outcome as Error).message).toMatch(/systemDatabaseSchemaName: schema "no_such_schema" .* has no DBOS tables/)
    const { query: db } = rawSql()
    expect(await db(`SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'no_such_schema'`)).toEqual([])
    const client = await DBOSClient.create({ systemDatabaseUrl: url })
    try {
      expect(await client.listWorkflows({ limit: 1 })).toHaveLength(1)
    } finally {
      await client.destroy()
    }
  })
})
