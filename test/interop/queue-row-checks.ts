// Queues at run time (DBOS 5.3's API): rows in the `queues` table that one engine registers, reconfigures or
// deletes, and the other reads, dispatches and sees gone.
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { PERDURE_APP } from './apps.ts'
import type { Peers } from './peers.ts'
import { within } from './world.ts'

const { DBOS, DBOSError } = perdure
const RESULT_MS = 15_000
const EPOCH = new Date(0)

/** Everything a queue's getters read from its row, in one object for one comparison. */
async function limitsOf(queue: {
  getGlobalConcurrency(): Promise<number | undefined>
  getWorkerConcurrency(): Promise<number | undefined>
  getRateLimit(): Promise<unknown>
  getMinPollingIntervalMs(): Promise<number | undefined>
}) {
  return {
    concurrency: await queue.getGlobalConcurrency(),
    workerConcurrency: await queue.getWorkerConcurrency(),
    rateLimit: await queue.getRateLimit(),
    minPollingIntervalMs: await queue.getMinPollingIntervalMs(),
  }
}

export function queueRowChecks(peers: () => Peers): void {
  it('a queue the 5.3.0 client registers for Perdure is retrieved and listed by Perdure with its limits, and dispatched', async () => {
    const { official } = peers()
    await official.registerQueue('rt-from-dbos', {
      globalConcurrency: 3, workerConcurrency: 1, rateLimit: { limitPerPeriod: 5, periodSec: 1 }, minPollingIntervalMs: 500,
      applicationName: PERDURE_APP.name,
    })
    const seen = await DBOS.retrieveQueue('rt-from-dbos')
    expect(seen?.applicationName).toBe(PERDURE_APP.name)
    expect(await limitsOf(seen!)).toEqual({
      concurrency: 3, workerConcurrency: 1, rateLimit: { limitPerPeriod: 5, periodSec: 1 }, minPollingIntervalMs: 500,
    })
    expect((await DBOS.listQueues()).map((queue) => queue.name)).toContain('rt-from-dbos')
    // Perdure's executor serves the new row: work the 5.3.0 client puts on it runs here.
    const handle = await official.enqueue({ workflowName: 'takesDate', queueName: 'rt-from-dbos' }, 9, EPOCH)
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toEqual({ n: 9, when: EPOCH, isDate: true, later: new Date(1000) })
  })

  it("Perdure's registerQueue and setters change the row the 5.3.0 client reads; its setters change what Perdure reads", async () => {
    const { official, client } = peers()
    const mine = await DBOS.registerQueue('rt-from-perdure', { workerConcurrency: 2 })
    const theirs = await official.retrieveQueue('rt-from-perdure')
    expect(theirs?.applicationName).toBe(PERDURE_APP.name)
    expect(await theirs!.getWorkerConcurrency()).toBe(2)
    expect(await theirs!.getGlobalConcurrency()).toBeUndefined()

    await mine.setGlobalConcurrency(5)
    await mine.setRateLimit({ limitPerPeriod: 7, periodSec: 3 })
    await mine.setMinPollingIntervalMs(250)
    // A queue from Perdure's DBOSClient writes through that client's connection.
    await (await client.retrieveQueue('rt-from-perdure'))!.setWorkerConcurrency(1)
    expect(await limitsOf(theirs!)).toEqual({
      concurrency: 5, workerConcurrency: 1, rateLimit: { limitPerPeriod: 7, periodSec: 3 }, minPollingIntervalMs: 250,
    })
    expect((await official.listQueues(PERDURE_APP.name)).find((queue) => queue.name === 'rt-from-perdure'))
      .toMatchObject({ concurrency: 5, workerConcurrency: 1, rateLimit: { limitPerPeriod: 7, periodSec: 3 } })

    await theirs!.setConcurrency(6)
    await theirs!.setRateLimit(undefined)
    expect(await limitsOf(mine)).toEqual({ concurrency: 6, workerConcurrency: 1, rateLimit: undefined, minPollingIntervalMs: 250 })
  })

  it('a queue deleted on one side is gone on the other', async () => {
    const { official } = peers()
    const mine = await DBOS.retrieveQueue('rt-from-perdure')
    await official.deleteQueue('rt-from-perdure')
    expect(await DBOS.retrieveQueue('rt-from-perdure')).toBeNull()
    expect((await DBOS.listQueues()).map((queue) => queue.name)).not.toContain('rt-from-perdure')
    await expect(mine!.getWorkerConcurrency()).rejects.toThrow(DBOSError)

    await DBOS.deleteQueue('rt-from-dbos')
    expect(await official.retrieveQueue('rt-from-dbos')).toBeNull()
    expect((await official.listQueues(PERDURE_APP.name)).map((queue) => queue.name)).not.toContain('rt-from-dbos')
  })
}
