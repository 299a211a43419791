// Issue #13 item 1: a stream reader served by DBOS.streamRoutes() stops once its client disconnects. 100
// readers of a long-running workflow's stream are opened over real HTTP (the runtime's own server) and dropped;
// the server's query rate, counted at its database port, must be back to its idle baseline within 2 s.
import { Hono } from 'hono'
import { launchedSystem } from '../../core/dbos.ts'
import type { DatabasePort } from '../../core/ports/database.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, createStreamToken, serve } = perdure
const SECRET = 'sse-leak-test-secret-0123456789abcdef'
const READERS = 100
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

let release: () => void = () => {}
/** Writes one value, then holds the stream open until the test releases it. */
const longWriter = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('ticks', 0)
  await DBOS.runStep(() => new Promise<void>((r) => (release = r)), { name: 'hold' })
  await DBOS.closeStream('ticks')
}, { name: 'sseLeakWriter' })

/** Counts the queries the launched process sends, with the time of each (a counting driver). */
function countQueries(db: DatabasePort): { times: number[]; streamReads: number[]; restore(): void } {
  const times: number[] = []
  const streamReads: number[] = []
  const original = db.query
  db.query = function (this: DatabasePort, text: string, params?: readonly unknown[]) {
    const now = performance.now()
    times.push(now)
    if (/\.streams st\b/.test(text)) streamReads.push(now)
    return original.call(this, text, params)
  } as DatabasePort['query']
  return { times, streamReads, restore: () => void (db.query = original) }
}

const inWindow = (times: readonly number[], from: number, to: number) => times.filter((t) => t >= from && t < to).length

describeEachDatabase('stream readers stop when their client leaves', (db) => {
  let base = ''
  let close: () => Promise<void> = async () => {}
  let workflowID = ''
  let token = ''
  beforeAll(async () => {
    DBOS.setConfig({ name: 'sse-leak', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
    const app = new Hono().route('/api', DBOS.streamRoutes({ tokenSecret: SECRET }))
    const server = await serve(app.fetch, { port: 0 })
    base = `http://127.0.0.1:${server.port}`
    close = () => server.close()
    const handle = await DBOS.startWorkflow(longWriter)()
    workflowID = handle.workflowID
    token = await createStreamToken(SECRET, { workflowID, key: 'ticks', expiresInSeconds: 600 })
  })
  afterAll(async () => {
    release()
    await close()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it(`${READERS} dropped readers: the query rate is back to its idle baseline within 2 s`, async () => {
    const counter = countQueries(launchedSystem()!.db)
    try {
      // Idle baseline: the process's own polling (queues, watchdog), with the writer held in its step.
      const idleFrom = performance.now()
      await sleep(2000)
      const idlePerSecond = inWindow(counter.times, idleFrom, idleFrom + 2000) / 2

      // Each reader gets value 0, then polls for value 1, which does not come while the writer is held.
      const controllers = Array.from({ length: READERS }, () => new AbortController())
      const readers = await Promise.all(controllers.map(async (controller) => {
        const res = await fetch(`${base}/api/workflows/${workflowID}/streams/ticks?token=${token}`, { signal: controller.signal })
        expect(res.status).toBe(200)
        const reader = res.body!.getReader()
        const decoder = new TextDecoder()
        let text = ''
        while (!text.includes('id: 0')) {
          const { value, done } = await reader.read()
          if (done) throw new Error(`stream ended early: ${text}`)
          text += decoder.decode(value, { stream: true })
        }
        return reader
      }))
      // With every reader waiting, the rate is far above the idle one: the measurement can see readers.
      const activeFrom = performance.now()
      await sleep(2000)
      const activePerSecond = inWindow(counter.streamReads, activeFrom, activeFrom + 2000) / 2
      expect(activePerSecond).toBeGreaterThan(READERS / 4)

      for (const c of controllers) c.abort()
      await Promise.all(readers.map((r) => r.cancel().catch(() => {})))
      const droppedAt = performance.now()
      await sleep(3000)
      // From 2 s after the drop: no stream reads at all, and the total rate back near the idle one.
      const after = inWindow(counter.streamReads, droppedAt + 2000, droppedAt + 3000)
      const afterPerSecond = inWindow(counter.times, droppedAt + 2000, droppedAt + 3000)
      if (after > 0 || afterPerSecond > idlePerSecond + 5) {
        throw new Error(`readers still polling: ${after} stream reads and ${afterPerSecond} queries/s from 2 s after the drop ` +
          `(idle ${idlePerSecond}/s, with readers ${activePerSecond} stream reads/s)`)
      }
      expect(after).toBe(0)
      console.log(`sse-leak [${db.name}]: idle ${idlePerSecond} queries/s; ${READERS} readers ${activePerSecond} stream reads/s; ` +
        `from 2 s after the drop ${afterPerSecond} queries/s, ${after} stream reads`)
    } finally {
      counter.restore()
    }
    // The stream still serves a new reader after all that.
    const res = await fetch(`${base}/api/workflows/${workflowID}/streams/ticks?token=${token}`)
    expect(res.status).toBe(200)
    release()
    const text = await res.text()
    expect(text).toContain('id: 0')
    expect(text).toContain('event: close')
  })
})
