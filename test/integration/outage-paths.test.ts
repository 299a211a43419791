// A system-database outage met inside workflow code is never recorded as an outcome (issue #19): not as a
// step's error, not as the workflow's, even when workflow code wrapped the error it caught. The outage is
// the error the system database's port throws for a lost connection (marked as the system database's own);
// here a step raises one the way a DBOS call inside it would see it.
import { markSystemError } from '../../core/internal/retry.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS } = perdure

/** What a DBOS call inside a step throws when the system database drops its connection. */
function lostConnection(): Error {
  return markSystemError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })) as Error
}

const bodyRuns = new Map<string, number>()
function countRun(key: string): number {
  const n = (bodyRuns.get(key) ?? 0) + 1
  bodyRuns.set(key, n)
  return n
}

const outageInStep = DBOS.registerWorkflow(async () => {
  const key = `${DBOS.workflowID}:step`
  return await DBOS.runStep(async () => {
    if (countRun(key) === 1) throw lostConnection()
    return 'done'
  }, { name: 'flaky' })
}, { name: 'outagePathsStep' })

const wrappedOutage = DBOS.registerWorkflow(async () => {
  const key = `${DBOS.workflowID}:wrapped`
  try {
    return await DBOS.runStep(async () => {
      if (countRun(key) === 1) throw lostConnection()
      return 'done'
    }, { name: 'flaky' })
  } catch (e) {
    throw new Error('could not finish', { cause: e })
  }
}, { name: 'outagePathsWrapped' })

const plainFailure = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(async () => {
    // A step's own network error is the step's outcome, as always.
    throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
  }, { name: 'own-network' })
}, { name: 'outagePathsPlain' })

describeEachDatabase('system database outage inside workflow code', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'outage-paths', systemDatabaseUrl: db.fresh(), logLevel: 'error' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('replays a workflow whose step met an outage instead of recording it as the step error', async () => {
    const handle = await DBOS.startWorkflow(outageInStep)()
    expect(await handle.getResult()).toBe('done')
    expect((await handle.getStatus())?.status).toBe('SUCCESS')
    expect(bodyRuns.get(`${handle.workflowID}:step`)).toBe(2)
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((s) => [s.functionID, s.output, s.error])).toEqual([[0, 'done', null]])
  })

  it('replays when workflow code wraps the outage it caught', async () => {
    const handle = await DBOS.startWorkflow(wrappedOutage)()
    expect(await handle.getResult()).toBe('done')
    expect((await handle.getStatus())?.status).toBe('SUCCESS')
    expect(bodyRuns.get(`${handle.workflowID}:wrapped`)).toBe(2)
  })

  it("still records a step's own network error", async () => {
    const handle = await DBOS.startWorkflow(plainFailure)()
    await expect(handle.getResult()).rejects.toThrow('read ECONNRESET')
    expect((await handle.getStatus())?.status).toBe('ERROR')
  })
})
