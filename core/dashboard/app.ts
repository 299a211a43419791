import { type Context, Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { clientError, clientErrorMessage, clientErrorStatus, pathParam, readBody, readJSON, validate } from '../admin/request.ts'
import { deleteBody, forkBody, workflowIDParam } from '../admin/schemas.ts'
import { Signals } from '../engine/signals.ts'
import { listApplicationVersions } from '../management/application-versions.ts'
import { cancelWorkflows, deleteWorkflows, forkWorkflow, resumeWorkflows } from '../management/control.ts'
import { SCRIPT } from './assets/client-script.ts'
import { SHELL } from './assets/shell.ts'
import { STYLES } from './assets/styles.ts'
import { listFilters, readListPage, readQueueStats, readWorkflowPage } from './data.ts'
import type { DashboardDeps } from './deps.ts'
import { readSchedules, setStatus, trigger } from './schedule-actions.ts'
import { streamTail } from './stream-tail.ts'
import { makeLatest } from './version-actions.ts'
import { listPage } from './views/list.ts'
import { queuesPage } from './views/queues.ts'
import { schedulesPage } from './views/schedules.ts'
import { versionsPage } from './views/versions.ts'
import { workflowPage } from './views/workflow.ts'

export { type DashboardDeps, dashboardDepsOf } from './deps.ts'

/** Where servers mount the dashboard. */
export const DASHBOARD_PATH = '/dashboard'

/** The shell's own files: they carry no data, so they are served without the admin token. */
const SHELL_PATHS = new Set(['/', DASHBOARD_PATH, `${DASHBOARD_PATH}/`, `${DASHBOARD_PATH}/assets/app.js`, `${DASHBOARD_PATH}/assets/app.css`])

/** True for a request of the shell (or the root that redirects to it), which a token-guarded server lets through. */
export function isDashboardShell(path: string, method: string): boolean {
  return (method === 'GET' || method === 'HEAD') && SHELL_PATHS.has(path)
}

/**
 * The shell runs only its own script and style and may only talk to its origin; no page may frame it (a framed
 * dashboard could be clicked through by its host page).
 */
const SHELL_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
/** Fragments are data: opened on their own, they run and load nothing. */
const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"

function fragment(c: Context, body: string | Promise<string>, status: 200 | 404 = 200) {
  c.header('Content-Security-Policy', DATA_POLICY)
  c.header('Cache-Control', 'no-store')
  return c.html(body, status)
}

/** The workflow ID of the path, checked before it reaches the database. */
const pathID = (c: Context) => pathParam(c, 'id', workflowIDParam)
/** A schedule's or version's name in the path, checked as an ID is. */
const pathName = (c: Context) => pathParam(c, 'name', workflowIDParam)

/**
 * The dashboard as a Hono sub-app, to mount at DASHBOARD_PATH: a static shell, HTML fragments it fetches (the
 * workflow list, one workflow with its step timeline, events, streams and messages, the queues, the schedules,
 * the application versions), a stream's live tail as server-sent events, and the actions (cancel, resume, fork
 * and delete a workflow; pause, resume and trigger a schedule; make a version the latest) as JSON POSTs. It has
 * no guards of its own: the server that mounts it applies the admin API's (token, Host and Origin checks, JSON bodies), letting the shell
 * paths (isDashboardShell) through without the token.
 * @example app.route(DASHBOARD_PATH, createDashboard(dashboardDepsOf(() => engine)))
 */
export function createDashboard(deps: DashboardDeps): Hono {
  const app = new Hono()
  let signals: Signals | undefined
  const ownSignals = () => (signals ??= new Signals(deps.timer()))
  const now = () => deps.timer().now()

  app.use('*', async (c, next) => {
    await next()
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
    c.res.headers.set('Referrer-Policy', 'no-referrer')
  })

  // The shell's asset links are relative: it is served at the mount path with a trailing slash, which a
  // sub-app's routes cannot name (its '/' is the mount path itself), hence the catch-all at the end.
  app.get('/', (c) => c.redirect(`${c.req.path}/`))
  app.get('/assets/app.js', (c) => c.body(SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }))
  app.get('/assets/app.css', (c) => c.body(STYLES, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }))

  app.get('/fragments/workflows', async (c) => {
    const input = listFilters(c.req.query())
    return fragment(c, listPage(await readListPage(deps.sys(), input, now())))
  })

  app.get('/fragments/workflows/:id', async (c) => {
    const id = pathID(c)
    const page = await readWorkflowPage(deps.sys(), deps.serialization(), id, now())
    if (!page) throw clientError(404, `Workflow ${id} not found`)
    return fragment(c, workflowPage(page))
  })

  app.get('/fragments/queues', async (c) => fragment(c, queuesPage(await readQueueStats(deps.sys(), now()))))

  app.get('/streams/:id', streamTail(deps, ownSignals))

  app.post('/workflows/:id/cancel', async (c) => {
    await cancelWorkflows(deps.sys(), { workflowID: pathID(c) }, deps.effects?.())
    return c.body(null, 204)
  })

  app.post('/workflows/:id/resume', async (c) => {
    await resumeWorkflows(deps.sys(), { workflowID: pathID(c) }, deps.effects?.())
    return c.body(null, 204)
  })

  app.post('/workflows/:id/delete', async (c) => {
    const id = pathID(c)
    const body = await readBody(c, deleteBody)
    await deleteWorkflows(deps.sys(), { workflowID: id }, body.delete_children ?? false)
    return c.body(null, 204)
  })

  app.post('/workflows/:id/fork', async (c) => {
    const id = pathID(c)
    const body = validate(forkBody, await readJSON(c))
    const newID = await forkWorkflow(deps.sys(), id, body.start_step, {}, deps.effects?.())
    return c.json({ workflow_id: newID })
  })

  app.get('/fragments/schedules', async (c) => fragment(c, schedulesPage(await readSchedules(deps))))

  app.post('/schedules/:name/pause', async (c) => {
    await setStatus(deps, pathName(c), 'PAUSED')
    return c.body(null, 204)
  })

  app.post('/schedules/:name/resume', async (c) => {
    await setStatus(deps, pathName(c), 'ACTIVE')
    return c.body(null, 204)
  })

  app.post('/schedules/:name/trigger', async (c) => c.json({ workflow_id: await trigger(deps, pathName(c)) }))

  app.get('/fragments/versions', async (c) => fragment(c, versionsPage(await listApplicationVersions(deps.sys()))))

  app.post('/versions/:name/latest', async (c) => {
    await makeLatest(deps.sys(), pathName(c))
    return c.body(null, 204)
  })

  app.get('/*', (c) => {
    if (!c.req.path.endsWith('/')) return c.notFound()
    c.header('Content-Security-Policy', SHELL_POLICY)
    c.header('Cache-Control', 'no-cache')
    return c.html(SHELL)
  })

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    const status = clientErrorStatus(error)
    if (status !== undefined) return c.json({ error: clientErrorMessage(error) }, status)
    try {
      deps.logError?.(`Dashboard request ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`)
    } catch {
      // Nothing to report to (a process between shutdown and relaunch): the page still gets its answer.
    }
    return c.json({ error: 'Internal server error' }, 500)
  })
  return app
}
