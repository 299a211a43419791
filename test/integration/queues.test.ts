// Queues in one process, on both databases: order, limits, priority, deduplication, partitions, timeouts.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, WorkflowQueue, DBOSQueueDuplicatedError, DBOSInvalidQueuePriorityError, DBOSError } = perdure

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Start and end times of each run, by tag, to check order and overlap. */
const runs: { tag: string; key: string; start: number; end: number }[] = []
function maxOverlap(tag: string, key?: string): number {
  const mine = runs.filter((r) => r.tag === tag && (key === undefined || r.key === key))
  const edges = mine.flatMap((r) => [[r.start, 1], [r.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let now = 0
  let max = 0
  for (const [, d] of edges) max = Math.max(max, (now += d))
  return max
}

const worker = DBOS.registerWorkflow(async (tag: string, key: string, ms: number) => {
  const start = performance.now()
  await DBOS.runStep(() => sleep(ms), { name: 'work' })
  runs.push({ tag, key, start, end: performance.now() })
  return key
}, { name: 'worker' })

let gateOpen: () => void = () => {}
const gated = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => new Promise<void>((r) => (gateOpen = r)), { name: 'wait' })
}, { name: 'gated' })

const fifo = new WorkflowQueue('fifo', { concurrency: 1 })
const perWorker = new WorkflowQueue('per-worker', { workerConcurrency: 2 })
const limited = new WorkflowQueue('rate-limited', { rateLimit: { limitPerPeriod: 3, periodSec: 1 } })
const prioritized = new WorkflowQueue('prioritized', { concurrency: 1, usePriority: true })
const dedup = new WorkflowQueue('dedup')
const partitioned = new WorkflowQueue('partitioned', { partitionQueue: true, concurrency: 1 })
const timed = new WorkflowQueue('timed', { concurrency: 1 })
const other = new WorkflowQueue('not-listened')

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

describeEachDatabase('queues', (db) => {
  let url: string
  beforeAll(async () => {
    url = db.persistent()
    DBOS.setConfig({ name: 'queue-tests', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
  })
  afterAll(async () => {
    gateOpen()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('runs a concurrency-1 queue one at a time, first in first out', async () => {
    const handles = []
    for (let i = 0; i < 5; i++) handles.push(await DBOS.startWorkflow(worker, { queueName: fifo.name })(`fifo-${db.name}`, `k${i}`, 30))
    await Promise.all(handles.map((h) => h.getResult()))
    const mine = runs.filter((r) => r.tag === `fifo-${db.name}`).sort((a, b) => a.start - b.start)
    expect(mine.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4'])
    expect(maxOverlap(`fifo-${db.name}`)).toBe(1)
  })

  it('keeps workerConcurrency per process', async () => {
    const handles = []
    for (let i = 0; i < 6; i++) handles.push(await DBOS.startWorkflow(worker, { queueName: perWorker.name })(`pw-${db.name}`, `k${i}`, 60))
    await Promise.all(handles.map((h) => h.getResult()))
    expect(maxOverlap(`pw-${db.name}`)).toBe(2)
  })

  it('starts no more than limitPerPeriod workflows in any period window', async () => {
    const handles = []
    for (let i = 0; i < 7; i++) handles.push(await DBOS.startWorkflow(worker, { queueName: limited.name })(`rate-${db.name}`, `k${i}`, 0))
    await Promise.all(handles.map((h) => h.getResult()))
    // The limit governs dequeues, stamped by the database clock (dequeuedAt); local start times would add
    // event-loop delays that the limiter does not see.
    const dequeued = (await Promise.all(handles.map(async (h) => (await h.getStatus())?.dequeuedAt)))
      .map(Number).sort((a, b) => a - b)
    expect(dequeued.every(Number.isFinite)).toBe(true)
    for (const t of dequeued) expect(dequeued.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(3)
    // 7 dequeues at 3 per second need at least two full windows.
    expect(dequeued[6]! - dequeued[0]!).toBeGreaterThanOrEqual(2000)
  })

  it('dequeues by priority (none first, then 1, 2, …) and FIFO within a priority', async () => {
    const blocker = await DBOS.startWorkflow(gated, { queueName: prioritized.name })()
    await waitFor(async () => (await blocker.getStatus())?.status === 'PENDING', 'the blocker to start')
    const tag = `prio-${db.name}`
    const order = [['p5', 5], ['p1a', 1], ['none', undefined], ['p3', 3], ['p1b', 1]] as const
    const handles = []
    for (const [key, priority] of order) {
      handles.push(await DBOS.startWorkflow(worker, {
        queueName: prioritized.name,
        ...(priority === undefined ? {} : { enqueueOptions: { priority } }),
      })(tag, key, 0))
    }
    gateOpen()
    await Promise.all(handles.map((h) => h.getResult()))
    const started = runs.filter((r) => r.tag === tag).sort((a, b) => a.start - b.start).map((r) => r.key)
    expect(started).toEqual(['none', 'p1a', 'p1b', 'p3', 'p5'])
  })

  it('rejects a priority outside 1..2147483647', async () => {
    await expect(DBOS.startWorkflow(worker, { queueName: prioritized.name, enqueueOptions: { priority: 0 } })('x', 'x', 0))
      .rejects.toThrow(DBOSInvalidQueuePriorityError)
  })

  it('deduplicates while the holder is ENQUEUED or PENDING, and accepts again after it completes', async () => {
    const options = { queueName: dedup.name, enqueueOptions: { deduplicationID: `user-${db.name}` } }
    const first = await DBOS.startWorkflow(gated, options)()
    const error = await DBOS.startWorkflow(gated, options)().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(DBOSQueueDuplicatedError)
    expect((error as Error).message).toContain(`deduplication ID user-${db.name}`)
    await waitFor(async () => (await first.getStatus())?.status === 'PENDING', 'the holder to start')
    await expect(DBOS.startWorkflow(gated, options)()).rejects.toThrow(DBOSQueueDuplicatedError)
    gateOpen()
    await first.getResult()
    const again = await DBOS.startWorkflow(worker, options)('dedup', 'again', 0)
    expect(await again.getResult()).toBe('again')
  })

  it('runs a partitioned queue one at a time per key, keys in parallel', async () => {
    const tag = `part-${db.name}`
    const handles = []
    for (const key of ['a', 'b', 'a', 'b', 'a']) {
      handles.push(await DBOS.startWorkflow(worker, { queueName: partitioned.name, enqueueOptions: { queuePartitionKey: key } })(tag, key, 80))
    }
    await Promise.all(handles.map((h) => h.getResult()))
    expect(maxOverlap(tag, 'a')).toBe(1)
    expect(maxOverlap(tag, 'b')).toBe(1)
    expect(maxOverlap(tag)).toBe(2)
  })

  it('checks partition keys and queue names before enqueueing', async () => {
    await expect(DBOS.startWorkflow(worker, { queueName: partitioned.name })('x', 'x', 0)).rejects.toThrow(/is partitioned/)
    await expect(DBOS.startWorkflow(worker, { queueName: fifo.name, enqueueOptions: { queuePartitionKey: 'a' } })('x', 'x', 0))
      .rejects.toThrow(/is not partitioned/)
    await expect(DBOS.startWorkflow(worker, { queueName: 'no-such-queue' })('x', 'x', 0)).rejects.toThrow(DBOSError)
    await expect(DBOS.startWorkflow(worker, { queueName: 'no-such-queue' })('x', 'x', 0)).rejects.toThrow(/is not declared/)
    await expect(DBOS.startWorkflow(worker, { enqueueOptions: { priority: 3 } })('x', 'x', 0)).rejects.toThrow(/need a queueName/)
  })

  it('counts a queued workflow\'s timeout from dequeue, not from enqueue', async () => {
    const tag = `timeout-${db.name}`
    const first = await DBOS.startWorkflow(worker, { queueName: timed.name })(tag, 'slow', 700)
    // Waits ~700 ms in the queue, then runs 100 ms: fine with a 500 ms timeout counted from dequeue.
    const waited = await DBOS.startWorkflow(worker, { queueName: timed.name, timeoutMS: 500 })(tag, 'waited', 100)
    // Runs 2 s against a 300 ms timeout: cancelled.
    const tooSlow = await DBOS.startWorkflow(worker, { queueName: timed.name, timeoutMS: 300 })(tag, 'too-slow', 2000)
    expect(await first.getResult()).toBe('slow')
    expect(await waited.getResult()).toBe('waited')
    await expect(tooSlow.getResult()).rejects.toThrow(/cancelled/)
    expect((await tooSlow.getStatus())?.status).toBe('CANCELLED')
  })

  it('lists the workflows on queues', async () => {
    const blocker = await DBOS.startWorkflow(gated, { queueName: fifo.name })()
    const queued = await DBOS.startWorkflow(worker, { queueName: fifo.name })('list', 'k', 0)
    await waitFor(async () => (await blocker.getStatus())?.status === 'PENDING', 'the blocker to start')
    const listed = await DBOS.listQueuedWorkflows({ queueName: fifo.name })
    // Both rows may share a creation millisecond, so their listing order is not part of the check.
    const byStatus = listed.map((w) => [w.workflowID, w.status]).sort((a, b) => a[1]!.localeCompare(b[1]!))
    expect(byStatus).toEqual([
      [queued.workflowID, 'ENQUEUED'],
      [blocker.workflowID, 'PENDING'],
    ])
    gateOpen()
    await queued.getResult()
    expect(await DBOS.listQueuedWorkflows({ queueName: fifo.name })).toEqual([])
  })

  it('serves a queue registered after launch, with its limits', async () => {
    await expect(DBOS.registerQueue(`late-bad-${db.name}`, { globalConcurrency: 1, workerConcurrency: 2 })).rejects.toThrow(DBOSError)
    const name = `late-${db.name}`
    await DBOS.registerQueue(name, { workerConcurrency: 1, minPollingIntervalMs: 200 })
    const tag = `late-${db.name}`
    const handles = []
    for (let i = 0; i < 3; i++) handles.push(await DBOS.startWorkflow(worker, { queueName: name })(tag, `k${i}`, 40))
    expect(await Promise.all(handles.map((h) => h.getResult()))).toEqual(['k0', 'k1', 'k2'])
    expect(maxOverlap(tag)).toBe(1)
  })

  it('with listenQueues, never runs other queues\' work', async () => {
    await DBOS.shutdown()
    DBOS.setConfig({ name: 'queue-tests', systemDatabaseUrl: url, applicationVersion: 'v1', listenQueues: [fifo] })
    await DBOS.launch()
    const handle = await DBOS.startWorkflow(worker, { queueName: other.name })('listen', 'k', 0)
    await sleep(1500)
    expect((await handle.getStatus())?.status).toBe('ENQUEUED')
    await DBOS.shutdown()
    DBOS.setConfig({ name: 'queue-tests', systemDatabaseUrl: url, applicationVersion: 'v1' })
    await DBOS.launch()
    expect(await DBOS.retrieveWorkflow(handle.workflowID).getResult()).toBe('k')
  })
})
