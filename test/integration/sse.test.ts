// Workflow streams over server-sent events: resume by offset, close, heartbeats, and access control.
import { Hono } from 'hono'
import { parseSse } from '../../adapters/browser/sse-parser.ts'
import { readStreamUrl } from '../../adapters/browser/read-stream-url.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { readUntil, within } from '../support/wait.ts'

const { DBOS, createStreamToken, serve } = perdure
const SECRET = 'test-secret-that-is-long-enough-0123456789'

let release: () => void = () => {}
const producer = DBOS.registerWorkflow(async (n: number, pauseAt: number) => {
  for (let i = 0; i < n; i++) {
    if (i === pauseAt) await DBOS.runStep(() => new Promise<void>((r) => (release = r)), { name: 'pause' })
    await DBOS.writeStream('out', { i, at: new Date(0) })
  }
  await DBOS.closeStream('out')
}, { name: 'sseProducer' })

const app = new Hono().route('/api', DBOS.streamRoutes({ tokenSecret: SECRET, heartbeatMs: 50 }))

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return await app.fetch(new Request(`http://local${path}`, { headers }))
}

async function events(res: Response): Promise<{ id?: string; event: string; data: string }[]> {
  const out = []
  for await (const e of parseSse(res.body!)) out.push(e)
  return out
}

describeEachDatabase('streams over SSE', (db) => {
  let id: string
  let token: string
  beforeAll(async () => {
    DBOS.setConfig({ name: 'sse', systemDatabaseUrl: db.fresh() })
    await DBOS.launch()
    const handle = await DBOS.startWorkflow(producer)(5, -1)
    await handle.getResult()
    id = handle.workflowID
    token = await createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds: 60 })
  })
  afterAll(async () => {
    release()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('sends each value as an event whose id is its offset, then a close event', async () => {
    const res = await get(`/api/workflows/${id}/streams/out?token=${token}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const all = await events(res)
    expect(all.map((e) => [e.id, e.event])).toEqual([['0', 'message'], ['1', 'message'], ['2', 'message'], ['3', 'message'], ['4', 'message'], [undefined, 'close']])
    expect(JSON.parse(all[3]!.data)).toEqual({ i: 3, at: '1970-01-01T00:00:00.000Z' })
  })

  it('resumes after Last-Event-ID, or at ?offset=, with no gap and no duplicate', async () => {
    const afterTwo = await events(await get(`/api/workflows/${id}/streams/out`, { authorization: `Bearer ${token}`, 'last-event-id': '2' }))
    expect(afterTwo.map((e) => e.id)).toEqual(['3', '4', undefined])
    const fromFour = await events(await get(`/api/workflows/${id}/streams/out?offset=4&token=${token}`))
    expect(fromFour.map((e) => e.id)).toEqual(['4', undefined])
  })

  it('refuses requests without a valid token for this very stream', async () => {
    expect((await get(`/api/workflows/${id}/streams/out`)).status).toBe(401)
    const otherKey = await createStreamToken(SECRET, { workflowID: id, key: 'secret', expiresInSeconds: 60 })
    expect((await get(`/api/workflows/${id}/streams/out?token=${otherKey}`)).status).toBe(403)
    const otherWorkflow = await createStreamToken(SECRET, { workflowID: 'someone-else', key: 'out', expiresInSeconds: 60 })
    expect((await get(`/api/workflows/${id}/streams/out?token=${otherWorkflow}`)).status).toBe(403)
    const expired = await createStreamToken(SECRET, { workflowID: id, key: 'out', expiresInSeconds: 60 }, Date.now() - 120_000)
    const res = await get(`/api/workflows/${id}/streams/out?token=${expired}`)
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('expired')
    const [body, sig] = token.split('.')
    const tampered = `${body!.slice(0, -2)}${body!.endsWith('A') ? 'B' : 'A'}${body!.slice(-1)}.${sig}`
    expect((await get(`/api/workflows/${id}/streams/out?token=${tampered}`)).status).toBe(401)
    const forged = await createStreamToken('another-secret-that-is-long-enough-9876543210', { workflowID: id, key: 'out', expiresInSeconds: 60 })
    expect((await get(`/api/workflows/${id}/streams/out?token=${forged}`)).status).toBe(401)
    expect((await get(`/api/workflows/${id}/streams/out?token=garbage`)).status).toBe(401)
  })

  it('answers 400 to a malformed offset and 404 to an unknown workflow', async () => {
    for (const bad of ['-1', 'abc', '1.5', '']) {
      const res = await get(`/api/workflows/${id}/streams/out?offset=${bad}&token=${token}`)
      expect(res.status).toBe(400)
    }
    expect((await get(`/api/workflows/${id}/streams/out`, { authorization: `Bearer ${token}`, 'last-event-id': 'x' })).status).toBe(400)
    const unknown = await createStreamToken(SECRET, { workflowID: 'no-such-workflow', key: 'out', expiresInSeconds: 60 })
    expect((await get(`/api/workflows/no-such-workflow/streams/out?token=${unknown}`)).status).toBe(404)
  })

  it('answers 400 naming the key to a stream key longer than a written key may be', async () => {
    const key = 'k'.repeat(1500)
    const keyToken = await createStreamToken(SECRET, { workflowID: id, key, expiresInSeconds: 60 })
    const res = await get(`/api/workflows/${id}/streams/${key}?token=${keyToken}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toContain('Invalid stream key: must be at most 1024 bytes')
  })

  it('streams live values over HTTP, with heartbeats, to the browser helper', async () => {
    const handle = await DBOS.startWorkflow(producer)(6, 3)
    const live = await createStreamToken(SECRET, { workflowID: handle.workflowID, key: 'out', expiresInSeconds: 60 })
    const server = await serve(app.fetch, { port: 0 })
    try {
      const url = `http://127.0.0.1:${server.port}/api/workflows/${handle.workflowID}/streams/out?token=${live}`
      const raw = await fetch(url)
      const reader = raw.body!.getReader()
      // Values 0–2 arrive, then the producer pauses: only heartbeat comments follow until it resumes. (A
      // heartbeat may also come between values when a write is slow, so wait for one after value 2.)
      const text = await readUntil(reader, (t) => /id: 2\n[\s\S]*: heartbeat/.test(t), 'value 2, then a heartbeat')
      expect(text).not.toContain('id: 3')
      await reader.cancel()
      setTimeout(() => release(), 100)
      const seen: unknown[] = []
      await within(30_000, (async () => {
        for await (const v of readStreamUrl<{ i: number }>(url)) seen.push(v.i)
      })(), 'the browser helper to read the stream to its end')
      expect(seen).toEqual([0, 1, 2, 3, 4, 5])
    } finally {
      await server.close()
    }
  })
})
