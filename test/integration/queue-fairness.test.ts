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

  it(`starts work on another queue within 100 ms (median) while one queue holds a ${BACKLOG}-workflow backlog`, async () => {
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
    // Typically all under 20 ms. The first probe, sent while the 20,000 enqueues are still being digested,
    // can be slow on a loaded CI machine (seen: 142 ms, 729 ms beside another test file). So: the median within
    // 100 ms, at most 2 of the 10 probes above it, and none beyond twice the 1 s polling interval. A queue
    // starved by the backlog would miss all three.
    const sorted = [...latencies].sort((a, b) => a - b)
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(100)
    expect(latencies.filter((l) => l > 100).length).toBeLessThanOrEqual(2)
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(2000)
  })
})
