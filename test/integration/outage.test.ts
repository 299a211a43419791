// The system database drops every connection mid-workflow (as in a restart or failover): workflows wait for
// it, replay, and finish; nothing is recorded twice and nothing fails.
import postgres from 'postgres'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, dropPostgresDatabases, postgresUrl } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const executed = new Map<string, number>()
const tenSteps = DBOS.registerWorkflow(async (tag: string) => {
  let sum = 0
  for (let i = 0; i < 10; i++) {
    sum += await DBOS.runStep(async () => {
      executed.set(`${tag}:${i}`, (executed.get(`${tag}:${i}`) ?? 0) + 1)
      await sleep(40)
      return i
    }, { name: `step-${i}` })
  }
  return sum
}, { name: 'outageTenSteps' })

describeOn('postgres', 'system database outage', () => {
  const name = `perdure_test_outage_${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
  let admin: ReturnType<typeof postgres>
  beforeAll(async () => {
    DBOS.setConfig({ name: 'outage', systemDatabaseUrl: postgresUrl(name), logLevel: 'error' })
    await DBOS.launch()
    admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await admin.end()
    await dropPostgresDatabases([name])
  })

  it('finishes workflows whose connections were all terminated mid-run', async () => {
    const handles = await Promise.all(['a', 'b', 'c'].map((tag) => DBOS.startWorkflow(tenSteps, { workflowID: `outage-${tag}` })(tag)))
    await sleep(150)
    const killed = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`
    expect(killed.length).toBeGreaterThan(0)
    expect(await Promise.all(handles.map((h) => h.getResult()))).toEqual([45, 45, 45])
    for (const h of handles) {
      const steps = await DBOS.listWorkflowSteps(h.workflowID)
      expect(steps?.map((s) => s.functionID)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect((await h.getStatus())?.status).toBe('SUCCESS')
    }
    // A step whose checkpoint was lost with the connection runs again: at most once more.
    for (const [key, n] of executed) expect({ key, n: Math.min(n, 2) }).toEqual({ key, n })
  })
})
