// A DBOSClient on this runtime (Node, Bun or Deno) drives a worker running on Node.
import { type ChildProcess, spawn } from 'node:child_process'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOSClient } = perdure
const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } }
const here = g.Bun ? 'bun' : g.Deno ? 'deno' : 'node'

describeOn('postgres', `DBOSClient on ${here} with a Node worker`, (db) => {
  let worker: ChildProcess | undefined
  let url: string
  beforeAll(async () => {
    url = db.fresh()
    // The worker always runs on Node, whatever runs this test.
    worker = spawn('node', ['--import', 'tsx', 'test/fixtures/client-worker.ts', url], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker not ready in 30 s:\n${output}`)), 30_000)
      worker!.stdout!.on('data', (d) => {
        output += d
        if (output.includes('READY')) {
          clearTimeout(timer)
          resolve()
        }
      })
      worker!.stderr!.on('data', (d) => (output += d))
      worker!.on('exit', (code) => reject(new Error(`worker exited ${code}:\n${output}`)))
    })
  })
  afterAll(async () => {
    worker?.stdin?.end()
    await new Promise((r) => {
      const t = setTimeout(() => (worker?.kill('SIGKILL'), r(undefined)), 10_000)
      worker?.on('exit', () => (clearTimeout(t), r(undefined)))
    })
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
