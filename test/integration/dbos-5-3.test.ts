// DBOS's static members of DBOS 5.3 beyond the guide's: bulk management, rewind, queue places, versions, queues
// at run time, waits, readStreamOffset, enqueue by name, context helpers, className, registration hooks,
// alert handler, registerSerialization, migrate and stepStatus.cancelSignal, on Postgres and PGlite.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const {
  DBOS, WorkflowQueue, DBOSError, DBOSInvalidQueuePriorityError, DBOSNonExistentWorkflowError, DBOSStreamTimeoutError,
} = perdure

const queue = new WorkflowQueue('five-three-queue')

const echo = DBOS.registerWorkflow(async (x: string) => x, { name: 'fiveThreeEcho' })
const identity = DBOS.registerWorkflow(async () => ({
  id: DBOS.workflowID, user: DBOS.authenticatedUser, roles: DBOS.authenticatedRoles, within: DBOS.isWithinWorkflow(),
  inStep: await DBOS.runStep(() => DBOS.isWithinWorkflow() && !DBOS.isInWorkflow()),
}), { name: 'fiveThreeIdentity' })
const blocked = DBOS.registerWorkflow(async () => await DBOS.recv<string>('go', 60), { name: 'fiveThreeBlocked' })
const streamer = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('s', 'v0')
  await DBOS.writeStream('s', 'v1')
  await DBOS.closeStream('s')
}, { name: 'fiveThreeStreamer' })
const waiter = DBOS.registerWorkflow(async (a: string, b: string) => {
  const first = await DBOS.waitFirst([DBOS.retrieveWorkflow(a), DBOS.retrieveWorkflow(b)])
  const offset = await DBOS.readStreamOffset<string>(first.workflowID, 's', 1)
  const child = await DBOS.enqueueWorkflowWithOptions<string>({ queueName: queue.name, workflowName: 'fiveThreeEcho' }, 'child')
  return { first: first.workflowID, offset, child: await child.getResult() }
}, { name: 'fiveThreeWaiter' })
let signal: AbortSignal | undefined
const cancellable = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(async () => {
    signal = DBOS.stepStatus!.cancelSignal
    await new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve(), { once: true }))
  }, { name: 'waitForCancel' })
}, { name: 'fiveThreeCancellable' })

class Renamed {
  @DBOS.workflow()
  static async hello(): Promise<string> {
    return 'hello'
  }
}
DBOS.className('RenamedClass')(Renamed)

const callbacks: string[] = []
DBOS.registerLifecycleCallback({
  initialize: async () => void callbacks.push('initialize'),
  destroy: async () => void callbacks.push('destroy'),
  logRegisteredEndpoints: () => void callbacks.push('log'),
})
class Point {
  readonly x: number
  constructor(x: number) {
    this.x = x
  }
}
DBOS.registerSerialization<Point, number>({ name: 'five-three-point', isApplicable: (v): v is Point => v instanceof Point, serialize: (p) => p.x, deserialize: (x) => new Point(x) })
const pointEcho = DBOS.registerWorkflow(async (p: Point) => p, { name: 'fiveThreePoint' })
DBOS.setAlertHandler(async () => {})

describeEachDatabase('DBOS static members of DBOS 5.3', (db) => {
  beforeAll(async () => {
    const url = db.fresh()
    await DBOS.migrate(url)
    DBOS.setConfig({ name: 'five-three-app', systemDatabaseUrl: url })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    expect(callbacks.at(-1)).toBe('destroy')
    await db.dropAll()
  })

  it('lifecycle callbacks, registerSerialization and setAlertHandler', async () => {
    expect(callbacks).toContain('initialize')
    DBOS.logRegisteredEndpoints()
    expect(callbacks).toContain('log')
    const p = await pointEcho(new Point(3))
    expect(p).toBeInstanceOf(Point)
    expect(p.x).toBe(3)
    expect(() => DBOS.setAlertHandler(async () => {})).toThrow(DBOSError)
    expect(() => DBOS.registerSerialization({ name: 'late', isApplicable: (v): v is Date => false, serialize: () => 0, deserialize: () => new Date() })).toThrow(TypeError)
  })

  it('associateClassWithInfo, associateFunctionWithInfo and getAssociatedInfo', () => {
    const lib = { library: 'five-three' }
    const info = DBOS.associateClassWithInfo(lib, 'Handlers') as { topic?: string }
    info.topic = 't'
    const fn = async () => 1
    const { registration, regInfo } = DBOS.associateFunctionWithInfo(lib, fn, { name: 'handle', className: 'Handlers' })
    ;(regInfo as { path?: string }).path = '/x'
    expect(registration.name).toBe('handle')
    const found = DBOS.getAssociatedInfo(lib, 'Handlers')
    expect(found.length).toBe(1)
    expect(found[0]!.classConfig).toEqual({ topic: 't' })
    expect(found[0]!.methodConfig).toEqual({ path: '/x' })
    expect(DBOS.getAssociatedInfo({ other: true }).length).toBe(0)
  })

  it('className registers the class under its new name', async () => {
    const handle = await DBOS.startWorkflow(Renamed).hello()
    expect(await handle.getResult()).toBe('hello')
    const [row] = await DBOS.listWorkflows({ workflowIDs: [handle.workflowID] })
    expect(row!.workflowClassName).toBe('RenamedClass')
  })

  it('context helpers: next ID, queue, timeout, authed context, within workflow', async () => {
    const result = await DBOS.withNextWorkflowID(`ctx-${db.name}`, () =>
      DBOS.withAuthedContext('alice', ['admin'], () => identity()))
    expect(result).toEqual({ id: `ctx-${db.name}`, user: 'alice', roles: ['admin'], within: true, inStep: true })
    expect(DBOS.authenticatedUser).toBe('')
    expect(DBOS.authenticatedRoles).toEqual([])
    expect(DBOS.assumedRole).toBe('')
    expect(DBOS.isWithinWorkflow()).toBe(false)
    expect(DBOS.isInTransaction()).toBe(false)
    // Only the first workflow takes the ID.
    const ids = await DBOS.withNextWorkflowID(`once-${db.name}`, async () => {
      const a = await DBOS.startWorkflow(echo)('a')
      const b = await DBOS.startWorkflow(echo)('b')
      return [a.workflowID, b.workflowID]
    })
    expect(ids[0]).toBe(`once-${db.name}`)
    expect(ids[1]).not.toBe(`once-${db.name}`)
    const queued = await DBOS.withWorkflowQueue(queue.name, () => DBOS.withWorkflowTimeout(60_000, () => DBOS.startWorkflow(echo)('q')))
    expect(await queued.getResult()).toBe('q')
    const status = await queued.getStatus()
    expect(status!.queueName).toBe(queue.name)
    expect(status!.timeoutMS).toBe(60_000)
    expect(await DBOS.withNamedContext('caller', async () => 7)).toBe(7)
    expect(DBOS.span).toBeUndefined()
    expect(DBOS.tracer).toBeUndefined()
  })

  it('waitFirst, waitAll, readStreamOffset and enqueueWorkflowWithOptions, in a workflow and outside', async () => {
    const slow = await DBOS.startWorkflow(blocked)()
    const fast = await DBOS.startWorkflow(streamer)()
    const handle = await DBOS.startWorkflow(waiter, { workflowID: `waiter-${db.name}` })(slow.workflowID, fast.workflowID)
    const out = await handle.getResult()
    expect(out).toEqual({ first: fast.workflowID, offset: 'v1', child: 'child' })
    const [child] = await DBOS.listWorkflows({ parentWorkflowID: handle.workflowID } as never)
    expect(child?.workflowID).toBe(`${handle.workflowID}-2`)
    expect((await DBOS.waitFirst([slow, fast])).workflowID).toBe(fast.workflowID)
    await expect(DBOS.waitFirst([])).rejects.toThrow()
    await expect(DBOS.waitFirst([fast, fast])).rejects.toThrow()
    await DBOS.send(slow.workflowID, 'done', 'go')
    const all = await DBOS.waitAll<unknown>([slow, fast])
    expect(all.map((h) => h.workflowID)).toEqual([slow.workflowID, fast.workflowID])
    expect(await DBOS.waitAll([])).toEqual([])
    expect(await DBOS.readStreamOffset(fast.workflowID, 's', 0)).toBe('v0')
    await expect(DBOS.readStreamOffset(fast.workflowID, 's', 2)).rejects.toThrow(DBOSStreamTimeoutError)
    const open = await DBOS.startWorkflow(blocked)()
    await expect(DBOS.readStreamOffset(open.workflowID, 's', 0, { timeoutSeconds: 0.2 })).rejects.toThrow(DBOSStreamTimeoutError)
    await DBOS.send(open.workflowID, 'x', 'go')
    const byName = await DBOS.enqueueWorkflowWithOptionsPortable<string>({ queueName: queue.name, workflowName: 'fiveThreeEcho' }, ['portable'])
    expect(await byName.getResult()).toBe('portable')
    await expect(DBOS.enqueueWorkflowWithOptions({ queueName: queue.name, workflowName: 'fiveThreeEcho', delaySeconds: 1 } as never)).rejects.toThrow(DBOSError)
  })

  it('cancelWorkflows, resumeWorkflows, deleteWorkflows and stepStatus.cancelSignal', async () => {
    signal = undefined
    const a = await DBOS.startWorkflow(cancellable)()
    const b = await DBOS.startWorkflow(blocked)()
    const current = () => signal
    while (!current()) await DBOS.sleep(20)
    expect(current()!.aborted).toBe(false)
    await DBOS.cancelWorkflows([a.workflowID, b.workflowID])
    expect(current()!.aborted).toBe(true)
    await expect(b.getResult()).rejects.toThrow(/cancelled/)
    expect((await b.getStatus())!.status).toBe('CANCELLED')
    const [resumed] = await DBOS.resumeWorkflows([b.workflowID], { queueName: queue.name })
    await DBOS.send(b.workflowID, 'again', 'go')
    expect(await resumed!.getResult()).toBe('again')
    await expect(DBOS.resumeWorkflows(['no-such-workflow'])).rejects.toThrow(DBOSNonExistentWorkflowError)
    await DBOS.deleteWorkflows([a.workflowID, b.workflowID])
    expect(await DBOS.getWorkflowStatus(b.workflowID)).toBeNull()
  })

  it('rewindWorkflow, setWorkflowPriority and setWorkflowDelay', async () => {
    const done = await DBOS.startWorkflow(echo, { workflowID: `rewind-${db.name}` })('r')
    await done.getResult()
    const rewound = await DBOS.rewindWorkflow<string>(done.workflowID)
    expect(rewound.workflowID).toBe(done.workflowID)
    expect(await rewound.getResult()).toBe('r')
    await expect(DBOS.setWorkflowPriority(done.workflowID, -1)).rejects.toThrow(DBOSInvalidQueuePriorityError)
    const parked = await DBOS.enqueueWorkflowWithOptions({ queueName: queue.name, workflowName: 'fiveThreeEcho', appVersion: 'nobody-runs-this' }, 'p')
    await DBOS.setWorkflowPriority(parked.workflowID, 5)
    expect((await parked.getStatus())!.priority).toBe(5)
    // Not DELAYED: nothing changes, and no error.
    await DBOS.setWorkflowDelay(parked.workflowID, 10)
    expect((await parked.getStatus())!.status).toBe('ENQUEUED')
    await expect(DBOS.setWorkflowDelay(parked.workflowID, {})).rejects.toThrow(DBOSError)
  })

  it('listApplicationVersions, getLatestApplicationVersion and setLatestApplicationVersion', async () => {
    const listed = await DBOS.listApplicationVersions()
    expect(listed.map((v) => v.versionName)).toContain(DBOS.applicationVersion)
    expect((await DBOS.getLatestApplicationVersion()).versionName).toBe(DBOS.applicationVersion)
    await DBOS.setLatestApplicationVersion(DBOS.applicationVersion)
    expect((await DBOS.getLatestApplicationVersion()).versionName).toBe(DBOS.applicationVersion)
  })

  it('registerQueue, retrieveQueue, listQueues, deleteQueue and the queue getters and setters', async () => {
    const q = await DBOS.registerQueue('five-three-runtime', { globalConcurrency: 4, workerConcurrency: 2 })
    expect(q.name).toBe('five-three-runtime')
    expect(q.concurrency).toBe(4)
    expect(await q.getWorkerConcurrency()).toBe(2)
    await q.setGlobalConcurrency(8)
    await q.setRateLimit({ limitPerPeriod: 10, periodSec: 2 })
    await q.setPartitionConcurrency(3)
    await q.setMinPollingIntervalMs(500)
    const again = (await DBOS.retrieveQueue('five-three-runtime'))!
    expect(await again.getGlobalConcurrency()).toBe(8)
    expect(await again.getConcurrency()).toBe(8)
    expect(await again.getRateLimit()).toEqual({ limitPerPeriod: 10, periodSec: 2 })
    expect(await again.getPartitionConcurrency()).toBe(3)
    expect(await again.getMinPollingIntervalMs()).toBe(500)
    expect(again.applicationName).toBe('five-three-app')
    await expect(again.setWorkerConcurrency(9)).rejects.toThrow(DBOSError)
    await expect(again.setPartitionWorkerConcurrency(0)).rejects.toThrow()
    await again.setPartitionConcurrency(undefined)
    expect(await again.getPartitionConcurrency()).toBeUndefined()
    // Declared queues are stored too, and their getters read the row.
    const names = (await DBOS.listQueues()).map((x) => x.name)
    expect(names).toContain('five-three-runtime')
    expect(names).toContain(queue.name)
    expect((await DBOS.listQueues('another-app')).map((x) => x.name)).not.toContain('five-three-runtime')
    expect(await queue.getWorkerConcurrency()).toBeUndefined()
    const kept = await DBOS.registerQueue('five-three-runtime', { globalConcurrency: 1, onConflict: 'never_update' })
    expect(kept.concurrency).toBe(8)
    await DBOS.deleteQueue('five-three-runtime')
    expect(await DBOS.retrieveQueue('five-three-runtime')).toBeNull()
    await expect(again.getGlobalConcurrency()).rejects.toThrow(DBOSError)
  })
})
