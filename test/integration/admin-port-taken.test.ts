// Issue #13 item 7: with the admin port taken (a second app on the same machine), DBOS.launch() warns and the
// application runs on, on Node, Bun and Deno alike; every adapter's serve() rejects with an HttpListenError
// rather than throwing.
import { HttpListenError } from '../../core/ports/http.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, serve } = perdure

const doubler = DBOS.registerWorkflow(async (n: number) => {
  return await DBOS.runStep(async () => n * 2, { name: 'double' })
}, { name: 'portTakenDoubler' })

describeEachDatabase('launch with the admin port taken', (db) => {
  let holder: { port: number; close(): Promise<void> } | undefined
  beforeAll(async () => {
    // Another process's server, as far as this app can tell: it answers every request itself.
    holder = await serve(() => new Response('someone else'), { port: 0 })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await holder?.close()
    await db.dropAll()
  })

  it('serve() on a taken port rejects with an HttpListenError (EADDRINUSE)', async () => {
    let outcome: unknown
    let threw = false
    try {
      // Called without await first: a synchronous throw here is the defect (Bun.serve and Deno.serve throw).
      const pending = serve(() => new Response('second'), { port: holder!.port })
      outcome = await pending.then(async (s) => {
        await s.close()
        return 'listened'
      }, (e: unknown) => e)
    } catch (e) {
      threw = true
      outcome = e
    }
    expect(threw).toBe(false)
    expect(outcome).toBeInstanceOf(HttpListenError)
    expect((outcome as HttpListenError).code).toBe('EADDRINUSE')
    expect((outcome as Error).message).toContain(`127.0.0.1:${holder!.port}`)
  })

  it('DBOS.launch() warns, runs workflows, and leaves the other server alone', async () => {
    const warnings: string[] = []
    const warn = console.warn
    console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '))
    try {
      DBOS.setConfig({ name: 'port-taken', systemDatabaseUrl: db.fresh(), runAdminServer: true, adminPort: holder!.port, logLevel: 'warn' })
      await DBOS.launch()
    } finally {
      console.warn = warn
    }
    expect(warnings.some((w) => w.includes(`Admin server not started`) && w.includes(`Cannot listen on 127.0.0.1:${holder!.port}`))).toBe(true)
    expect(await doubler(21)).toBe(42)
    const handle = await DBOS.startWorkflow(doubler)(5)
    expect(await handle.getResult()).toBe(10)
    expect(await (await fetch(`http://127.0.0.1:${holder!.port}/dbos-healthz`)).text()).toBe('someone else')
  })
})
