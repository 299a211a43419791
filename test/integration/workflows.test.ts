// Workflows and steps: results, idempotency, children, context variables, retries, parallel steps.
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { perdure } from '../support/perdure.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase, type TestDatabase } from '../support/databases.ts'

const { DBOS, DBOSConflictingWorkflowError, DBOSMaxStepRetriesError, DBOSNonExistentWorkflowError } = perdure

const runs = new Map<string, number>()
function ran(key: string): number {
  const n = (runs.get(key) ?? 0) + 1
  runs.set(key, n)
  return n
}

const threeSteps = DBOS.registerWorkflow(async (x: number) => {
  const a = await DBOS.runStep(() => (ran(`a:${DBOS.workflowID}`), x + 1), { name: 'addOne' })
  const b = await DBOS.runStep(async () => (ran(`b:${DBOS.workflowID}`), a * 2), { name: 'double' })
  const c = await DBOS.runStep(() => `${b}!`, { name: 'shout' })
  return { a, b, c }
}, { name: 'threeSteps' })

const contextProbe = DBOS.registerWorkflow(async () => {
  const inStep = await DBOS.runStep(() => ({
    workflowID: DBOS.workflowID,
    stepID: DBOS.stepID,
    status: DBOS.stepStatus,
  }), { name: 'probe', retriesAllowed: true, maxAttempts: 4 })
  return { workflowID: DBOS.workflowID, stepID: DBOS.stepID, inStep, executorID: DBOS.executorID }
}, { name: 'contextProbe' })

const child = DBOS.registerWorkflow(async (n: number) => {
  await DBOS.runStep(() => n, { name: 'childStep' })
  return { n, parent: DBOS.workflowID }
}, { name: 'child' })

const parent = DBOS.registerWorkflow(async () => {
  const direct = await child(1)
  const handle = await DBOS.startWorkflow(child)(2)
  const viaHandle = await handle.getResult()
  return { direct, viaHandle, handleID: handle.workflowID }
}, { name: 'parent' })

const flaky = DBOS.registerWorkflow(async (key: string, failures: number) => {
  return await DBOS.runStep(() => {
    const attempt = ran(key)
    if (attempt <= failures) throw new Error(`transient failure ${attempt}`)
    return attempt
  }, { name: 'flakyStep', retriesAllowed: true, maxAttempts: 3, intervalSeconds: 0.01, backoffRate: 1 })
}, { name: 'flaky' })

const failing = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => {
    throw Object.assign(new Error('card declined'), { code: 'E_DECLINED' })
  }, { name: 'charge' })
}, { name: 'failing' })

const parallel = DBOS.registerWorkflow(async () => {
  const delays = [30, 5, 15, 0]
  const results = await Promise.allSettled(
    delays.map((ms, i) => DBOS.runStep(() => new Promise<number>((r) => setTimeout(() => r(i), ms)), { name: `p${i}` })),
  )
  return results.map((r) => (r.status === 'fulfilled' ? r.value : -1))
}, { name: 'parallel' })

const internals = DBOS.registerWorkflow(async () => {
  const now = await DBOS.now()
  const uuid = await DBOS.randomUUID()
  return { now, uuid }
}, { name: 'internals' })

const doubler = DBOS.registerStep(async (n: number) => (ran(`doubler:${n}`), n * 2), { name: 'doubler' })
const usesRegisteredStep = DBOS.registerWorkflow(async (n: number) => (await doubler(n)) + (await doubler(n + 1)), {
  name: 'usesRegisteredStep',
})

const richValues = DBOS.registerWorkflow(async (when: Date, big: bigint, map: Map<string, number>) => {
  const later = await DBOS.runStep(() => new Date(when.getTime() + 1000), { name: 'later' })
  return { later, big: big * 2n, keys: [...map.keys()], isDate: later instanceof Date }
}, { name: 'richValues' })

/** The same body twice: registered as portable, and with the default serializer for contrast. */
const greet = async (name: string, when: Date, n: bigint) => ({ greeting: `hi ${name}`, when, n })
const portable = DBOS.registerWorkflow(greet, { name: 'portable', serialization: 'portable' })
const nativeTwin = DBOS.registerWorkflow(greet, { name: 'nativeTwin' })

describeEachDatabase('workflows', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'wf-tests', systemDatabaseUrl: db.fresh() })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('runs steps in order and records each one', async () => {
    const handle = await DBOS.startWorkflow(threeSteps)(20)
    expect(await handle.getResult()).toEqual({ a: 21, b: 42, c: '42!' })
    const status = await handle.getStatus()
    expect(status?.status).toBe('SUCCESS')
    expect(status?.workflowName).toBe('threeSteps')
    expect(status?.input).toEqual([20])
    expect(status?.output).toEqual({ a: 21, b: 42, c: '42!' })
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.functionID, s.name, s.output])).toEqual([
      [0, 'addOne', 21],
      [1, 'double', 42],
      [2, 'shout', '42!'],
    ])
  })

  it('calling a workflow function directly returns its result', async () => {
    expect(await threeSteps(1)).toEqual({ a: 2, b: 4, c: '4!' })
  })

  it('a workflow ID is an idempotency key: the second start does not run again', async () => {
    const id = `idem-${crypto.randomUUID()}`
    const first = await DBOS.startWorkflow(threeSteps, { workflowID: id })(5)
    const second = await DBOS.startWorkflow(threeSteps, { workflowID: id })(99)
    expect(await first.getResult()).toEqual({ a: 6, b: 12, c: '12!' })
    expect(await second.getResult()).toEqual({ a: 6, b: 12, c: '12!' })
    expect(runs.get(`a:${id}`)).toBe(1)
    expect(runs.get(`b:${id}`)).toBe(1)
  })

  it('reusing an ID for another workflow function is a conflict', async () => {
    const id = `conflict-${crypto.randomUUID()}`
    await (await DBOS.startWorkflow(threeSteps, { workflowID: id })(1)).getResult()
    await expect(DBOS.startWorkflow(child, { workflowID: id })(1)).rejects.toThrow(DBOSConflictingWorkflowError)
    await expect(DBOS.startWorkflow(child, { workflowID: id })(1)).rejects.toThrow(/different function name: threeSteps/)
  })

  it('exposes workflow and step context', async () => {
    const handle = await DBOS.startWorkflow(contextProbe)()
    const result = await handle.getResult()
    expect(result.workflowID).toBe(handle.workflowID)
    expect(result.stepID).toBeUndefined()
    expect(result.inStep).toEqual({
      workflowID: handle.workflowID,
      stepID: 0,
      status: { stepID: 0, currentAttempt: 1, maxAttempts: 4 },
    })
    expect(result.executorID).toBe('local')
    expect(DBOS.workflowID).toBeUndefined()
    expect(DBOS.applicationVersion).toMatch(/^[0-9a-f]{64}$/)
  })

  it('runs child workflows, called directly or started, with deterministic IDs', async () => {
    const handle = await DBOS.startWorkflow(parent)()
    const result = await handle.getResult()
    expect(result.direct).toEqual({ n: 1, parent: `${handle.workflowID}-0` })
    expect(result.handleID).toBe(`${handle.workflowID}-2`)
    expect(result.viaHandle).toEqual({ n: 2, parent: `${handle.workflowID}-2` })
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.functionID, s.name, s.childWorkflowID])).toEqual([
      [0, 'child', `${handle.workflowID}-0`],
      [1, 'DBOS.getResult', `${handle.workflowID}-0`],
      [2, 'child', `${handle.workflowID}-2`],
      [3, 'DBOS.getResult', `${handle.workflowID}-2`],
    ])
    const childStatus = await DBOS.getWorkflowStatus(`${handle.workflowID}-0`)
    expect(childStatus?.parentWorkflowID).toBe(handle.workflowID)
  })

  it('retries a failing step and returns once it succeeds', async () => {
    const key = `flaky-${crypto.randomUUID()}`
    expect(await flaky(key, 2)).toBe(3)
  })

  it('throws DBOSMaxStepRetriesError with every attempt once retries are exhausted', async () => {
    const key = `flaky-${crypto.randomUUID()}`
    const handle = await DBOS.startWorkflow(flaky)(key, 5)
    const error = await handle.getResult().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSMaxStepRetriesError)
    expect((error as InstanceType<typeof DBOSMaxStepRetriesError>).errors).toHaveLength(3)
    expect(runs.get(key)).toBe(3)
    const status = await handle.getStatus()
    expect(status?.status).toBe('ERROR')
    expect((status?.error as Error).name).toBe('DBOSMaxStepRetriesError')
  })

  it('records a workflow error with its name, message and code', async () => {
    const handle = await DBOS.startWorkflow(failing)()
    await expect(handle.getResult()).rejects.toThrow('card declined')
    const stored = await DBOS.retrieveWorkflow(handle.workflowID).getStatus()
    expect(stored?.status).toBe('ERROR')
    expect((stored?.error as Error & { code: string }).code).toBe('E_DECLINED')
  })

  it('gives steps started together in Promise.allSettled IDs in call order', async () => {
    const handle = await DBOS.startWorkflow(parallel)()
    expect(await handle.getResult()).toEqual([0, 1, 2, 3])
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.functionID, s.name])).toEqual([[0, 'p0'], [1, 'p1'], [2, 'p2'], [3, 'p3']])
  })

  it('records DBOS.now and DBOS.randomUUID as operations', async () => {
    const handle = await DBOS.startWorkflow(internals)()
    const result = await handle.getResult()
    expect(typeof result.now).toBe('number')
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.name, s.output])).toEqual([['DBOS.now', result.now], ['DBOS.randomUUID', result.uuid]])
  })

  it('runs many workflows concurrently (checkpoints share statements)', async () => {
    const handles = await Promise.all(Array.from({ length: 60 }, (_, i) => DBOS.startWorkflow(threeSteps)(i)))
    const results = await Promise.all(handles.map((h) => h.getResult()))
    expect(results.map((r) => r.a)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1))
  })

  it('runs functions registered with registerStep as checkpointed steps', async () => {
    const handle = await DBOS.startWorkflow(usesRegisteredStep)(100)
    expect(await handle.getResult()).toBe(200 + 202)
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.name, s.output])).toEqual([['doubler', 200], ['doubler', 202]])
    expect(await doubler(7)).toBe(14) // outside a workflow it is a plain call
  })

  it('keeps Dates, BigInts and Maps intact through js_superjson', async () => {
    const when = new Date('2025-06-15T10:30:00.000Z')
    const handle = await DBOS.startWorkflow(richValues)(when, 21n, new Map([['a', 1], ['b', 2]]))
    const result = await handle.getResult()
    expect(result).toEqual({ later: new Date('2025-06-15T10:30:01.000Z'), big: 42n, keys: ['a', 'b'], isDate: true })
    const status = await handle.getStatus()
    expect(status?.input?.[0]).toEqual(when)
    expect(status?.output).toEqual(result)
  })

  it('an unknown workflow ID has no status and no result', async () => {
    expect(await DBOS.getWorkflowStatus('no-such-workflow')).toBeNull()
    expect(await DBOS.listWorkflowSteps('no-such-workflow')).toBeUndefined()
    await expect(DBOS.retrieveWorkflow('no-such-workflow').getResult()).rejects.toThrow(DBOSNonExistentWorkflowError)
  })
})

/** Reads rows of the system database at `url` directly, once DBOS has shut down (PGlite allows one process). */
async function rawRows<T>(db: TestDatabase, url: string, text: string, params: unknown[]): Promise<T[]> {
  if (db.name === 'pglite') {
    const pg = await PGlite.create(url.replace(/^file:(\/\/)?/, ''))
    try {
      return (await pg.query<T>(text, params)).rows
    } finally {
      await pg.close()
    }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    return [...(await sql.unsafe(text, params as never[]))] as T[]
  } finally {
    await sql.end({ timeout: 5 })
  }
}

describeEachDatabase('portable serialization', (db) => {
  afterAll(async () => {
    await db.dropAll()
  })

  // A Date and a bigint: superjson keeps their types, portable_json flattens them to strings (docs/sysdb.md §2.3).
  it('stores a workflow registered as portable in portable_json, and its twin in the default format', async () => {
    const url = db.persistent()
    DBOS.setConfig({ name: 'wf-portable', systemDatabaseUrl: url })
    await DBOS.launch()
    const when = new Date(Date.UTC(1970, 0, 2))
    let ids: string[] = []
    try {
      const handles = [await DBOS.startWorkflow(portable)('ada', when, 7n), await DBOS.startWorkflow(nativeTwin)('ada', when, 7n)]
      for (const handle of handles) await handle.getResult()
      ids = handles.map((h) => h.workflowID)
      // Read back from the database: the portable one as plain JSON would give it, the twin with its types.
      const [portableStatus, nativeStatus] = await Promise.all(ids.map((id) => DBOS.getWorkflowStatus(id)))
      expect(portableStatus?.input).toEqual(['ada', '1970-01-02T00:00:00.000Z', '7'])
      expect(portableStatus?.output).toEqual({ greeting: 'hi ada', when: '1970-01-02T00:00:00.000Z', n: '7' })
      expect(nativeStatus?.input).toEqual(['ada', when, 7n])
      expect(nativeStatus?.output).toEqual({ greeting: 'hi ada', when, n: 7n })
    } finally {
      await DBOS.shutdown()
    }
    const rows = await rawRows<{ workflow_uuid: string; serialization: string | null; inputs: string; output: string }>(db, url, `
      SELECT s.workflow_uuid, s.serialization, i.inputs, o.output
      FROM dbos.workflow_status s
      JOIN dbos.workflow_input i USING (workflow_uuid)
      JOIN dbos.workflow_output o USING (workflow_uuid)
      WHERE s.workflow_uuid = ANY($1)`, [ids])
    const byID = new Map(rows.map((r) => [r.workflow_uuid, r]))
    const stored = byID.get(ids[0]!)!
    const twin = byID.get(ids[1]!)!
    expect(stored.serialization).toBe('portable_json')
    expect(JSON.parse(stored.output)).toEqual({ greeting: 'hi ada', when: '1970-01-02T00:00:00.000Z', n: '7' })
    expect(JSON.parse(stored.inputs)).toEqual({ positionalArgs: ['ada', '1970-01-02T00:00:00.000Z', '7'] })
    expect(twin.serialization).not.toBe('portable_json')
    expect(twin.output).not.toBe(stored.output)
  })
})
