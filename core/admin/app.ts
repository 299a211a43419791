import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { Dispatcher } from '../engine/dispatcher.ts'
import type { Engine } from '../engine/engine.ts'
import { createDashboard, DASHBOARD_PATH, dashboardDepsOf, isDashboardShell } from '../dashboard/app.ts'
import { mcpDepsOf } from '../mcp/deps.ts'
import { MCP_PATH, mcpHandler } from '../mcp/http.ts'
import { bodyReadError, clientErrorMessage, clientErrorStatus, isBodyReadError, OperationError } from './request.ts'
import { allowedHosts, browserGuard, requireJSON, requireToken } from './guards.ts'
import { canonicalOrigin } from './hosts.ts'
import { registerHealthRoutes } from './routes/health.ts'
import { registerQueueRoutes } from './routes/queues.ts'
import { registerRecoveryRoutes } from './routes/recovery.ts'
import { registerWorkflowRoutes } from './routes/workflows.ts'

/** What the admin server needs from the launched process. Looked up per request: they change across relaunch. */
export interface AdminDeps {
  /** The running engine (throws when DBOS is not launched). */
  engine(): Engine
  /** The running queue dispatcher. */
  dispatcher(): Dispatcher
  /** `GET /deactivate`: stop the schedulers and event pollers, but not the queue dispatcher. */
  deactivate(): void | Promise<void>
  /** `GET /dbos-perf`: event-loop use since the previous call, where the runtime can measure it (else zeros). */
  eventLoop?(): { idle: number; active: number; utilization: number }
}

/**
 * Security options of the admin server (docs/sysdb.md §9). Without a token, web pages may not drive it (the browser
 * guard below), but any program that reaches it may: a program sets its own Host header. So without a token
 * it must listen on loopback only, where only programs on this machine reach it; launch refuses to serve it
 * beyond loopback without one (see launchSystem and the README's "Admin API" section).
 */
export interface AdminOptions {
  /** Require `Authorization: Bearer <token>` on every route except `/dbos-healthz`; any `Host` is then accepted. */
  token?: string
  /**
   * Origins (`scheme://host[:port]`) whose pages may call the API from a browser: their `Origin` is accepted,
   * and responses to them carry CORS headers naming that origin. None by default.
   */
  cors?: readonly string[]
  /**
   * Host names, besides 127.0.0.1, localhost and [::1], that a request's `Host` may name, with any port: the
   * names a proxy on this machine forwards, say. Refusing others defeats DNS rebinding. (Checked only without a
   * token, which is only on loopback.)
   */
  hosts?: readonly string[]
  /**
   * Offer the write tools (cancel, resume, fork, send) on `/mcp` as well as the read ones. Off by default: a model
   * connected to the admin server only looks.
   */
  mcpWrites?: boolean
}

/** Request bodies are small JSON filters; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 1024 * 1024

function corsHeaders(origin: string, withToken: boolean): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    // A browser may send the bearer token cross-origin only if the preflight allows the header.
    'Access-Control-Allow-Headers': withToken ? 'Content-Type, Authorization' : 'Content-Type',
    Vary: 'Origin',
  }
}

/** The answer to an error a handler threw: a client's mistake is 4xx, anything else a bare 500. */
function errorResponse(deps: AdminDeps, error: Error, c: Context): Response {
  if (error instanceof HTTPException) return error.getResponse()
  const log = (level: 'debug' | 'error', text: string) => {
    try {
      deps.engine().settings.logger[level](text)
    } catch {
      // Not launched (any more): there is no logger to report to, and the client still gets its answer.
    }
  }
  const what = `Admin request ${c.req.method} ${c.req.path}`
  // The client went away (mid-body, or while we worked): nobody reads the answer, and nothing is wrong here.
  if (c.req.raw.signal.aborted || isBodyReadError(error)) {
    log('debug', `${what} ended by the client: ${error.message}`)
    return c.json({ error: 'Request body could not be read' }, 400)
  }
  // A failed management operation is answered as its cause, in DBOS's words: `Error forking workflow x: ...`.
  const cause: unknown = error instanceof OperationError ? error.cause : error
  const mapped = clientErrorStatus(cause)
  if (mapped !== undefined) {
    const reason = clientErrorMessage(cause)
    const text = error instanceof OperationError ? `Error ${error.what}: ${reason}` : reason
    log('debug', `${what}: ${text}`)
    return c.json({ error: text }, mapped)
  }
  const shown = cause instanceof Error ? cause.stack ?? cause.message : String(cause)
  log('error', `${what} failed${error instanceof OperationError ? ` (${error.what})` : ''}: ${shown}`)
  return c.json({ error: 'Internal server error' }, 500)
}

/**
 * The admin HTTP server of docs/sysdb.md §9 as a Hono app; serving it is the adapter's job (bind it to 127.0.0.1
 * unless the operator chose another host).
 * @example
 * const app = createAdminApp(deps, { token: adminToken })
 * const server = await runtime.http.serve(app.fetch, { port: 3001, hostname: '127.0.0.1' })
 */
export function createAdminApp(deps: AdminDeps, options: AdminOptions = {}): Hono {
  const { token, cors = [], hosts = [], mcpWrites = false } = options
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '' || /\s/.test(token))) {
    throw new TypeError('The admin token must be a non-empty string without whitespace')
  }
  if (!Array.isArray(cors) || !Array.isArray(hosts)) {
    throw new TypeError('Admin cors and hosts must be arrays of strings')
  }
  const origins = new Set(cors.map((origin) => {
    const canonical = typeof origin === 'string' ? canonicalOrigin(origin) : undefined
    if (canonical === undefined) throw new TypeError(`Admin CORS origin ${JSON.stringify(origin)} is not scheme://host[:port]`)
    return canonical
  }))
  const app = new Hono()
  // With a token, the token is the guard, and remote operators reach the server by names of their own.
  app.use('*', browserGuard(token === undefined, allowedHosts(hosts), origins))
  if (origins.size > 0) {
    const withToken = token !== undefined
    app.use('*', async (c, next) => {
      await next()
      const origin = c.req.header('origin')
      if (origin === undefined || !origins.has(origin)) return
      for (const [name, value] of Object.entries(corsHeaders(origin, withToken))) c.res.headers.set(name, value)
    })
    // Before the token check: browsers send preflight requests without credentials.
    app.options('*', (c) => {
      const origin = c.req.header('origin')
      if (origin === undefined || !origins.has(origin)) return c.text('Not Found', 404)
      return c.body(null, 204, { ...corsHeaders(origin, withToken), 'Access-Control-Max-Age': '86400' })
    })
  }
  // The dashboard's shell carries no data: it asks for the token, then sends it with every request it makes.
  const open = (path: string, method: string) => path === '/dbos-healthz' || isDashboardShell(path, method)
  if (token !== undefined) app.use('*', requireToken(token, open))
  app.use('*', requireJSON)
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Request body is larger than ${MAX_BODY_BYTES} bytes` }, 413),
  })
  // bodyLimit reads a chunked body itself; a read that fails there is the client's broken or abandoned body.
  // (Errors of the handlers after it never come back here: Hono hands them to onError at their own level.)
  app.use('*', async (c, next) => {
    try {
      return await limit(c, next)
    } catch (e) {
      throw bodyReadError(e)
    }
  })

  registerHealthRoutes(app, deps)
  registerRecoveryRoutes(app, deps)
  registerQueueRoutes(app, deps)
  registerWorkflowRoutes(app, deps)
  app.get('/', (c) => c.redirect(`${DASHBOARD_PATH}/`))
  app.route(DASHBOARD_PATH, createDashboard(dashboardDepsOf(() => deps.engine())))
  // MCP over Streamable HTTP, behind the same guards (token, Host, Origin, JSON bodies).
  app.all(MCP_PATH, mcpHandler(mcpDepsOf(() => deps.engine(), mcpWrites), (message) => deps.engine().settings.logger.error(message)))

  app.notFound((c) => c.text('Not Found', 404))
  app.onError((error, c) => errorResponse(deps, error, c))
  return app
}

/** Dependencies over an engine and dispatcher already in hand (a launched process, or a test). */
export function adminDeps(
  engine: Engine,
  dispatcher: Dispatcher,
  hooks: Partial<Pick<AdminDeps, 'deactivate' | 'eventLoop'>> = {},
): AdminDeps {
  return {
    engine: () => engine,
    dispatcher: () => dispatcher,
    deactivate: hooks.deactivate ?? (() => {}),
    ...(hooks.eventLoop ? { eventLoop: hooks.eventLoop } : {}),
  }
}
