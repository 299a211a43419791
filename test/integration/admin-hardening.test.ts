// Issue #13 items 2 and 3: a client's mistake gets a 4xx naming what is wrong, never a 500; a web page cannot
// drive the admin API (Host, Origin, Sec-Fetch-Site, Content-Type); CORS names its origins; a request cut off
// mid-body is logged at debug. Served over real HTTP by the runtime's own server.
import { connect } from 'node:net'
import type { Hono } from 'hono'
import { adminDeps, type AdminOptions, createAdminApp } from '../../core/admin/app.ts'
import { launchedSystem } from '../../core/dbos.ts'
import type { Engine } from '../../core/engine/engine.ts'
import { DBOSInitializationError } from '../../core/errors.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, serve } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const TOKEN = 'hardening-token-0123456789'

const gates = new Map<string, () => void>()
const held = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.runStep(() => new Promise<void>((r) => gates.set(key, r)), { name: 'wait' })
  return key
}, { name: 'hardeningHeld' })
const adder = DBOS.registerWorkflow(async (a: number, b: number) => {
  return await DBOS.runStep(async () => a + b, { name: 'add' })
}, { name: 'hardeningAdder' })

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await sleep(10)
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

/** Sends `text` as it is over a fresh connection and returns what comes back until the server closes it. */
function raw(port: number, text: string, options: { hangUpAfterSend?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text)
      if (options.hangUpAfterSend) {
        socket.destroy()
        resolve('')
      }
    })
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      answer += chunk
      // One response is all we ask for; keep-alive would otherwise hold the socket open.
      if (/\r\n\r\n/.test(answer)) {
        const length = /content-length: *(\d+)/i.exec(answer)?.[1]
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4)
        if (length === undefined || body.length >= Number(length)) socket.destroy()
      }
    })
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}
const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)

describeEachDatabase('admin API hardening', (db) => {
  const servers: { close(): Promise<void> }[] = []
  let engine: Engine
  let deactivations = 0
  const tag = (name: string) => `${name}-${db.name}`

  /** Serves an admin app over HTTP on a free port; returns a fetch bound to it. */
  async function start(options: AdminOptions = {}): Promise<{ port: number; app: Hono; req(path: string, init?: RequestInit): Promise<Response> }> {
    const system = launchedSystem()!
    const app = createAdminApp(adminDeps(system.engine, system.dispatcher, { deactivate: () => void deactivations++ }), options)
    const server = await serve(app.fetch, { port: 0 })
    servers.push(server)
    return { port: server.port, app, req: (path, init) => fetch(`http://127.0.0.1:${server.port}${path}`, init) }
  }
  const json = (body: unknown, headers: Record<string, string> = {}): RequestInit =>
    ({ method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  const status = async (id: string) => (await DBOS.getWorkflowStatus(id))?.status

  beforeAll(async () => {
    DBOS.setConfig({ name: 'admin-hardening', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
    await adder(1, 1)
    engine = launchedSystem()!.engine
  })
  afterAll(async () => {
    for (const open of gates.values()) open()
    await Promise.all(servers.map((s) => s.close()))
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('unknown workflows are 404, a fork onto an existing ID 409, with the reason', async () => {
    const { req } = await start()
    const done = tag('done')
    await (await DBOS.startWorkflow(adder, { workflowID: done })(2, 3)).getResult()
    for (const op of ['resume', 'restart']) {
      const res = await req(`/workflows/no-such-${op}/${op}`, json({}))
      expect([op, res.status]).toEqual([op, 404])
      expect(((await res.json()) as { error: string }).error).toContain('does not exist')
    }
    const fork404 = await req('/workflows/no-such-fork/fork', json({ start_step: 0 }))
    expect(fork404.status).toBe(404)
    const taken = await req(`/workflows/${done}/fork`, json({ start_step: 0, new_workflow_id: done }))
    expect(taken.status).toBe(409)
    expect(((await taken.json()) as { error: string }).error).toBe(`Error forking workflow ${done}: a workflow with that ID already exists`)
    expect((await req(`/workflows/${done}/steps`)).status).toBe(200)
  })

  it('NUL bytes, out-of-range numbers and over-long IDs are 400 naming the field', async () => {
    const { req } = await start()
    const done = tag('bounds')
    await (await DBOS.startWorkflow(adder, { workflowID: done })(2, 3)).getResult()
    const long = 'x'.repeat(3000)
    const cases: [path: string, body: unknown, field: string][] = [
      ['/workflows', { limit: 1e20 }, 'limit'],
      ['/workflows', { offset: 1e20 }, 'offset'],
      ['/workflows', { workflow_name: 'a\u0000b' }, 'workflow_name'],
      ['/workflows', { workflow_uuids: ['ok', 'a\u0000'] }, 'workflow_uuids.1'],
      ['/workflows', { workflow_id_prefix: '\u0000' }, 'workflow_id_prefix'],
      ['/queues', { limit: 1e20 }, 'limit'],
      ['/queues', { queue_name: 'q\u0000' }, 'queue_name'],
      [`/workflows/${done}/fork`, { start_step: 2147483648 }, 'start_step'],
      [`/workflows/${done}/fork`, { start_step: 0, timeout_ms: 1e20 }, 'timeout_ms'],
      [`/workflows/${done}/fork`, { start_step: 0, new_workflow_id: 'n\u0000' }, 'new_workflow_id'],
      [`/workflows/${done}/fork`, { start_step: 0, new_workflow_id: long }, 'new_workflow_id'],
      [`/workflows/${done}/fork`, { start_step: 0, application_version: 'v\u0000' }, 'application_version'],
      ['/dbos-workflow-recovery', ['exec\u0000'], '0'],
      ['/dbos-garbage-collect', { cutoff_epoch_timestamp_ms: 1e20 }, 'cutoff_epoch_timestamp_ms'],
      ['/dbos-garbage-collect', { rows_threshold: 1e20 }, 'rows_threshold'],
      ['/dbos-global-timeout', { cutoff_epoch_timestamp_ms: 1e20 }, 'cutoff_epoch_timestamp_ms'],
    ]
    for (const [path, body, field] of cases) {
      const res = await req(path, json(body))
      const error = ((await res.json()) as { error: string }).error
      expect([path, field, res.status]).toEqual([path, field, 400])
      expect(error).toContain(`${field}: `)
    }
    // NUL in the path's workflow ID, on every route that takes one.
    for (const [method, path] of [['GET', '/workflows/a%00b'], ['GET', '/workflows/a%00b/steps'], ['POST', '/workflows/a%00b/cancel'],
      ['POST', '/workflows/a%00b/resume'], ['POST', '/workflows/a%00b/restart'], ['POST', '/workflows/a%00b/fork']] as const) {
      const res = await req(path, method === 'GET' ? {} : json({ start_step: 0 }))
      expect([method, path, res.status]).toEqual([method, path, 400])
      expect(((await res.json()) as { error: string }).error).toContain('id: must not contain a NUL character')
    }
    // A path ID is only looked up (checkLookupID): any length is reachable, and an unknown one is 404.
    expect((await req(`/workflows/${'y'.repeat(3000)}`)).status).toBe(404)
  })

  it('a fork whose new ID is too long for its children\'s writes is 400 naming the field, and writes nothing', async () => {
    const { req } = await start()
    const done = tag('fork-long')
    await (await DBOS.startWorkflow(adder, { workflowID: done })(2, 3)).getResult()
    const before = (await DBOS.listWorkflows({})).length
    const newID = 'n'.repeat(1500)
    const res = await req(`/workflows/${done}/fork`, json({ start_step: 0, new_workflow_id: newID }))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toContain('new_workflow_id: must be at most 1024 bytes')
    expect(await DBOS.getWorkflowStatus(newID)).toBeNull()
    expect((await DBOS.listWorkflows({})).length).toBe(before)
    // A version too long for its index: the same rule as DBOS.forkWorkflow's.
    const version = await req(`/workflows/${done}/fork`, json({ start_step: 0, application_version: 'v'.repeat(300) }))
    expect(version.status).toBe(400)
    expect(((await version.json()) as { error: string }).error).toContain('application_version: must be at most 256 bytes')
    expect((await DBOS.listWorkflows({})).length).toBe(before)
  })

  it('an adminHost that is no host name is refused by setConfig, naming the field', () => {
    for (const adminHost of ['fe80::1%lo0', '', 'a b', 'http://x']) {
      let error: unknown
      try {
        DBOS.setConfig({ name: 'x', adminHost })
      } catch (e) {
        error = e
      }
      expect([adminHost, error instanceof DBOSInitializationError]).toEqual([adminHost, true])
      expect((error as Error).message).toContain('adminHost: ')
    }
  })

  it('a state-changing request without JSON (or a custom header) is refused, and changes nothing', async () => {
    const { req } = await start()
    const id = tag('plain')
    const handle = await DBOS.startWorkflow(held, { workflowID: id })(id)
    await until(() => gates.has(id), 'the workflow to block')
    // What a page can send cross-site without a preflight: text/plain, a form, or nothing at all.
    for (const headers of [{ 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'multipart/form-data; boundary=x' }, {}] as Record<string, string>[]) {
      const res = await req(`/workflows/${id}/cancel`, { method: 'POST', headers, body: '{}' })
      expect([headers, res.status]).toEqual([headers, 415])
      const fork = await req(`/workflows/${id}/fork`, { method: 'POST', headers, body: '{"start_step":0,"new_workflow_id":"csrf"}' })
      expect(fork.status).toBe(415)
    }
    expect(await status(id)).toBe('PENDING')
    expect(await DBOS.getWorkflowStatus('csrf')).toBeNull()
    // JSON, with parameters, passes; so does a request carrying an Authorization header.
    expect((await req(`/workflows/${id}/cancel`, { method: 'POST', headers: { 'content-type': 'Application/JSON; charset=utf-8' } })).status).toBe(204)
    expect(await status(id)).toBe('CANCELLED')
    gates.get(id)!()
    gates.delete(id)
    expect((await req(`/workflows/${id}/resume`, { method: 'POST', headers: { authorization: 'Bearer anything' } })).status).toBe(204)
    await until(() => gates.has(id), 'the resumed workflow to block')
    gates.get(id)!()
    gates.delete(id)
    expect(await handle.getResult()).toBe(id)
  })

  it('refuses a foreign Host (DNS rebinding) unless configured or a token is set; health checks pass', async () => {
    const plain = await start()
    const configured = await start({ hosts: ['admin.internal', '10.1.2.3', '::2'] })
    const guarded = await start({ token: TOKEN })
    const get = (port: number, host: string, path = '/workflows/x', extra = '') =>
      raw(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`)
    for (const host of ['127.0.0.1', '127.0.0.1:3001', 'localhost', 'LOCALHOST:80', '[::1]', '[::1]:3001', 'localhost.']) {
      expect([host, statusOf(await get(plain.port, host))]).toEqual([host, 404])
    }
    for (const host of ['evil.example', 'evil.example:3001', '127.0.0.1.evil.example', 'localhost.evil.example', '127.0.0.2',
      '0.0.0.0', 'admin.internal', '', 'a b', '127.0.0.1:notaport', '[::1']) {
      const answer = await get(plain.port, host)
      // A malformed Host may be refused by the runtime's HTTP server itself (400) before the app sees it.
      const malformed = ['', 'a b', '[::1', '127.0.0.1:notaport'].includes(host)
      expect([host, statusOf(answer)]).toEqual([host, malformed ? statusOf(answer) : 403])
      expect(statusOf(answer)).toBeGreaterThanOrEqual(400)
      expect(statusOf(answer)).toBeLessThan(500)
    }
    expect(statusOf(await get(plain.port, 'evil.example', '/dbos-healthz'))).toBe(200)
    expect(statusOf(await get(plain.port, 'evil.example', '/deactivate'))).toBe(403)
    for (const host of ['admin.internal', 'ADMIN.internal:9000', '10.1.2.3:3001', '[::2]:3001', 'localhost']) {
      expect([host, statusOf(await get(configured.port, host))]).toEqual([host, 404])
    }
    expect(statusOf(await get(configured.port, 'other.internal'))).toBe(403)
    // With a token, the token is the guard: any Host, as before.
    expect(statusOf(await get(guarded.port, 'evil.example'))).toBe(401)
    expect(statusOf(await get(guarded.port, 'evil.example', '/workflows/x', `Authorization: Bearer ${TOKEN}\r\n`))).toBe(404)
  })

  it('checks Origin and Sec-Fetch-Site; CORS names its listed origins only', async () => {
    const before = deactivations
    const plain = await start()
    const page = 'http://127.0.0.1:5173'
    const withCors = await start({ cors: [page] })
    const id = tag('origin')
    await DBOS.startWorkflow(held, { workflowID: id })(id)
    await until(() => gates.has(id), 'the workflow to block')
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'null' }, { origin: page },
      { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const cancel = await plain.req(`/workflows/${id}/cancel`, json({}, headers))
      expect([headers, cancel.status]).toEqual([headers, 403])
      expect((await plain.req('/deactivate', { headers })).status).toBe(403)
      expect((await plain.req('/workflows/x', { headers })).status).toBe(403)
    }
    expect(deactivations).toBe(before)
    expect(await status(id)).toBe('PENDING')
    // Same origin, or a browser's own navigation, passes.
    const self = `http://127.0.0.1:${plain.port}`
    expect((await plain.req('/workflows/x', { headers: { origin: self, 'sec-fetch-site': 'same-origin' } })).status).toBe(404)
    expect((await plain.req('/workflows/x', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(404)

    // A listed origin gets itself back (never '*'), and its preflight; any other gets neither.
    const preflight = await withCors.req(`/workflows/${id}/cancel`, {
      method: 'OPTIONS', headers: { origin: page, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(page)
    expect(preflight.headers.get('vary')).toContain('Origin')
    const listed = await withCors.req('/workflows/x', { headers: { origin: page, 'sec-fetch-site': 'same-site' } })
    expect(listed.status).toBe(404)
    expect(listed.headers.get('access-control-allow-origin')).toBe(page)
    const other = await withCors.req('/workflows/x', { headers: { origin: 'http://127.0.0.1:5174' } })
    expect(other.status).toBe(403)
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
    const otherPreflight = await withCors.req('/workflows', { method: 'OPTIONS', headers: { origin: 'http://evil.example' } })
    expect(otherPreflight.status).toBe(403)
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull()
    expect((await withCors.req(`/workflows/${id}/cancel`, json({}, { origin: page, 'sec-fetch-site': 'same-site' }))).status).toBe(204)
    expect(await status(id)).toBe('CANCELLED')
    expect(() => createAdminApp(adminDeps(engine, launchedSystem()!.dispatcher), { cors: ['*'] })).toThrow(TypeError)
    expect(() => createAdminApp(adminDeps(engine, launchedSystem()!.dispatcher), { cors: ['http://a.test/path'] })).toThrow(TypeError)
  })

  it('DBOSConfig adminCors and adminAllowedHosts reach the launched admin server; adminCors: true is refused', async () => {
    for (const bad of [{ adminCors: true }, { adminCors: ['*'] }, { adminCors: ['http://a.test/path'] }, { adminAllowedHosts: ['a b'] }]) {
      expect(() => DBOS.setConfig({ name: 'x', ...bad } as never)).toThrow(DBOSInitializationError)
    }
    // A free port for the launched admin server: take one, then let it go.
    const probe = await serve(() => new Response(''), { port: 0 })
    const port = probe.port
    await probe.close()
    await DBOS.shutdown()
    DBOS.setConfig({
      name: 'admin-hardening', systemDatabaseUrl: db.fresh(), logLevel: 'warn', runAdminServer: true, adminPort: port,
      adminCors: ['http://page.test:8080'], adminAllowedHosts: ['admin.internal'],
    })
    await DBOS.launch()
    engine = launchedSystem()!.engine
    const get = (host: string, extra = '') => raw(port, `GET /workflows/x HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n${extra}\r\n`)
    expect(statusOf(await get('admin.internal:1234'))).toBe(404)
    expect(statusOf(await get('127.0.0.1'))).toBe(404)
    expect(statusOf(await get('evil.example'))).toBe(403)
    const listed = await get('127.0.0.1', 'Origin: http://page.test:8080\r\n')
    expect(statusOf(listed)).toBe(404)
    expect(listed).toMatch(/access-control-allow-origin: http:\/\/page\.test:8080/i)
    expect(statusOf(await get('127.0.0.1', 'Origin: http://page.test:8081\r\n'))).toBe(403)
  })

  it('beyond loopback without an adminToken the admin server stays off, with a warning; with a token it serves', async () => {
    const probe = await serve(() => new Response(''), { port: 0 })
    const port = probe.port
    await probe.close()
    const launchOn = async (extra: { adminToken?: string }) => {
      const warnings: string[] = []
      const warn = console.warn
      console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '))
      try {
        await DBOS.shutdown()
        DBOS.setConfig({
          name: 'admin-hardening', systemDatabaseUrl: db.fresh(), logLevel: 'warn', runAdminServer: true, adminPort: port,
          adminHost: '0.0.0.0', ...extra,
        })
        await DBOS.launch()
      } finally {
        console.warn = warn
      }
      engine = launchedSystem()!.engine
      return warnings
    }
    // 0.0.0.0 also listens on 127.0.0.1, the only address this test connects to.
    const open = await launchOn({})
    expect(open.some((w) => w.includes('Admin server not started') && w.includes('0.0.0.0') && w.includes('adminToken'))).toBe(true)
    await expect(fetch(`http://127.0.0.1:${port}/dbos-healthz`)).rejects.toThrow()
    // The application itself runs on.
    expect(await (await DBOS.startWorkflow(adder)(2, 2)).getResult()).toBe(4)

    const guarded = await launchOn({ adminToken: TOKEN })
    expect(guarded.filter((w) => w.includes('Admin server not started'))).toEqual([])
    expect((await fetch(`http://127.0.0.1:${port}/dbos-healthz`)).status).toBe(200)
    expect((await fetch(`http://127.0.0.1:${port}/workflows/x`)).status).toBe(401)
    expect((await fetch(`http://127.0.0.1:${port}/workflows/x`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404)
  })

  it('a request cut off mid-body is logged at debug, not as an error', async () => {
    const { port } = await start()
    const logger = engine.settings.logger
    const logged: [level: string, text: string][] = []
    const original = { error: logger.error, debug: logger.debug }
    logger.error = (m: unknown) => void logged.push(['error', String(m)])
    logger.debug = (m: unknown) => void logged.push(['debug', String(m)])
    try {
      for (const path of ['/workflows', '/dbos-workflow-recovery']) {
        await raw(port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"limit":`,
          { hangUpAfterSend: true })
        await raw(port, `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"lim`,
          { hangUpAfterSend: true })
      }
      // The server is still serving, and nothing was logged as an error.
      await until(() => logged.filter(([level]) => level === 'debug').length >= 1, 'the cut-off requests to be noticed')
      await sleep(300)
      expect((await fetch(`http://127.0.0.1:${port}/dbos-healthz`)).status).toBe(200)
    } finally {
      logger.error = original.error
      logger.debug = original.debug
    }
    expect(logged.filter(([level]) => level === 'error')).toEqual([])
  })
})
