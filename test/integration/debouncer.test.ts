// Debouncing (docs/sysdb.md §7.1), on both databases: calls with one key within the period collapse into one run with
// the last arguments; debounceTimeoutMs starts the workflow even while calls keep coming; keys are independent;
// a debounce from workflow code is one recorded operation.
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, Debouncer, DBOSError, DBOSNotRegisteredError } = perdure

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Every run of processInput: its workflow ID, arguments and start time. */
const runs: { id: string; key: string; value: string; at: number }[] = []
const runsOf = (key: string) => runs.filter((r) => r.key === key)

const processInput = DBOS.registerWorkflow(async (key: string, value: string) => {
  runs.push({ id: DBOS.workflowID!, key, value, at: Date.now() })
  return value
}, { name: 'process-input' })

const debouncer = new Debouncer({ workflow: processInput })
const capped = new Debouncer({ workflow: processInput, debounceTimeoutMs: 1500 })

const debounceFromWorkflow = DBOS.registerWorkflow(async (key: string, value: string) => {
  const handle = await debouncer.debounce(key, 300, key, value)
  return handle.workflowID
}, { name: 'debounce-from-workflow' })

describe('Debouncer options', () => {
  it('rejects start parameters a debounced workflow cannot honour, and a bad timeout', () => {
    const cases = [
      { enqueueOptions: { deduplicationID: 'd' } },
      { enqueueOptions: { priority: 1 } },
      { enqueueOptions: { queuePartitionKey: 'p' } },
      { delaySeconds: 5 },
      { duplicationPolicy: 'return-existing' },
      { workflowIDReusePolicy: 'reject' },
    ]
    for (const startWorkflowParams of cases) {
      expect(() => new Debouncer({ workflow: processInput, startWorkflowParams: startWorkflowParams as never }))
        .toThrow(DBOSError)
    }
    expect(() => new Debouncer({ workflow: processInput, debounceTimeoutMs: 0 })).toThrow(/debounceTimeoutMs/)
  })
})

describeEachDatabase('debouncer', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'debounce-tests', systemDatabaseUrl: db.fresh(), applicationVersion: 'v1', logLevel: 'warn' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('runs three calls within the period once, with the last arguments', async () => {
    const key = `three-${db.name}`
    const first = await debouncer.debounce(key, 1000, key, 'a')
    await sleep(100)
    const second = await debouncer.debounce(key, 1000, key, 'b')
    await sleep(100)
    const lastCallAt = Date.now()
    const third = await debouncer.debounce(key, 1000, key, 'c')
    expect(second.workflowID).toBe(first.workflowID)
    expect(third.workflowID).toBe(first.workflowID)
    expect(await third.getResult()).toBe('c')
    expect(runsOf(key).map((r) => r.value)).toEqual(['c'])
    // It waited a whole period after the last call.
    expect(runsOf(key)[0]!.at).toBeGreaterThanOrEqual(lastCallAt + 1000 - 20)
    expect(await third.getWorkflowInputs()).toEqual([key, 'c'])

    // Once it has started, the key debounces a new workflow.
    const next = await debouncer.debounce(key, 200, key, 'd')
    expect(next.workflowID).not.toBe(first.workflowID)
    expect(await next.getResult()).toBe('d')
    expect(runsOf(key).map((r) => r.value)).toEqual(['c', 'd'])
  })

  it('starts the workflow at debounceTimeoutMs after the first call, even while calls keep coming', async () => {
    const key = `capped-${db.name}`
    const firstCallAt = Date.now()
    const ids: string[] = []
    for (let i = 0; i < 12; i++) {
      ids.push((await capped.debounce(key, 1000, key, `v${i}`)).workflowID)
      await sleep(300)
    }
    const lastCallAt = Date.now()
    const distinct = [...new Set(ids)]
    // Without the timeout, the calls 300 ms apart would have pushed one workflow back for as long as they came.
    expect(distinct.length).toBeGreaterThanOrEqual(2)
    const results = []
    for (const id of distinct) results.push(await DBOS.retrieveWorkflow(id).getResult())
    expect(results.at(-1)).toBe('v11')
    const mine = runsOf(key)
    // Each workflow ran once.
    expect(mine.map((r) => r.id).sort()).toEqual([...distinct].sort())
    const firstRun = mine.find((r) => r.id === distinct[0])!
    expect(firstRun.at).toBeGreaterThanOrEqual(firstCallAt + 1500 - 20)
    expect(firstRun.at).toBeLessThan(lastCallAt)
    // The first workflow ran with the last arguments it was given before it started.
    expect(firstRun.value).toBe(`v${ids.lastIndexOf(firstRun.id)}`)
  })

  it('debounces two keys independently', async () => {
    const [a, b] = [`left-${db.name}`, `right-${db.name}`]
    const a1 = await debouncer.debounce(a, 500, a, 'a1')
    const b1 = await debouncer.debounce(b, 500, b, 'b1')
    const a2 = await debouncer.debounce(a, 500, a, 'a2')
    expect(a2.workflowID).toBe(a1.workflowID)
    expect(b1.workflowID).not.toBe(a1.workflowID)
    expect(await a2.getResult()).toBe('a2')
    expect(await b1.getResult()).toBe('b1')
    expect(runsOf(a).map((r) => r.value)).toEqual(['a2'])
    expect(runsOf(b).map((r) => r.value)).toEqual(['b1'])
  })

  it('records a debounce from workflow code as one operation, replayed without debouncing again', async () => {
    const key = `from-workflow-${db.name}`
    const caller = await DBOS.startWorkflow(debounceFromWorkflow)(key, 'w1')
    const target = await caller.getResult()
    expect(await DBOS.retrieveWorkflow(target).getResult()).toBe('w1')
    const steps = await DBOS.listWorkflowSteps(caller.workflowID)
    expect(steps?.map((s) => [s.functionID, s.name, s.output, s.childWorkflowID])).toEqual([
      [0, 'DBOS.debounceDelayedWorkflow', target, target],
    ])
    // A fork at step 1 replays the recorded debounce: same target, no new debounced workflow.
    const fork = await DBOS.forkWorkflow<string>(caller.workflowID, 1)
    expect(await fork.getResult()).toBe(target)
    expect(runsOf(key).map((r) => r.value)).toEqual(['w1'])
  })

  it('rejects a period that is not positive and a function that is not a registered workflow', async () => {
    await expect(debouncer.debounce('k', 0, 'k', 'v')).rejects.toThrow(DBOSError)
    const plain = new Debouncer({ workflow: async (_key: string, value: string) => value })
    await expect(plain.debounce('k', 100, 'k', 'v')).rejects.toThrow(DBOSNotRegisteredError)
  })
})
