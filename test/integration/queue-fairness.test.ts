// Fairness: a queue with a 20,000-workflow backlog must not delay work on the other queues.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, WorkflowQueue } = perdure

const BACKLOG = 20_000
const queues = Array.from({ length: 20 }, (_, i) => new WorkflowQueue(`fair-${i}`))
const started = new Map<string, number>()

const backlogWork = DBOS.registerWorkflow(async () => {
  // Slow enough (at most ~1,000 a second with 1,000 running) that the backlog outlasts every probe.
  await DBOS.runStep(() => new Promise<void>((r) => setTimeout(r, 1000)), { name: 'work' })
}, { name: 'backlogWork' })

const probe = DBOS.registerWorkflow(async (id: string) => {
  started.set(id, performance.now())
}, { name: 'probe' })

describeEachDatabase('queue fairness', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'fairness', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it(`starts work on other queues within 2 s while one queue holds a ${BACKLOG}-workflow backlog`, async () => {
    const backlog = queues[0]!
    let next = 0
    // 200 enqueues in flight: the backlog builds far faster than one process drains it.
    await Promise.all(Array.from({ length: 200 }, async () => {
      while (next < BACKLOG) {
        next++
        await DBOS.startWorkflow(backlogWork, { queueName: backlog.name })()
      }
    }))
    const waiting = await DBOS.listWorkflows({ queueName: backlog.name, status: 'ENQUEUED', loadInput: false, loadOutput: false })
    const latencies: number[] = []
    const enqueued: number[] = []
    for (let i = 1; i < queues.length; i += 2) {
      const id = `probe-${db.name}-${i}`
      const t0 = performance.now()
      const handle = await DBOS.startWorkflow(probe, { queueName: queues[i]!.name, workflowID: id })(id)
      enqueued.push(performance.now() - t0)
      await handle.getResult()
      latencies.push(started.get(id)! - t0)
    }
    const remaining = (await DBOS.listWorkflows({ queueName: backlog.name, status: 'ENQUEUED', loadInput: false, loadOutput: false })).length
    console.log(`backlog ${waiting.length} queued at the first probe, ${remaining} after the last; probe start latencies (ms): ${latencies.map((l) => l.toFixed(1)).join(', ')} (enqueue calls took ${enqueued.map((l) => l.toFixed(1)).join(', ')})`)
    expect(waiting.length).toBeGreaterThan(10_000)
    expect(remaining).toBeGreaterThan(5_000) // the backlog was still there for every probe
    // Fairness: every probe started within twice the 1 s polling interval while thousands were still queued
    // ahead of it on the backlog queue, which drains at about 1,000 a second: a queue starved by the backlog
    // would wait seconds. How fast a probe starts is a latency figure (typically under 20 ms; seen 729 ms on a
    // loaded machine), for `npm run bench`, not for this test.
    expect(Math.max(...latencies)).toBeLessThanOrEqual(2000)
  })
})
