// The admin HTTP server (docs/sysdb.md §9): every endpoint, its security defaults, and body validation.
import { rawSql } from '../support/raw-sql.ts'
import type { Hono } from 'hono'
import { adminDeps, createAdminApp } from '../../core/admin/app.ts'
import { launchedSystem } from '../../core/dbos.ts'
import type { Dispatcher } from '../../core/engine/dispatcher.ts'
import type { Engine } from '../../core/engine/engine.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { listeningAddresses } from '../support/listening.ts'
import { catchErrorLogs } from '../support/logs.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, DBOSWorkflowCancelledError, WorkflowQueue, serve } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

// The launched engine and dispatcher, through the internal accessor (they are not public API).
const launched = {
  get engine(): Engine | undefined {
    return launchedSystem()?.engine
  },
  get dispatcher(): Dispatcher | undefined {
    return launchedSystem()?.dispatcher
  },
}

const APP = 'admin-test'
const TOKEN = 'correct-horse-battery-staple'

const gates = new Map<string, () => void>()
function open(key: string): void {
  gates.get(key)?.()
  gates.delete(key)
}

const adder = DBOS.registerWorkflow(async (a: number, b: number) => {
  const x = await DBOS.runStep(async () => a, { name: 'first' })
  const y = await DBOS.runStep(async () => b, { name: 'second' })
  return x + y
}, { name: 'adminAdder' })

const failing = DBOS.registerWorkflow(async (why: string) => {
  throw Object.assign(new Error(why), { code: 'E_ADMIN' })
}, { name: 'adminFailing' })

/** Blocks in a step until the test opens its gate. */
const held = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.runStep(() => new Promise<void>((r) => gates.set(key, r)), { name: 'wait' })
  return `${key} done`
}, { name: 'adminHeld' })

const parent = DBOS.registerWorkflow(async () => {
  return (await adder(1, 1)) + (await adder(2, 2))
}, { name: 'adminParent' })

const queue = new WorkflowQueue('admin-queue', { concurrency: 1, rateLimit: { limitPerPeriod: 10, periodSec: 2 } })
new WorkflowQueue('admin-partitioned', { partitionQueue: true, workerConcurrency: 2 })

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await check()) return
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function call(
  app: Hono,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  // State-changing routes want JSON (issue #13); the browser guard wants a loopback Host.
  const sent = new Headers(headers)
  if (method === 'POST' && !sent.has('content-type')) sent.set('content-type', 'application/json')
  const init: RequestInit = { method, headers: sent }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  return await app.fetch(new Request(`http://127.0.0.1:3001${path}`, init))
}

/** Every endpoint of docs/sysdb.md §9, with a body each accepts. */
const ENDPOINTS: [method: string, path: string, body?: unknown][] = [
  ['GET', '/dbos-healthz'],
  ['POST', '/dbos-workflow-recovery', []],
  ['GET', '/dbos-perf'],
  ['GET', '/deactivate'],
  ['GET', '/conductor'],
  ['GET', '/dbos-workflow-queues-metadata'],
  ['POST', '/workflows/no-such-workflow/cancel'],
  ['POST', '/workflows/no-such-workflow/resume'],
  ['POST', '/workflows/no-such-workflow/restart'],
  ['POST', '/workflows/no-such-workflow/fork', { start_step: 0 }],
  ['POST', '/workflows/no-such-workflow/delete', { delete_children: true }],
  ['GET', '/workflows/no-such-workflow/steps'],
  ['POST', '/workflows', {}],
  ['POST', '/queues', {}],
  ['GET', '/workflows/no-such-workflow'],
  ['POST', '/dbos-garbage-collect', {}],
  ['POST', '/dbos-global-timeout', { cutoff_epoch_timestamp_ms: 0 }],
]

describeEachDatabase('admin server', (db) => {
  let app: Hono
  let deactivations = 0
  const tag = (name: string) => `${name}-${db.name}`
  const engine = () => launched.engine!
  const sql = (text: string, params: unknown[] = []) => rawSql().query(text, params)
  const schema = () => rawSql().s
  const backdate = (id: string, createdAt: number) =>
    sql(`UPDATE ${schema()}.workflow_status SET created_at = $2 WHERE workflow_uuid = $1`, [id, createdAt])
  const getJSON = async (path: string) => await (await call(app, 'GET', path)).json()
  const list = async (path: string, body: unknown) => {
    const res = await call(app, 'POST', path, body)
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>[]
  }

  beforeAll(async () => {
    DBOS.setConfig({ name: APP, systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
    await adder(0, 0) // the engine is captured when it starts its first workflow
    app = createAdminApp(adminDeps(launched.engine!, launched.dispatcher!, { deactivate: () => void deactivations++ }))
  })
  afterAll(async () => {
    for (const key of [...gates.keys()]) open(key)
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('GET /dbos-healthz answers healthy in plain text', async () => {
    const res = await call(app, 'GET', '/dbos-healthz')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await res.text()).toBe('healthy')
  })

  it('answers unknown routes with a plain-text 404 and unhandled errors with a bare 500', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/workflows'], ['POST', '/dbos-healthz'], ['GET', '/workflows/a/b/c']]) {
      const res = await call(app, method!, path!)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
      expect(await res.text()).toBe('Not Found')
    }
    const broken = createAdminApp(adminDeps(engine(), launched.dispatcher!, {
      deactivate: () => {
        throw new Error('secret internals')
      },
    }))
    // The client gets nothing of the error; the operator's log gets all of it.
    const { value: res, errors } = await catchErrorLogs(() => call(broken, 'GET', '/deactivate'))
    expect(res.status).toBe(500)
    expect(await res.text()).toBe('{"error":"Internal server error"}')
    expect(errors).toEqual([expect.stringMatching(/ERROR: Admin request GET \/deactivate failed: Error: secret internals/)])
  })

  it('sends no CORS headers unless enabled; enabled, every response has them and OPTIONS is answered', async () => {
    for (const [method, path, body] of ENDPOINTS) {
      const res = await call(app, method, path, body)
      const cors: string[] = []
      res.headers.forEach((_, name) => name.startsWith('access-control-') && cors.push(name))
      expect(cors).toEqual([])
    }
    expect((await call(app, 'OPTIONS', '/workflows')).status).toBe(404)

    // CORS names its origins (issue #13): a listed origin gets itself back, never '*'.
    const origin = { Origin: 'http://app.test:5173' }
    const permissive = createAdminApp(adminDeps(engine(), launched.dispatcher!), { cors: [origin.Origin] })
    const preflight = await call(permissive, 'OPTIONS', '/anything/at/all', undefined, origin)
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-max-age')).toBe('86400')
    for (const res of [preflight, await call(permissive, 'GET', '/dbos-healthz', undefined, origin), await call(permissive, 'GET', '/nope', undefined, origin),
      await call(permissive, 'POST', '/workflows', '{oops', origin), await call(permissive, 'POST', '/workflows/x/cancel', undefined, origin)]) {
      expect(res.headers.get('access-control-allow-origin')).toBe(origin.Origin)
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS')
      expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type')
    }
    // With a token, the preflight lets a browser send it; the preflight itself carries no credentials.
    const guarded = createAdminApp(adminDeps(engine(), launched.dispatcher!), { cors: [origin.Origin], token: TOKEN })
    const guardedPreflight = await call(guarded, 'OPTIONS', '/workflows', undefined, origin)
    expect(guardedPreflight.status).toBe(204)
    expect(guardedPreflight.headers.get('access-control-allow-headers')).toBe('Content-Type, Authorization')
    expect((await call(guarded, 'POST', '/workflows', {})).status).toBe(401)
  })

  it('with a token configured, refuses every route but /dbos-healthz without it (401)', async () => {
    const guarded = createAdminApp(adminDeps(engine(), launched.dispatcher!), { token: TOKEN })
    const bad: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Basic ${TOKEN}` },
      { Authorization: TOKEN }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { Authorization: 'Bearer' }]
    for (const [method, path, body] of ENDPOINTS) {
      for (const headers of bad) {
        const res = await call(guarded, method, path, body, headers)
        if (path === '/dbos-healthz') {
          expect(res.status).toBe(200)
          continue
        }
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
        expect(((await res.json()) as { error: string }).error).toContain('Unauthorized')
      }
      const ok = await call(guarded, method, path, body, { Authorization: `Bearer ${TOKEN}` })
      expect(ok.status).not.toBe(401)
      expect((await call(guarded, method, path, body, { authorization: `bearer ${TOKEN}` })).status).not.toBe(401)
    }
    // Unknown routes too: without the token nothing tells which paths exist.
    expect((await call(guarded, 'GET', '/nope')).status).toBe(401)
    expect((await call(guarded, 'GET', '/nope', undefined, { Authorization: `Bearer ${TOKEN}` })).status).toBe(404)
    for (const token of ['', '  ', 'has space']) {
      expect(() => createAdminApp(adminDeps(engine(), launched.dispatcher!), { token })).toThrow(TypeError)
    }
  })

  it('rejects malformed bodies with a 400 naming the field, never a 500', async () => {
    const cases: [path: string, body: unknown, field: string][] = [
      ['/dbos-workflow-recovery', {}, '(body)'],
      ['/dbos-workflow-recovery', ['ok', 7], '1'],
      ['/dbos-workflow-recovery', JSON.stringify('executor'), '(body)'],
      ['/workflows/x/fork', { start_step: -1 }, 'start_step'],
      ['/workflows/x/fork', { start_step: '2' }, 'start_step'],
      ['/workflows/x/fork', { start_step: 1.5 }, 'start_step'],
      ['/workflows/x/fork', { start_step: 0, new_workflow_id: 5 }, 'new_workflow_id'],
      ['/workflows/x/fork', { start_step: 0, new_workflow_id: '' }, 'new_workflow_id'],
      ['/workflows/x/fork', { start_step: 0, application_version: false }, 'application_version'],
      ['/workflows/x/fork', { start_step: 0, timeout_ms: 0 }, 'timeout_ms'],
      ['/workflows/x/fork', [1], '(body)'],
      ['/workflows', { workflow_uuids: 'abc' }, 'workflow_uuids'],
      ['/workflows', { workflow_uuids: ['a', 2] }, 'workflow_uuids.1'],
      ['/workflows', { workflow_name: 1 }, 'workflow_name'],
      ['/workflows', { authenticated_user: [] }, 'authenticated_user'],
      ['/workflows', { start_time: 'yesterday' }, 'start_time'],
      ['/workflows', { end_time: 12 }, 'end_time'],
      ['/workflows', { status: 'DONE' }, 'status'],
      ['/workflows', { application_version: {} }, 'application_version'],
      ['/workflows', { fork_from: 1 }, 'fork_from'],
      ['/workflows', { parent_workflow_id: true }, 'parent_workflow_id'],
      ['/workflows', { limit: -1 }, 'limit'],
      ['/workflows', { limit: 'ten' }, 'limit'],
      ['/workflows', { offset: 0.5 }, 'offset'],
      ['/workflows', { sort_desc: 'yes' }, 'sort_desc'],
      ['/workflows', { workflow_id_prefix: 3 }, 'workflow_id_prefix'],
      ['/workflows', { load_input: 1 }, 'load_input'],
      ['/workflows', { load_output: 'true' }, 'load_output'],
      ['/workflows', [], '(body)'],
      ['/workflows', JSON.stringify('text'), '(body)'],
      ['/queues', { queue_name: 1 }, 'queue_name'],
      ['/queues', { status: 'nope' }, 'status'],
      ['/queues', { limit: -5 }, 'limit'],
      ['/queues', { load_input: 'no' }, 'load_input'],
      ['/queues', null, '(body)'],
      ['/dbos-garbage-collect', { cutoff_epoch_timestamp_ms: 'now' }, 'cutoff_epoch_timestamp_ms'],
      ['/dbos-garbage-collect', { rows_threshold: 0 }, 'rows_threshold'],
      ['/dbos-global-timeout', {}, 'cutoff_epoch_timestamp_ms'],
      ['/dbos-global-timeout', { cutoff_epoch_timestamp_ms: -1 }, 'cutoff_epoch_timestamp_ms'],
    ]
    for (const [path, body, field] of cases) {
      const res = await call(app, 'POST', path, body)
      const error = ((await res.json()) as { error: string }).error
      expect([path, body, res.status]).toEqual([path, body, 400])
      expect(error).toContain(`${field}: `)
    }
    for (const path of ['/dbos-workflow-recovery', '/workflows/x/fork', '/workflows', '/queues', '/dbos-garbage-collect', '/dbos-global-timeout']) {
      const res = await call(app, 'POST', path, '{"limit": 1', { 'Content-Type': 'application/json' })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: 'Request body is not valid JSON' })
    }
    const missing = await call(app, 'POST', '/workflows/x/fork', { new_workflow_id: 'y' })
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({ error: 'Missing start_step in request body' })
    expect((await call(app, 'POST', '/workflows/x/fork')).status).toBe(400) // empty body = {}
    const huge = await call(app, 'POST', '/workflows', JSON.stringify({ workflow_name: 'x'.repeat(2 * 1024 * 1024) }))
    expect(huge.status).toBe(413)
    // Empty bodies mean {}, and null stands for an absent filter.
    expect((await call(app, 'POST', '/workflows')).status).toBe(200)
    expect((await call(app, 'POST', '/workflows', { workflow_name: null, limit: null, status: null })).status).toBe(200)
  })

  it('GET /conductor, /dbos-perf and /deactivate', async () => {
    expect(await getJSON('/conductor')).toEqual({ status: true })
    expect(await getJSON('/dbos-perf')).toEqual({ idle: 0, active: 0, utilization: 0 })
    const measured = createAdminApp(adminDeps(engine(), launched.dispatcher!, {
      eventLoop: () => ({ idle: 30, active: 10, utilization: 0.25 }),
    }))
    expect(await (await call(measured, 'GET', '/dbos-perf')).json()).toEqual({ idle: 30, active: 10, utilization: 0.25 })
    const before = deactivations
    const res = await call(app, 'GET', '/deactivate')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await res.text()).toBe('Deactivated')
    expect(deactivations).toBe(before + 1)
  })

  it('GET /dbos-workflow-queues-metadata lists the queues dispatched here with their limits', async () => {
    const queues = (await getJSON('/dbos-workflow-queues-metadata')) as { name: string }[]
    expect(queues.find((q) => q.name === 'admin-queue')).toEqual({
      name: 'admin-queue', concurrency: 1, rateLimit: { limitPerPeriod: 10, periodSec: 2 },
    })
    expect(queues.find((q) => q.name === 'admin-partitioned')).toEqual({ name: 'admin-partitioned', partitionWorkerConcurrency: 2 })
    expect(queues.map((q) => q.name)).not.toContain('_dbos_internal_queue')
  })

  it('GET /workflows/:id shows the PascalCase workflow object, and 404 for an unknown ID', async () => {
    const id = tag('get/with?odd chars')
    expect(await (await DBOS.startWorkflow(adder, { workflowID: id })(2, 3)).getResult()).toBe(5)
    const res = await call(app, 'GET', `/workflows/${encodeURIComponent(id)}`)
    expect(res.status).toBe(200)
    const wf = (await res.json()) as Record<string, unknown>
    expect(wf).toMatchObject({
      WorkflowUUID: id, Status: 'SUCCESS', WorkflowName: 'adminAdder', Input: '[2,3]', Output: '5', Priority: '0',
      WasForkedFrom: false, ApplicationName: APP, ApplicationVersion: DBOS.applicationVersion, ExecutorID: DBOS.executorID,
    })
    for (const key of ['CreatedAt', 'UpdatedAt', 'CompletedAt', 'DequeuedAt']) {
      if (key in wf) expect(wf[key]).toMatch(/^\d+$/)
    }
    expect(wf.CreatedAt).toMatch(/^\d+$/)
    expect(wf.CompletedAt).toMatch(/^\d+$/)
    for (const key of ['Error', 'WorkflowClassName', 'QueueName', 'ForkedFrom', 'ParentWorkflowID', 'AuthenticatedRoles']) {
      expect(key in wf).toBe(false)
    }

    const failed = tag('get-failed')
    await expect((await DBOS.startWorkflow(failing, { workflowID: failed })('it broke')).getResult()).rejects.toThrow('it broke')
    const bad = (await getJSON(`/workflows/${failed}`)) as Record<string, string>
    expect(bad.Status).toBe('ERROR')
    expect(JSON.parse(bad.Error!)).toMatchObject({ name: 'Error', message: 'it broke', code: 'E_ADMIN' })
    expect('Output' in bad).toBe(false)

    const missing = await call(app, 'GET', '/workflows/no-such-workflow')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'Workflow no-such-workflow not found' })
  })

  it('GET /workflows/:id/steps lists the recorded steps, and 404 for an unknown ID', async () => {
    const id = tag('steps')
    await (await DBOS.startWorkflow(adder, { workflowID: id })(4, 5)).getResult()
    const steps = (await getJSON(`/workflows/${id}/steps`)) as Record<string, unknown>[]
    expect(steps.map(({ started_at_epoch_ms, completed_at_epoch_ms, ...rest }) => rest)).toEqual([
      { function_id: 0, function_name: 'first', output: '4' },
      { function_id: 1, function_name: 'second', output: '5' },
    ])
    for (const step of steps) {
      expect(step.started_at_epoch_ms).toMatch(/^\d+$/)
      expect(step.completed_at_epoch_ms).toMatch(/^\d+$/)
    }
    const parentID = tag('steps-parent')
    expect(await (await DBOS.startWorkflow(parent, { workflowID: parentID })()).getResult()).toBe(6)
    const parentSteps = (await getJSON(`/workflows/${parentID}/steps`)) as Record<string, unknown>[]
    expect(parentSteps.map((st) => [st.function_id, st.function_name, st.child_workflow_id])).toEqual([
      [0, 'adminAdder', `${parentID}-0`],
      [1, 'DBOS.getResult', `${parentID}-0`],
      [2, 'adminAdder', `${parentID}-2`],
      [3, 'DBOS.getResult', `${parentID}-2`],
    ])
    const missing = await call(app, 'GET', '/workflows/no-such-workflow/steps')
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'Workflow no-such-workflow not found' })
  })

  it('POST /workflows filters, orders and pages; payloads only when asked', async () => {
    const prefix = tag('list_')
    const ids = [`${prefix}a`, `${prefix}b`, `${prefix}c`]
    for (const [i, id] of ids.entries()) {
      await (await DBOS.startWorkflow(adder, { workflowID: id })(i, 10)).getResult()
      await sleep(5) // distinct creation times
    }
    const failed = `${prefix}failed`
    await (await DBOS.startWorkflow(failing, { workflowID: failed })('nope')).getResult().catch(() => {})
    const idsOf = (rows: Record<string, unknown>[]) => rows.map((r) => r.WorkflowUUID)

    const byPrefix = await list('/workflows', { workflow_id_prefix: prefix })
    expect(idsOf(byPrefix)).toEqual([...ids, failed])
    for (const wf of byPrefix) {
      expect('Input' in wf || 'Output' in wf || 'Error' in wf).toBe(false)
    }
    expect(idsOf(await list('/workflows', { workflow_uuids: [ids[2], ids[0], 'unknown'] }))).toEqual([ids[0], ids[2]])
    expect(idsOf(await list('/workflows', { workflow_id_prefix: prefix, sort_desc: true, limit: 2, offset: 1 }))).toEqual([ids[2], ids[1]])
    expect(idsOf(await list('/workflows', { workflow_id_prefix: prefix, status: 'ERROR' }))).toEqual([failed])
    expect(idsOf(await list('/workflows', { workflow_id_prefix: prefix, workflow_name: 'adminFailing' }))).toEqual([failed])
    expect(idsOf(await list('/workflows', { workflow_id_prefix: prefix, application_version: 'other' }))).toEqual([])
    expect(idsOf(await list('/workflows', { workflow_id_prefix: prefix, authenticated_user: 'alice' }))).toEqual([])
    const created = Number((await getJSON(`/workflows/${ids[1]}`) as { CreatedAt: string }).CreatedAt)
    const window = { workflow_id_prefix: prefix, start_time: new Date(created).toISOString(), end_time: new Date(created).toISOString() }
    expect(idsOf(await list('/workflows', window))).toEqual([ids[1]])

    const loaded = await list('/workflows', { workflow_uuids: [ids[1], failed], load_input: true, load_output: true })
    expect(loaded.map((wf) => [wf.Input, wf.Output, typeof wf.Error])).toEqual([['[1,10]', '11', 'undefined'], ['["nope"]', undefined, 'string']])
    expect((await list('/workflows', { workflow_uuids: [ids[1]], load_input: true }))[0]).toMatchObject({ Input: '[1,10]' })
    expect('Output' in (await list('/workflows', { workflow_uuids: [ids[1]], load_input: true }))[0]!).toBe(false)

    const parentID = tag('list-parent')
    await (await DBOS.startWorkflow(parent, { workflowID: parentID })()).getResult()
    expect(idsOf(await list('/workflows', { parent_workflow_id: parentID }))).toEqual([`${parentID}-0`, `${parentID}-2`])
    expect(idsOf(await list('/workflows', { parent_workflow_id: parentID, workflow_uuids: [`${parentID}-2`, ids[0]] }))).toEqual([`${parentID}-2`])
    expect(await list('/workflows', { parent_workflow_id: 'nobody' })).toEqual([])
    expect((await list('/workflows', {})).length).toBeGreaterThan(5)
  })

  it('POST /workflows/:id/cancel stops a workflow and /resume finishes it', async () => {
    const id = tag('cancel')
    const handle = await DBOS.startWorkflow(held, { workflowID: id })(id)
    await until(() => gates.has(id), 'the workflow to block')
    const cancel = await call(app, 'POST', `/workflows/${id}/cancel`)
    expect(cancel.status).toBe(204)
    expect(await cancel.text()).toBe('')
    expect(await getJSON(`/workflows/${id}`)).toMatchObject({ Status: 'CANCELLED' })
    open(id)
    await expect(handle.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)

    expect((await call(app, 'POST', `/workflows/${id}/resume`)).status).toBe(204)
    await until(() => gates.has(id), 'the resumed workflow to block')
    open(id)
    expect(await DBOS.retrieveWorkflow(id).getResult()).toBe(`${id} done`)
    expect(await getJSON(`/workflows/${id}`)).toMatchObject({ Status: 'SUCCESS' })

    expect((await call(app, 'POST', '/workflows/no-such-workflow/cancel')).status).toBe(204)
    const unknown = await call(app, 'POST', '/workflows/no-such-workflow/resume')
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ error: 'Error resuming workflow no-such-workflow: Workflow no-such-workflow does not exist' })
  })

  it('POST /workflows/:id/restart and /fork start new executions of a workflow', async () => {
    const id = tag('fork-original')
    await (await DBOS.startWorkflow(adder, { workflowID: id })(20, 22)).getResult()

    const restart = await call(app, 'POST', `/workflows/${id}/restart`)
    expect(restart.status).toBe(200)
    const { workflow_id: restarted } = (await restart.json()) as { workflow_id: string }
    expect(restarted).not.toBe(id)
    expect(await DBOS.retrieveWorkflow(restarted).getResult()).toBe(42)
    expect(await getJSON(`/workflows/${restarted}`)).toMatchObject({ ForkedFrom: id, WasForkedFrom: false })
    expect(await getJSON(`/workflows/${id}`)).toMatchObject({ WasForkedFrom: true })

    const forkID = tag('fork-copy')
    const fork = await call(app, 'POST', `/workflows/${id}/fork`, { start_step: 1, new_workflow_id: forkID, timeout_ms: 60_000 })
    expect(fork.status).toBe(200)
    expect(await fork.json()).toEqual({ workflow_id: forkID })
    expect(await DBOS.retrieveWorkflow(forkID).getResult()).toBe(42)
    expect(await getJSON(`/workflows/${forkID}`)).toMatchObject({ ForkedFrom: id, WorkflowTimeoutMS: '60000' })
    const forkSteps = (await getJSON(`/workflows/${forkID}/steps`)) as { function_name: string }[]
    expect(forkSteps.map((st) => st.function_name)).toEqual(['first', 'second'])
    expect((await list('/workflows', { fork_from: id })).map((wf) => wf.WorkflowUUID).sort()).toEqual([restarted, forkID].sort())

    const versioned = await call(app, 'POST', `/workflows/${id}/fork`, { start_step: 0, application_version: 'v-elsewhere' })
    const { workflow_id: elsewhere } = (await versioned.json()) as { workflow_id: string }
    expect(await getJSON(`/workflows/${elsewhere}`)).toMatchObject({ ApplicationVersion: 'v-elsewhere', Status: 'ENQUEUED' })

    const duplicate = await call(app, 'POST', `/workflows/${id}/fork`, { start_step: 0, new_workflow_id: forkID })
    expect(duplicate.status).toBe(409)
    expect(((await duplicate.json()) as { error: string }).error).toMatch(new RegExp(`^Error forking workflow ${id}: `))
    const unknown = await call(app, 'POST', '/workflows/no-such-workflow/fork', { start_step: 0 })
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toEqual({ error: 'Error forking workflow no-such-workflow: Workflow no-such-workflow does not exist' })
    const unknownRestart = await call(app, 'POST', '/workflows/no-such-workflow/restart')
    expect(unknownRestart.status).toBe(404)
    expect(await unknownRestart.json()).toEqual({ error: 'Error restarting workflow no-such-workflow: Workflow no-such-workflow does not exist' })
  })

  it('POST /queues lists the workflows waiting or running on queues, without outputs', async () => {
    const keys = ['q1', 'q2', 'q3'].map(tag)
    const handles = []
    for (const key of keys) {
      handles.push(await DBOS.startWorkflow(held, { workflowID: key, queueName: queue.name })(key))
      await sleep(5)
    }
    await until(() => gates.has(keys[0]!), 'the first queued workflow to start')
    const queued = await list('/queues', { queue_name: queue.name })
    expect(queued.map((wf) => [wf.WorkflowUUID, wf.Status, wf.QueueName])).toEqual([
      [keys[0], 'PENDING', queue.name], [keys[1], 'ENQUEUED', queue.name], [keys[2], 'ENQUEUED', queue.name],
    ])
    expect(queued.some((wf) => 'Input' in wf || 'Output' in wf)).toBe(false)
    expect((await list('/queues', { queue_name: queue.name, status: 'ENQUEUED', sort_desc: true })).map((wf) => wf.WorkflowUUID))
      .toEqual([keys[2], keys[1]])
    expect((await list('/queues', { queue_name: queue.name, limit: 1, offset: 1, load_input: true })).map((wf) => wf.Input))
      .toEqual([JSON.stringify([keys[1]])])
    expect(await list('/queues', { queue_name: queue.name, workflow_name: 'adminAdder' })).toEqual([])
    expect(await list('/queues', { queue_name: 'no-such-queue' })).toEqual([])

    for (const key of keys) {
      await until(() => gates.has(key), `${key} to start`)
      open(key)
    }
    for (const handle of handles) await handle.getResult()
    expect(await list('/queues', { queue_name: queue.name })).toEqual([])
  })

  it('POST /dbos-workflow-recovery recovers the pending workflows of other executors', async () => {
    const id = tag('orphan')
    const { settings } = engine()
    await sql(
      `INSERT INTO ${schema()}.workflow_status (workflow_uuid, status, name, executor_id, application_version,
         application_name, serialization, recovery_attempts, owner_xid)
       VALUES ($1, 'PENDING', 'adminAdder', 'ghost-executor', $2, $3, $4, 1, 'dead-owner')`,
      [id, settings.appVersion, APP, settings.serialization.appFormat],
    )
    await sql(`INSERT INTO ${schema()}.workflow_input (workflow_uuid, inputs) VALUES ($1, $2)`, [
      id, await settings.serialization.encodeArgs([5, 6]),
    ])
    expect(await list('/dbos-workflow-recovery', [])).toEqual([])
    expect(await list('/dbos-workflow-recovery', ['ghost-executor', 'nobody'])).toEqual([id])
    expect(await DBOS.retrieveWorkflow(id).getResult()).toBe(11)
    expect(await getJSON(`/workflows/${id}`)).toMatchObject({ Status: 'SUCCESS', ExecutorID: DBOS.executorID })
  })

  it('POST /dbos-garbage-collect deletes finished workflows created before the cutoff', async () => {
    const [a, b, c, active] = ['gc-a', 'gc-b', 'gc-c', 'gc-active'].map(tag) as [string, string, string, string]
    for (const id of [a, b, c]) await (await DBOS.startWorkflow(adder, { workflowID: id })(1, 2)).getResult()
    const activeHandle = await DBOS.startWorkflow(held, { workflowID: active })(active)
    await until(() => gates.has(active), 'the active workflow to block')
    await backdate(active, 999)
    await backdate(a, 1000)
    await backdate(b, 1001)
    await backdate(c, 1002)
    const exists = async (id: string) => (await call(app, 'GET', `/workflows/${id}`)).status === 200
    const leftovers = async (id: string) => {
      const counts = await Promise.all(['workflow_input', 'workflow_output', 'operation_outputs'].map((table) =>
        sql(`SELECT 1 FROM ${schema()}.${table} WHERE workflow_uuid = $1`, [id])))
      return counts.reduce((n, rows) => n + rows.length, 0)
    }
    expect(await leftovers(a)).toBeGreaterThan(0)

    expect((await call(app, 'POST', '/dbos-garbage-collect', { cutoff_epoch_timestamp_ms: 1001 })).status).toBe(204)
    expect([await exists(a), await exists(b), await exists(c), await exists(active)]).toEqual([false, true, true, true])
    expect(await leftovers(a)).toBe(0)

    // Without a cutoff, or with a threshold past the last row, nothing is deleted.
    const [{ total }] = (await sql(`SELECT count(*)::int AS total FROM ${schema()}.workflow_status`)) as [{ total: number }]
    expect((await call(app, 'POST', '/dbos-garbage-collect')).status).toBe(204)
    expect((await call(app, 'POST', '/dbos-garbage-collect', { rows_threshold: total + 1 })).status).toBe(204)
    expect([await exists(b), await exists(c)]).toEqual([true, true])
    // Keep the newest total-2 rows: the third oldest (c, 1002) becomes the cutoff, so b goes; the older
    // active workflow stays, being unfinished.
    expect((await call(app, 'POST', '/dbos-garbage-collect', { rows_threshold: total - 2 })).status).toBe(204)
    expect([await exists(b), await exists(c), await exists(active)]).toEqual([false, true, true])

    open(active)
    expect(await activeHandle.getResult()).toBe(`${active} done`)
  })

  it('POST /dbos-global-timeout cancels the active workflows created at or before the cutoff', async () => {
    const [old, edge, recent] = ['timeout-old', 'timeout-edge', 'timeout-recent'].map(tag) as [string, string, string]
    const handles = await Promise.all([old, edge, recent].map(async (id) => await DBOS.startWorkflow(held, { workflowID: id })(id)))
    for (const id of [old, edge, recent]) await until(() => gates.has(id), `${id} to block`)
    await backdate(old, 4000)
    await backdate(edge, 5000)
    expect((await call(app, 'POST', '/dbos-global-timeout', { cutoff_epoch_timestamp_ms: 5000 })).status).toBe(204)
    expect(((await getJSON(`/workflows/${old}`)) as { Status: string }).Status).toBe('CANCELLED')
    expect(((await getJSON(`/workflows/${edge}`)) as { Status: string }).Status).toBe('CANCELLED')
    expect(((await getJSON(`/workflows/${recent}`)) as { Status: string }).Status).toBe('PENDING')
    for (const id of [old, edge, recent]) open(id)
    await expect(handles[0]!.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    await expect(handles[1]!.getResult()).rejects.toThrow(DBOSWorkflowCancelledError)
    expect(await handles[2]!.getResult()).toBe(`${recent} done`)
  })

  it('is served on 127.0.0.1 by default', async () => {
    const server = await serve(app.fetch, { port: 0 })
    try {
      expect(server.hostname).toBe('127.0.0.1')
      expect(server.port).toBeGreaterThan(0)
      // What the socket is bound to, as the kernel lists it (the hostname above is only echoed back).
      const bound = listeningAddresses(server.port)
      if (bound !== undefined) expect(bound).toEqual(['127.0.0.1'])
      const res = await fetch(`http://127.0.0.1:${server.port}/dbos-healthz`)
      expect(await res.text()).toBe('healthy')
    } finally {
      await server.close()
    }
  })
})
