// Declarations (workflows, queues, schedules, configured instances) are closed while a launch runs and open again
// after its shutdown. Stopping the scheduler alone, as the admin API's GET /deactivate does, leaves them closed:
// the launch has already read them, so a schedule declared then would never be published.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, ConfiguredInstance, WorkflowQueue } = perdure

class Greeter extends ConfiguredInstance {}

/** One unscheduled workflow per database lane, declared before any launch. */
const spare = [0, 1].map((i) => DBOS.registerWorkflow(async (_scheduled: Date, _actual: Date) => {}, { name: `spare-${i}` }))
let lane = 0

describeEachDatabase('declarations', (db) => {
  const n = lane++
  const workflow = spare[n]!
  // A port of its own for the admin server, away from the fixed ones other tests use.
  const port = 40_000 + Math.floor(Math.random() * 10_000)
  beforeAll(async () => {
    DBOS.setConfig({ name: 'declarations', systemDatabaseUrl: db.fresh(), runAdminServer: true, adminPort: port })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('are refused while launched, also after GET /deactivate stopped the scheduler', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/deactivate`)
    expect(res.status).toBe(200)
    await res.body?.cancel()
    expect(() => DBOS.registerWorkflow(async () => 1, { name: `late-${n}` })).toThrow(/after DBOS\.launch\(\)/)
    expect(() => new WorkflowQueue(`late-${n}`)).toThrow(/after DBOS\.launch\(\)/)
    expect(() => DBOS.registerScheduled(workflow, { crontab: '0 0 1 1 *' })).toThrow(/after DBOS\.launch\(\)/)
    expect(() => new Greeter(`late-${n}`)).toThrow(/after DBOS\.launch\(\)/)
  })

  it('are accepted again after shutdown', async () => {
    await DBOS.shutdown()
    DBOS.registerWorkflow(async () => 1, { name: `after-${n}` })
    new WorkflowQueue(`after-${n}`)
    DBOS.registerScheduled(workflow, { crontab: '0 0 1 1 *' })
    expect(new Greeter(`after-${n}`).name).toBe(`after-${n}`)
  })
})
