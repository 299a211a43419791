// Issue #13 must-show 2: a bounded fuzz of the admin API and the stream routes over real HTTP, with a fixed seed.
// At least 2,000 malformed requests (bad JSON, wrong types, huge numbers, NUL bytes, odd methods, content types
// and headers, truncated bodies, path junk): no 5xx, no error logged, the server still answering; afterwards
// the process's database connections and memory are back near their baseline.
import { connect } from 'node:net'
import { Hono } from 'hono'
import postgres from 'postgres'
import { adminDeps, createAdminApp } from '../../core/admin/app.ts'
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, createStreamToken, serve } = perdure
const SEED = 0x5eed13
const REQUESTS = 2400
const CONCURRENCY = 12
const SECRET = 'http-fuzz-secret-0123456789abcdefghij'
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** mulberry32: a tiny seeded PRNG, so a failure replays exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let release: () => void = () => {}
const streamer = DBOS.registerWorkflow(async (hold: boolean) => {
  await DBOS.writeStream('s', { n: 1 })
  if (hold) await DBOS.runStep(() => new Promise<void>((r) => (release = r)), { name: 'hold' })
  await DBOS.closeStream('s')
}, { name: 'fuzzStreamer' })

interface Fuzzed {
  raw?: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string
  target: 'admin' | 'streams'
}

function generator(rand: () => number, ids: { done: string; held: string }, token: string) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!
  const numbers = [0, -1, 1.5, 1e20, -1e20, 2147483648, 9007199254740993, 1e308, '1', 'NaN', null, true, [], {}, '']
  const strings = ['', 'x', '\u0000', 'a\u0000b', '%00', '../../etc', 'é漢😀', 'x'.repeat(3000), '\ud800', ' ', '{}', ids.done]
  const value = (): unknown => (rand() < 0.5 ? pick(numbers) : pick(strings))
  const fields = ['start_step', 'new_workflow_id', 'application_version', 'timeout_ms', 'workflow_uuids', 'workflow_name', 'limit',
    'offset', 'status', 'start_time', 'end_time', 'sort_desc', 'load_input', 'queue_name', 'cutoff_epoch_timestamp_ms', 'rows_threshold',
    'parent_workflow_id', 'workflow_id_prefix', '__proto__', 'constructor']
  // encodeURIComponent refuses a lone surrogate: send its (invalid) UTF-8 bytes instead.
  const encode = (t: string) => t.split('\ud800').map(encodeURIComponent).join('%ED%A0%80')
  const idJunk = () => encode(pick([ids.done, ids.held, 'nope', ...strings])).slice(0, 4000) +
    pick(['', '%00', '%zz', '%', '/', '//x', '?a=%00', '/..', '/.'])
  const adminPaths = () => pick([
    '/workflows', '/queues', '/dbos-workflow-recovery', '/dbos-garbage-collect', '/dbos-global-timeout', '/dbos-healthz',
    '/dbos-perf', '/deactivate', '/conductor', '/dbos-workflow-queues-metadata', '/', '/workflows/', '//workflows',
    `/workflows/${idJunk()}`, `/workflows/${idJunk()}/steps`, `/workflows/${idJunk()}/cancel`, `/workflows/${idJunk()}/resume`,
    `/workflows/${idJunk()}/restart`, `/workflows/${idJunk()}/fork`, `/workflows/${idJunk()}/x/y`, '/%ff%fe', '/a'.repeat(500),
  ])
  const body = (): string | undefined => {
    const r = rand()
    if (r < 0.1) return undefined
    if (r < 0.2) return pick(['{', '{"limit":', '[1,', 'nul', '"', '{"a":1}}', '\u0000', '\xff\xfe', '{"start_step":1e999}', ' '])
    if (r < 0.3) return JSON.stringify(pick([[], [value(), value()], value(), 'text', 42, null]))
    if (r < 0.33) return JSON.stringify({ workflow_name: 'y'.repeat(1024 * 1024 + 10) })
    const object: Record<string, unknown> = {}
    for (let i = 0, n = 1 + Math.floor(rand() * 4); i < n; i++) object[pick(fields)] = value()
    if (rand() < 0.3) object.start_step = pick([0, 1, 2147483647, 2147483648])
    return JSON.stringify(object)
  }
  const contentType = () => pick(['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'garbage', '', 'APPLICATION/JSON'])
  const oddHeaders = (): Record<string, string> => {
    const h: Record<string, string> = {}
    if (rand() < 0.2) h.origin = pick(['http://evil.example', 'null', 'http://127.0.0.1:1', 'x'])
    if (rand() < 0.2) h['sec-fetch-site'] = pick(['cross-site', 'same-site', 'same-origin', 'none', 'bogus'])
    if (rand() < 0.2) h.authorization = pick(['Bearer', 'Bearer x', `Bearer ${token}`, 'Basic a', `Bearer ${'a.'.repeat(500)}`, 'Bearer a.b.c'])
    if (rand() < 0.2) h['last-event-id'] = pick(['-1', '1e3', '99999999999', 'abc', '', '0', '3'])
    return h
  }
  const streamPath = () => {
    const query = pick(['', `?token=${token}`, '?token=', '?token=a.b', `?offset=${pick(['-1', '1.5', 'x', '999999999', '0', '1', ''])}&token=${token}`,
      '?offset=0', '?token=%00'])
    return `/workflows/${pick([ids.done, ids.held, 'nope', idJunk()])}/streams/${pick(['s', 'other', '%00', 'é', ''])}${query}`
  }
  return (): Fuzzed => {
    const target = rand() < 0.7 ? 'admin' : 'streams'
    const path = target === 'admin' ? adminPaths() : streamPath()
    if (rand() < 0.12) {
      // Raw: what fetch will not send (truncated bodies, odd methods, foreign or missing Host, junk request lines).
      const text = body() ?? ''
      const cut = text.slice(0, Math.floor(rand() * text.length))
      const host = pick(['127.0.0.1', 'localhost:1', 'evil.example', '[::1]', '', 'a\u0000b'])
      const raw = pick([
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${text.length + 50}\r\n\r\n${cut}`,
        `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"li`,
        `${pick(['FOO', 'TRACE', 'GET', 'PROPFIND'])} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        `GET ${path} HTTP/1.0\r\n\r\n`,
        `GARBAGE\r\n\r\n`,
      ])
      return { raw, method: 'RAW', path, headers: {}, target }
    }
    const method = target === 'streams' ? pick(['GET', 'GET', 'GET', 'POST', 'OPTIONS', 'HEAD']) : pick(['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
    const headers = oddHeaders()
    const b = method === 'GET' || method === 'HEAD' ? undefined : body()
    const type = contentType()
    if (b !== undefined && type !== '') headers['content-type'] = type
    return { method, path, headers, ...(b !== undefined ? { body: b } : {}), target }
  }
}

/** Sends a raw request; resolves with the status code (0 when the server just closed), within a deadline. */
function sendRaw(port: number, text: string): Promise<number> {
  return new Promise((resolve) => {
    let answer = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    const done = () => {
      socket.destroy()
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0))
    }
    // A truncated body is answered only when the connection goes: give it a moment, then hang up ourselves.
    const timer = setTimeout(done, 300)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      if (/^HTTP\/1\.[01] \d{3}/.test(answer)) {
        clearTimeout(timer)
        done()
      }
    })
    socket.on('close', () => {
      clearTimeout(timer)
      done()
    })
    socket.on('error', () => {})
  })
}

describeEachDatabase('HTTP fuzz of the admin API and stream routes', (db) => {
  const servers: { close(): Promise<void> }[] = []
  let url = ''
  beforeAll(async () => {
    url = db.fresh()
    DBOS.setConfig({ name: 'http-fuzz', systemDatabaseUrl: url, logLevel: 'warn' })
    await DBOS.launch()
  })
  afterAll(async () => {
    release()
    await Promise.all(servers.map((s) => s.close()))
    await DBOS.shutdown()
    await db.dropAll()
  })

  it(`${REQUESTS} malformed requests (seed ${SEED}): no 5xx, no error logged, connections and memory back near baseline`, async () => {
    const system = launchedSystem()!
    const admin = createAdminApp(adminDeps(system.engine, system.dispatcher))
    const streams = new Hono().route('/', DBOS.streamRoutes({ tokenSecret: SECRET, authorize: (req) => req.url.length % 2 === 0 }))
    const adminServer = await serve(admin.fetch, { port: 0 })
    const streamServer = await serve(streams.fetch, { port: 0 })
    servers.push(adminServer, streamServer)
    const done = await DBOS.startWorkflow(streamer)(false)
    await done.getResult()
    const held = await DBOS.startWorkflow(streamer)(true)
    const token = await createStreamToken(SECRET, { workflowID: held.workflowID, key: 's', expiresInSeconds: 600 })
    const next = generator(prng(SEED), { done: done.workflowID, held: held.workflowID }, token)

    // Baselines: the database sessions of this database (Postgres), and the heap.
    const observer = db.name === 'postgres' ? postgres(url, { max: 1, onnotice: () => {} }) : undefined
    const sessions = async () => {
      if (!observer) return { total: 0, busy: 0 }
      const [row] = await observer<{ total: number; busy: number }[]>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE state <> 'idle')::int AS busy
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`
      return row!
    }
    await (await fetch(`http://127.0.0.1:${adminServer.port}/workflows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).text()
    const sessionsBefore = await sessions()
    const heapBefore = process.memoryUsage().heapUsed

    const logger = system.engine.settings.logger
    const errors: string[] = []
    const originalError = logger.error
    logger.error = (m: unknown) => void errors.push(String(m).slice(0, 500))
    const failures: string[] = []
    const statuses = new Map<number, number>()
    let clientRefused = 0
    const started = performance.now()
    try {
      let sent = 0
      const worker = async () => {
        while (sent < REQUESTS) {
          const request = next()
          sent++
          const port = request.target === 'admin' ? adminServer.port : streamServer.port
          let status: number
          if (request.raw !== undefined) {
            status = await sendRaw(port, request.raw)
          } else {
            const controller = new AbortController()
            const timer = setTimeout(() => controller.abort(), 5000)
            try {
              const init: RequestInit = { method: request.method, headers: request.headers, signal: controller.signal }
              if (request.body !== undefined) init.body = request.body
              const res = await fetch(`http://127.0.0.1:${port}${request.path}`, init)
              status = res.status
              // An event stream stays open: drop it (as a closed browser tab does).
              if (res.headers.get('content-type')?.includes('text/event-stream')) {
                await res.body!.cancel()
              } else {
                await res.arrayBuffer()
              }
            } catch (e) {
              // fetch itself refuses some inputs (bad header values, a body on HEAD): nothing reached the server.
              if (controller.signal.aborted) failures.push(`no answer in 5 s: ${request.method} ${request.path.slice(0, 200)}`)
              clientRefused++
              continue
            } finally {
              clearTimeout(timer)
            }
          }
          statuses.set(status, (statuses.get(status) ?? 0) + 1)
          if (status >= 500) {
            failures.push(`${status} for ${request.raw !== undefined ? JSON.stringify(request.raw.slice(0, 300)) : `${request.method} ${request.path.slice(0, 200)} ${JSON.stringify(request.headers)} ${JSON.stringify(request.body?.slice(0, 200))}`}`)
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    } finally {
      logger.error = originalError
    }
    const elapsed = performance.now() - started
    const summary = `${REQUESTS} requests in ${Math.round(elapsed)} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
      `${clientRefused} refused by fetch itself`
    if (failures.length > 0) throw new Error(`${failures.length} failures (${summary}):\n${failures.slice(0, 20).join('\n')}`)
    expect(errors).toEqual([])
    expect(elapsed).toBeLessThan(60_000)
    // Most requests reached the server, and both routers were exercised.
    expect(REQUESTS - clientRefused).toBeGreaterThan(2000)
    expect((statuses.get(400) ?? 0) + (statuses.get(403) ?? 0) + (statuses.get(415) ?? 0)).toBeGreaterThan(500)
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0)

    // Still serving, and every reader the fuzz opened has stopped: sessions back to baseline, none busy.
    expect((await fetch(`http://127.0.0.1:${adminServer.port}/dbos-healthz`)).status).toBe(200)
    let after = await sessions()
    for (let i = 0; i < 50 && (after.busy > 0 || after.total > Math.max(sessionsBefore.total, 12)); i++) {
      await sleep(200)
      after = await sessions()
    }
    await observer?.end({ timeout: 5 })
    expect(after.busy).toBe(0)
    expect(after.total).toBeLessThanOrEqual(Math.max(sessionsBefore.total, 12))
    // The heap: a leak of per-request state (2,400 readers, bodies) would be far above this margin.
    ;(globalThis as { gc?: () => void }).gc?.()
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore
    expect(heapGrowth).toBeLessThan(96 * 1024 * 1024)
    console.log(`http-fuzz [${db.name}]: ${summary}; sessions ${sessionsBefore.total} -> ${after.total}; heap ${heapGrowth >= 0 ? '+' : ''}${Math.round(heapGrowth / 1048576)} MB`)
  })
})
