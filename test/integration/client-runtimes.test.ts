// A DBOSClient on this runtime (Node, Bun or Deno) drives a worker running on Node.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOSClient } = perdure
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } }
const here = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node'

describeOn('postgres', `DBOSClient on ${here} with a Node worker`, (db) => {
  let worker: Child | undefined
  let url: string
  beforeAll(async () => {
    url = db.fresh()
    // The worker always runs on Node, whatever runs this test.
    const args = ['--import', 'tsx', 'test/fixtures/client-worker.ts', url]
    worker = new Child('client-worker', ['node', args])
    await worker.line('READY')
  })
  afterAll(async () => {
    // Its exit code is not what this file tests; only that it is gone.
    await worker?.askToExit('stdin', 10_000)
    await db.dropAll()
  })

  it('enqueues, reads an event, sends a message and gets the result', async () => {
    const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: 'cross-runtime' })
    try {
      const handle = await client.enqueue({ workflowName: 'describeRuntime', queueName: 'cross-runtime' }, here, 21)
      expect(await client.getEvent(handle.workflowID, 'seen', 20)).toBe(here)
      await client.send(handle.workflowID, `hello from ${here}`, 'note')
      const result = await handle.getResult()
      expect(result).toMatchObject({ caller: here, doubled: 42, note: `hello from ${here}` })
      expect((result as { worker: string }).worker).toMatch(/^node v/)
    } finally {
      await client.destroy()
    }
  })
})
