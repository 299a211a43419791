// An outage that a replay cannot cure must not replay a workflow in a tight loop. A DBOSClient used inside a
// step is the step's own dependency: its database going away is the step's failure (the step's retry policy
// applies, then the workflow fails), not this executor's system-database outage. And when the system database
// answers the replay's read but fails the next statement at once (a partial outage: too many connections),
// consecutive replays back off.
import { createServer, connect, type Server, type Socket } from 'node:net'
import { markSystemError } from '../../core/internal/retry.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase, describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSClient } = perdure
type Client = Awaited<ReturnType<typeof DBOSClient.create>>

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A 127.0.0.1 listener passing bytes to `target` until closed; then its port refuses connections. */
async function forwarder(target: URL): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const track = (s: Socket) => {
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  }
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname)
    track(client)
    track(upstream)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}

let client: Client | undefined
let clientStepRuns = 0

const sendsThroughClient = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(async () => {
    clientStepRuns++
    await client!.send(DBOS.workflowID!, 'hello', 'topic')
  }, { name: 'client-send', retriesAllowed: true, maxAttempts: 3, intervalSeconds: 0.1, backoffRate: 1 })
  return 'sent'
}, { name: 'outageLoopClient' })

describeOn('postgres', 'a DBOSClient whose database went away, used inside a step', (db) => {
  let proxy: Awaited<ReturnType<typeof forwarder>> | undefined
  beforeAll(async () => {
    const url = db.fresh()
    DBOS.setConfig({ name: 'outage-loop-client', systemDatabaseUrl: url, runAdminServer: false, logLevel: 'error' })
    await DBOS.launch()
    const target = new URL(url)
    proxy = await forwarder(target)
    const viaProxy = new URL(url)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(proxy.port)
    client = await DBOSClient.create({ systemDatabaseUrl: viaProxy.toString() })
    // From here the client's host refuses connections: the client's database is down, the executor's is up.
    await proxy.close()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await client?.destroy().catch(() => {})
    await db.dropAll()
  })

  it("fails the step under its own retry policy, then the workflow, instead of replaying it forever", async () => {
    const handle = await DBOS.startWorkflow(sendsThroughClient)()
    // A workflow replayed forever never settles: give it a generous bound, then look at what happened.
    const settled = await Promise.race([
      handle.getResult().then(() => 'succeeded', () => 'failed'),
      sleep(30_000).then(() => 'still running'),
    ])
    expect(settled).toBe('failed')
    expect((await handle.getStatus())?.status).toBe('ERROR')
    // Three attempts of the step's policy, each met the refused connection; no replay ran it again.
    expect(clientStepRuns).toBe(3)
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.length).toBe(1)
    expect(steps?.[0]?.error).toBeTruthy()
  })
})

/** What a DBOS call in a step throws when the system database drops its connection. */
function lostConnection(): Error {
  return markSystemError(Object.assign(new Error('remaining connection slots are reserved'), { code: 'ECONNRESET' })) as Error
}

let partialOutage = true
let partialRuns = 0

const failsAtOnce = DBOS.registerWorkflow(async () => {
  return await DBOS.runStep(async () => {
    partialRuns++
    if (partialOutage) throw lostConnection()
    return 'done'
  }, { name: 'fails-at-once' })
}, { name: 'outageLoopPartial' })

describeEachDatabase('a partial system-database outage: the replay reads, the next statement fails at once', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'outage-loop-partial', systemDatabaseUrl: db.fresh(), runAdminServer: false, logLevel: 'error' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('backs off between consecutive replays of the workflow', async () => {
    partialOutage = true
    partialRuns = 0
    const handle = await DBOS.startWorkflow(failsAtOnce)()
    await sleep(2000)
    const inWindow = partialRuns
    partialOutage = false
    // Backing off from 100 ms, doubling: about five runs in two seconds (fewer on a loaded machine); a tight
    // loop runs thousands.
    expect(inWindow).toBeGreaterThanOrEqual(2)
    expect(inWindow).toBeLessThanOrEqual(12)
    // Once the database answers, the next replay (at most 2 s later) finishes the workflow.
    expect(await handle.getResult()).toBe('done')
    expect((await handle.getStatus())?.status).toBe('SUCCESS')
  })
})
