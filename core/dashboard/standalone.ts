import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { allowedHosts, browserGuard, requireJSON, requireToken } from '../admin/guards.ts'
import { bodyReadError, isBodyReadError } from '../admin/request.ts'
import { createDashboard, DASHBOARD_PATH, type DashboardDeps, isDashboardShell } from './app.ts'

/** Guards of a server that serves the dashboard alone; the admin API's rules and names. */
export interface DashboardServerOptions {
  /** Require `Authorization: Bearer <token>` on every data request (the shell asks for it); any Host is then accepted. */
  token?: string
  /** Host names, besides loopback's, that a request's `Host` may name (checked only without a token). */
  hosts?: readonly string[]
}

/** Action bodies are a step number at most. */
const MAX_BODY_BYTES = 64 * 1024

/**
 * A server app with the dashboard alone, for a process that runs no workflows (`perdure dashboard --db`): the
 * dashboard at DASHBOARD_PATH, its root redirecting there, behind the admin API's guards (the token, the Host
 * and Origin checks, JSON bodies). Like the admin API, without a token it belongs on loopback only.
 * @example await runtime.http.serve(createDashboardServer(deps).fetch, { port: 3001, hostname: '127.0.0.1' })
 */
export function createDashboardServer(deps: DashboardDeps, options: DashboardServerOptions = {}): Hono {
  const { token, hosts = [] } = options
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '' || /\s/.test(token))) {
    throw new TypeError('The dashboard token must be a non-empty string without whitespace')
  }
  const app = new Hono()
  app.use('*', browserGuard(token === undefined, allowedHosts(hosts), new Set()))
  if (token !== undefined) app.use('*', requireToken(token, isDashboardShell))
  app.use('*', requireJSON)
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Request body is larger than ${MAX_BODY_BYTES} bytes` }, 413),
  })
  // bodyLimit reads a chunked body itself; a read that fails there is the client's broken or abandoned body.
  app.use('*', async (c, next) => {
    try {
      return await limit(c, next)
    } catch (e) {
      throw bodyReadError(e)
    }
  })
  app.get('/', (c) => c.redirect(`${DASHBOARD_PATH}/`))
  app.route(DASHBOARD_PATH, createDashboard(deps))
  app.notFound((c) => c.text('Not Found', 404))
  // Errors of the guards and the body read (the dashboard's own handlers answer theirs): never a stack trace.
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    if (c.req.raw.signal.aborted || isBodyReadError(error)) return c.json({ error: 'Request body could not be read' }, 400)
    try {
      deps.logError?.(`Dashboard request ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`)
    } catch {
      // Nothing to report to: the client still gets its answer.
    }
    return c.json({ error: 'Internal server error' }, 500)
  })
  return app
}
