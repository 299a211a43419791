// The dashboard's server side, without a browser: every value from the database is escaped in the fragments
// (inputs, outputs, errors, step names and outputs, IDs, event keys and values, queue names); the shell carries
// no data and is served without the admin token, everything else wants it; cross-site requests and foreign
// Hosts are refused and actions want JSON, as on the admin API. A dashboard with no engine behind it (as
// `perdure dashboard` serves one) reads and acts on the same database. A workflow's events, streams and
// messages are listed, and queue counts and throughput are counted by the database (a backlog deeper than any
// page is counted whole). Schedules are listed escaped, paused, resumed and triggered from the dashboard, with an
// engine and without one (a run triggered then waits in its queue for the application); the application
// versions are listed latest first and another made the latest.
import { adminDeps, type AdminOptions, createAdminApp } from '../../core/admin/app.ts'
import { dashboardDepsOf, type DashboardDeps } from '../../core/dashboard/app.ts'
import { STEP_LIMIT } from '../../core/dashboard/data.ts'
import { createDashboardServer } from '../../core/dashboard/standalone.ts'
import { launchedSystem } from '../../core/dbos.ts'
import type { NewWorkflow, SystemDatabase } from '../../core/sysdb/system-database.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, type TestDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, WorkflowQueue } = perdure
const EVIL = '<script>alert("x")</script>'
const TOKEN = `dash-${crypto.randomUUID()}`

const gates = new Map<string, () => void>()
const hostile = DBOS.registerWorkflow(async (text: string) => {
  await DBOS.runStep(async () => ({ html: text }), { name: `step ${EVIL}` })
  await DBOS.setEvent(`key ${EVIL}`, { value: text })
  throw new Error(`failed with ${text}`)
}, { name: 'dashboardHostile' })
const held = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.runStep(() => new Promise<void>((r) => gates.set(key, r)), { name: 'wait' })
  return key
}, { name: 'dashboardHeld' })
const queue = new WorkflowQueue(`q-${EVIL}`, { concurrency: 3 })
const activity = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('b', 'two')
  await DBOS.setEvent('a', { n: 1 })
  await DBOS.setEvent('a', { n: 3 })
  await DBOS.writeStream('open', 1)
  await DBOS.writeStream('done', 'x')
  await DBOS.writeStream('done', 'y')
  await DBOS.closeStream('done')
  return await DBOS.recv<string>('go', 30)
}, { name: 'dashboardActivity' })
const manySteps = DBOS.registerWorkflow(async (n: number) => {
  for (let i = 0; i < n; i++) await DBOS.runStep(async () => i, { name: `step-${i}` })
}, { name: 'dashboardManySteps' })
const scheduleQueue = new WorkflowQueue('dash-schedules')
const scheduled = DBOS.registerWorkflow(async (slot: Date, context: { n: number }) => {
  await DBOS.setEvent('fired', { slot: slot.toISOString(), n: context.n })
}, { name: 'dashboardScheduled' })

/** A queued row of another application, which this process neither dispatches nor recovers. */
function queuedRow(queueName: string, status: NewWorkflow['status'], applicationName: string): NewWorkflow {
  return {
    workflowID: `deep-${crypto.randomUUID()}`, status, name: 'elsewhere', className: null, configName: null, queueName,
    executorID: 'elsewhere', applicationVersion: 'v1', applicationID: '', recoveryAttempts: 0, timeoutMS: null,
    deadlineEpochMS: null, deduplicationID: null, priority: 0, queuePartitionKey: null, parentWorkflowID: null,
    serialization: 'js_superjson', token: crypto.randomUUID(), inputs: '{"json":[],"__dbos_serializer":"superjson"}',
    applicationName, authenticatedUser: '', authenticatedRoles: '[]',
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

function suite(db: TestDatabase): void {
  const admin = (options: AdminOptions = {}) => {
    const system = launchedSystem()!
    return createAdminApp(adminDeps(system.engine, system.dispatcher), options)
  }
  const text = async (r: Response | Promise<Response>) => await (await r).text()
  const hostileID = `esc-<b>"&'-${crypto.randomUUID().slice(0, 8)}`

  beforeAll(async () => {
    DBOS.setConfig({ name: 'dashboard-server', systemDatabaseUrl: db.fresh(), logLevel: 'error', runAdminServer: false })
    await DBOS.launch()
    const handle = await DBOS.startWorkflow(hostile, { workflowID: hostileID })(EVIL)
    await expect(handle.getResult()).rejects.toThrow('failed with')
    await (await DBOS.startWorkflow(hostile, { queueName: queue.name })(EVIL)).getResult().catch(() => {})
  })
  afterAll(async () => {
    for (const open of gates.values()) open()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('escapes every stored value in the list, workflow (events included) and queue fragments', async () => {
    const app = admin()
    const pages = [
      await text(app.request('/dashboard/fragments/workflows')),
      await text(app.request(`/dashboard/fragments/workflows?prefix=${encodeURIComponent('esc-<b>')}`)),
      await text(app.request(`/dashboard/fragments/workflows/${encodeURIComponent(hostileID)}`)),
      await text(app.request('/dashboard/fragments/queues')),
    ]
    for (const page of pages) {
      expect(page).not.toContain('<script')
      expect(page).not.toContain('<b>')
    }
    const [list, prefixed, workflow, queues] = pages as [string, string, string, string]
    expect(list).toContain('esc-&lt;b&gt;&quot;&amp;&#39;')
    expect(prefixed).toContain('esc-&lt;b&gt;')
    expect(prefixed.match(/<tr data-id=/g)?.length).toBe(1)
    // The input, the step's name and output, the event's key and value, and the error all show the text, escaped.
    expect(workflow.split('&lt;script&gt;').length).toBeGreaterThanOrEqual(7)
    expect(workflow).toContain('step &lt;script&gt;')
    expect(workflow).toContain('data-event="key &lt;script&gt;')
    expect(queues).toContain('q-&lt;script&gt;')
    expect(queues).toContain('concurrency 3')
  })

  it('answers a bad filter or an unknown workflow with the problem named', async () => {
    const app = admin()
    const bad = await app.request('/dashboard/fragments/workflows?status=BOGUS')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain('status')
    expect((await app.request('/dashboard/fragments/workflows?offset=-1')).status).toBe(400)
    expect((await app.request('/dashboard/fragments/workflows/no-such-workflow')).status).toBe(404)
  })

  it('serves the shell without the token and nothing else; the root redirects to it', async () => {
    const app = admin({ token: TOKEN })
    const root = await app.request('/')
    expect(root.status).toBe(302)
    expect(root.headers.get('location')).toBe('/dashboard/')
    const shell = await app.request('/dashboard/')
    expect(shell.status).toBe(200)
    const html = await shell.text()
    expect(html).not.toContain('esc-')
    expect(shell.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect((await app.request('/dashboard')).status).toBe(302)
    expect((await app.request('/dashboard/assets/app.js')).status).toBe(200)
    expect((await app.request('/dashboard/assets/app.css')).status).toBe(200)
    const paths = ['/dashboard/fragments/workflows', `/dashboard/fragments/workflows/${encodeURIComponent(hostileID)}`,
      '/dashboard/fragments/queues', `/dashboard/streams/${encodeURIComponent(hostileID)}?key=k`]
    for (const path of paths) {
      expect((await app.request(path)).status).toBe(401)
      expect((await app.request(path, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    }
    const bearer = { authorization: `Bearer ${TOKEN}` }
    expect((await app.request('/dashboard/fragments/workflows', { headers: bearer })).status).toBe(200)
    const post = { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }
    expect((await app.request(`/dashboard/workflows/${encodeURIComponent(hostileID)}/cancel`, post)).status).toBe(401)
  })

  it('refuses cross-site requests, foreign Hosts and non-JSON actions, as the admin API does', async () => {
    const app = admin()
    const id = `dash-held-${db.name}`
    await DBOS.startWorkflow(held, { workflowID: id })(id)
    await until(() => gates.has(id), 'the workflow to block')
    const cancel = `/dashboard/workflows/${id}/cancel`
    const json = { 'content-type': 'application/json' }
    expect((await app.request('/dashboard/fragments/workflows', { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
    expect((await app.request('http://evil.example/dashboard/fragments/workflows', { headers: { host: 'evil.example' } })).status).toBe(403)
    expect((await app.request(cancel, { method: 'POST', body: '{}', headers: { ...json, origin: 'http://evil.example' } })).status).toBe(403)
    expect((await app.request(cancel, { method: 'POST', body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415)
    expect((await DBOS.getWorkflowStatus(id))?.status).toBe('PENDING')
    const sameOrigin = await app.request(`http://localhost${cancel}`, { method: 'POST', body: '{}', headers: { ...json, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' } })
    expect(sameOrigin.status).toBe(204)
    expect((await DBOS.getWorkflowStatus(id))?.status).toBe('CANCELLED')
  })

  it("lists a workflow's events, streams with their counts, and the messages sent to it", async () => {
    const sys = launchedSystem()!.engine.settings.sys
    const id = `dash-activity-${crypto.randomUUID()}`
    const handle = await DBOS.startWorkflow(activity, { workflowID: id })()
    await DBOS.send(id, 'hello', 'go')
    expect(await handle.getResult()).toBe('hello')
    await DBOS.send(id, { late: true })

    const events = await sys.listEvents(id, 10)
    expect(events.map((e) => [e.key, JSON.parse(e.value)])).toEqual([['a', expect.anything()], ['b', expect.anything()]])
    expect((await sys.listEvents(id, 1)).map((e) => e.key)).toEqual(['a'])
    const streams = await sys.listStreamSummaries(id, 10)
    // `done` holds two values and the close marker, its last row.
    expect(streams.map((st) => [st.key, st.count])).toEqual([['done', 3], ['open', 1]])
    expect(streams[0]!.lastValue).toContain('__DBOS_STREAM_CLOSED__')
    const messages = await sys.listMessages(id, 10)
    expect(messages.map((m) => [m.topic, m.consumed, m.consumedBy !== null])).toEqual([['go', true, true], [null, false, false]])
    expect(messages[0]!.createdAt).toBeLessThanOrEqual(messages[1]!.createdAt)
    expect(messages[0]!.createdAt).toBeGreaterThan(Date.now() - 600_000)
    expect(await sys.listMessages('no-such-workflow', 10)).toEqual([])

    const page = await text(admin().request(`/dashboard/fragments/workflows/${encodeURIComponent(id)}`))
    expect(page).toMatch(/<tr data-event="a">[\s\S]*j-n">3<[\s\S]*<tr data-event="b">[\s\S]*&quot;two&quot;/)
    expect(page).toMatch(/<tr data-stream="done">.*<td class="num">2<\/td><td>closed<\/td>/)
    expect(page).toMatch(/<tr data-stream="open">.*<td class="num">1<\/td><td><span class="muted">open/)
    expect(page).toMatch(/<code>go<\/code>.*received by step \d+.*hello/s)
    expect(page).toMatch(/no topic.*waiting.*late/s)
  })

  it('counts each queue in SQL, a backlog deeper than 10,000 included, and its finished workflows per minute', async () => {
    const sys = launchedSystem()!.engine.settings.sys
    // Another application's queue: this process neither dispatches nor recovers its rows.
    const other: SystemDatabase = sys.forApplication(`elsewhere-${db.name}`)
    const deep = `deep-${crypto.randomUUID().slice(0, 8)}`
    const rows = [
      ...Array.from({ length: 10_050 }, () => queuedRow(deep, 'ENQUEUED', other.appName!)),
      ...Array.from({ length: 3 }, () => queuedRow(deep, 'PENDING', other.appName!)),
    ]
    await other.insertWorkflows(rows)
    const none = { concurrency: null, workerConcurrency: null, rateLimit: null, partitionConcurrency: null, partitionWorkerConcurrency: null, partitionRateLimit: null }
    await other.publishQueues([{ name: deep, limits: none }], false, Date.now())
    const counts = await other.countQueueStatuses()
    expect(counts.filter((c) => c.queueName === deep).sort((a, b) => a.status.localeCompare(b.status)))
      .toEqual([{ queueName: deep, status: 'ENQUEUED', count: 10_050 }, { queueName: deep, status: 'PENDING', count: 3 }])
    // This application's counts leave the other's out.
    expect((await sys.countQueueStatuses()).some((c) => c.queueName === deep)).toBe(false)

    const { serialization, runtime } = launchedSystem()!.engine.settings
    const elsewhere = createDashboardServer({ sys: () => other, serialization: () => serialization, timer: () => runtime.timer })
    const queues = await text(elsewhere.request('/dashboard/fragments/queues'))
    expect(queues).toMatch(new RegExp(`<tr data-queue="${deep}">[\\s\\S]*?<td class="num">10050</td><td class="num">3</td><td class="num">0</td>`))

    // The workflow of the queue of this application that failed in beforeAll finished within the chart's minutes.
    const finished = await sys.countFinishedPerMinute(Date.now() - 15 * 60_000)
    expect(finished.filter((f) => f.queueName === queue.name).reduce((n, f) => n + f.count, 0)).toBe(1)
    expect(finished.every((f) => Number.isInteger(f.minute) && f.minute <= Math.floor(Date.now() / 60_000))).toBe(true)
    expect(await text(admin().request('/dashboard/fragments/queues'))).toContain('1 in 15 min')
    expect(await sys.countFinishedPerMinute(Date.now() + 60_000)).toEqual([])
  })

  it('works without an engine: lists, forks and deletes through the system database alone', async () => {
    const { sys, serialization, runtime } = launchedSystem()!.engine.settings
    const deps: DashboardDeps = { sys: () => sys, serialization: () => serialization, timer: () => runtime.timer }
    const app = createDashboardServer(deps, { token: TOKEN })
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
    expect(await text(app.request('/dashboard/fragments/workflows', { headers }))).toContain('esc-&lt;b&gt;')
    const forked = await app.request(`/dashboard/workflows/${encodeURIComponent(hostileID)}/fork`, { method: 'POST', headers, body: '{"start_step":1}' })
    expect(forked.status).toBe(200)
    const newID = ((await forked.json()) as { workflow_id: string }).workflow_id
    expect((await DBOS.getWorkflowStatus(newID))?.forkedFrom).toBe(hostileID)
    const badStep = await app.request(`/dashboard/workflows/${encodeURIComponent(hostileID)}/fork`, { method: 'POST', headers, body: '{"start_step":-1}' })
    expect(badStep.status).toBe(400)
    await until(async () => (await DBOS.getWorkflowStatus(newID))?.status === 'ERROR', 'the fork to run')
    const del = await app.request(`/dashboard/workflows/${encodeURIComponent(newID)}/delete`, { method: 'POST', headers, body: '{}' })
    expect(del.status).toBe(204)
    expect(await DBOS.getWorkflowStatus(newID)).toBeNull()
    expect((await app.request('/dashboard/fragments/workflows')).status).toBe(401)
    expect((await app.request('/dashboard/')).status).toBe(200)
  })

  it("a workflow's page shows its first STEP_LIMIT steps and says more follow", async () => {
    const id = `dash-many-steps-${crypto.randomUUID()}`
    await (await DBOS.startWorkflow(manySteps, { workflowID: id })(STEP_LIMIT + 1)).getResult()
    const system = launchedSystem()!
    const app = createAdminApp(adminDeps(system.engine, system.dispatcher), {})
    const page = await text(app.request(`/dashboard/fragments/workflows/${id}`))
    expect(page).toContain(`step-${STEP_LIMIT - 1}<`)
    expect(page).not.toContain(`step-${STEP_LIMIT}<`)
    expect(page).toContain(`(${STEP_LIMIT}+)`)
    expect(page).toContain(`The first ${STEP_LIMIT} are shown.`)
  })

  it('standalone: a body the client breaks off mid-read is a 400, not the framework\'s 500', async () => {
    const { sys, serialization, runtime } = launchedSystem()!.engine.settings
    const app = createDashboardServer({ sys: () => sys, serialization: () => serialization, timer: () => runtime.timer }, { token: TOKEN })
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"start_'))
        controller.error(new Error('connection reset by the client'))
      },
    })
    const answer = await app.request(`/dashboard/workflows/${encodeURIComponent(hostileID)}/fork`, {
      method: 'POST', body: broken, duplex: 'half', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    } as RequestInit)
    expect(answer.status).toBe(400)
    expect(await answer.json()).toEqual({ error: 'Request body could not be read' })
  })

  it('is answered by the same deps a launched process gives (dashboardDepsOf)', async () => {
    const deps = dashboardDepsOf(() => launchedSystem()!.engine)
    expect(deps.effects?.()).toBe(launchedSystem()!.engine)
    expect(deps.sys()).toBe(launchedSystem()!.engine.settings.sys)
  })
}

function schedulesSuite(db: TestDatabase): void {
  const SCHEDULE = `nightly ${EVIL}`
  const json = { 'content-type': 'application/json' }
  const post = (app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, path: string, headers: Record<string, string> = {}) =>
    app.request(path, { method: 'POST', body: '{}', headers: { ...json, ...headers } })
  const bearer = { authorization: `Bearer ${TOKEN}` }
  const admin = () => {
    const system = launchedSystem()!
    return createAdminApp(adminDeps(system.engine, system.dispatcher), {})
  }
  /** The dashboard alone, on this process's system database, with no engine behind it. */
  const standalone = () => {
    const { sys, serialization, runtime } = launchedSystem()!.engine.settings
    return createDashboardServer({ sys: () => sys, serialization: () => serialization, timer: () => runtime.timer }, { token: TOKEN })
  }
  const fragment = async (app: ReturnType<typeof admin>, path: string) => await (await app.request(path)).text()
  const statusOf = async (name: string) => (await DBOS.getSchedule(name))?.status
  const text = async (r: Response | Promise<Response>) => await (await r).text()

  beforeAll(async () => {
    DBOS.setConfig({ name: 'dashboard-schedules', systemDatabaseUrl: db.fresh(), logLevel: 'error', runAdminServer: false })
    await DBOS.launch()
    // A yearly slot: nothing fires by itself while the test runs.
    await DBOS.createSchedule({
      scheduleName: SCHEDULE, workflowFn: scheduled, schedule: '0 0 1 1 *', context: { n: 7 },
      options: { cronTimezone: 'Europe/Paris', queueName: scheduleQueue.name },
    })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('lists each schedule escaped, with its crontab, zone, status, queue and application', async () => {
    const page = await fragment(admin(), '/dashboard/fragments/schedules')
    expect(page).not.toContain('<script')
    const row = page.match(/<tr data-schedule="nightly &lt;script&gt;[^"]*" data-status="ACTIVE">[\s\S]*?<\/tr>/)?.[0]
    expect(row).toBeDefined()
    expect(row).toContain('dashboardScheduled')
    expect(row).toContain('<code>0 0 1 1 *</code>')
    expect(row).toContain('Europe/Paris')
    expect(row).toContain('dash-schedules')
    expect(row).toContain('dashboard-schedules')
    expect(row).toContain('data-do="pause"')
    expect(row).toContain('data-do="trigger"')
  })

  it('pauses, resumes and triggers a schedule with an engine behind the dashboard', async () => {
    const app = admin()
    const path = `/dashboard/schedules/${encodeURIComponent(SCHEDULE)}`
    expect((await post(app, `${path}/pause`)).status).toBe(204)
    expect(await statusOf(SCHEDULE)).toBe('PAUSED')
    const paused = await fragment(app, '/dashboard/fragments/schedules')
    expect(paused).toContain('data-status="PAUSED"')
    expect(paused).toContain('data-do="resume"')
    expect((await post(app, `${path}/resume`)).status).toBe(204)
    expect(await statusOf(SCHEDULE)).toBe('ACTIVE')

    const triggered = await post(app, `${path}/trigger`)
    expect(triggered.status).toBe(200)
    const id = ((await triggered.json()) as { workflow_id: string }).workflow_id
    expect(await DBOS.retrieveWorkflow(id).getResult()).toBeUndefined()
    expect(await DBOS.getEvent<{ n: number }>(id, 'fired', 0)).toMatchObject({ n: 7 })
    expect((await DBOS.getWorkflowStatus(id))?.queueName).toBe(scheduleQueue.name)

    expect((await post(app, '/dashboard/schedules/no-such-schedule/pause')).status).toBe(404)
    expect((await post(app, '/dashboard/schedules/no-such-schedule/trigger')).status).toBe(404)
    // Another site cannot drive it, as it cannot any action.
    expect((await post(app, `${path}/pause`, { origin: 'http://evil.example' })).status).toBe(403)
    expect(await statusOf(SCHEDULE)).toBe('ACTIVE')
  })

  it('pauses and triggers without an engine: the run waits in its queue for the application', async () => {
    const app = standalone()
    const path = `/dashboard/schedules/${encodeURIComponent(SCHEDULE)}`
    for (const p of ['/dashboard/fragments/schedules', '/dashboard/fragments/versions']) expect((await app.request(p)).status).toBe(401)
    for (const op of ['pause', 'resume', 'trigger']) expect((await post(app, `${path}/${op}`)).status).toBe(401)
    expect(await statusOf(SCHEDULE)).toBe('ACTIVE')

    expect(await text(app.request('/dashboard/fragments/schedules', { headers: bearer }))).toContain('nightly &lt;script&gt;')
    expect((await post(app, `${path}/pause`, bearer)).status).toBe(204)
    expect(await statusOf(SCHEDULE)).toBe('PAUSED')
    const triggered = await post(app, `${path}/trigger`, bearer)
    expect(triggered.status).toBe(200)
    const id = ((await triggered.json()) as { workflow_id: string }).workflow_id
    // This process's executor, polling the schedule's queue, runs it: a triggered run needs no active schedule.
    await until(async () => (await DBOS.getWorkflowStatus(id))?.status === 'SUCCESS', 'the triggered run')
    expect(await DBOS.getEvent<{ n: number }>(id, 'fired', 0)).toMatchObject({ n: 7 })
    expect((await post(app, `${path}/resume`, bearer)).status).toBe(204)
    expect(await statusOf(SCHEDULE)).toBe('ACTIVE')
  })

  it('lists the application versions latest first, and makes another the latest', async () => {
    const sys = launchedSystem()!.engine.settings.sys
    const own = DBOS.applicationVersion
    const other = `v-${EVIL}`
    await sleep(5)
    await sys.registerVersion(other)
    const page = await fragment(admin(), '/dashboard/fragments/versions')
    expect(page).not.toContain('<script')
    expect(page).toMatch(/<tr data-version="v-&lt;script&gt;[^"]*" data-latest>[\s\S]*LATEST[\s\S]*<tr data-version="[^"]+">[\s\S]*data-do="latest"/)
    expect(page).toContain('dashboard-schedules')
    expect(page).toContain('<time datetime=')

    // Without an engine, as `perdure dashboard` serves it; the process's own version is made the latest again.
    const app = standalone()
    expect((await post(app, `/dashboard/versions/${encodeURIComponent(own)}/latest`)).status).toBe(401)
    expect((await DBOS.getLatestApplicationVersion()).versionName).toBe(other)
    expect((await post(app, `/dashboard/versions/${encodeURIComponent(own)}/latest`, bearer)).status).toBe(204)
    expect((await DBOS.getLatestApplicationVersion()).versionName).toBe(own)
    const after = await text(app.request('/dashboard/fragments/versions', { headers: bearer }))
    expect(after.indexOf(`data-version="${own}" data-latest`)).toBeGreaterThan(-1)
    expect((await post(app, '/dashboard/versions/no-such-version/latest', bearer)).status).toBe(404)
  })
}

describeOn('postgres', 'the dashboard server', suite)
describeOn('pglite', 'the dashboard server', suite)
describeOn('postgres', 'the dashboard\'s schedules and versions', schedulesSuite)
describeOn('pglite', 'the dashboard\'s schedules and versions', schedulesSuite)
