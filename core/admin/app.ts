import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { Dispatcher } from '../engine/dispatcher.ts'
import type { Engine } from '../engine/engine.ts'
import { sameSecret } from './request.ts'
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

/** Security options of the admin server (spec §9). */
export interface AdminOptions {
  /** Require `Authorization: Bearer <token>` on every route except `/dbos-healthz`. */
  token?: string
  /** Send permissive CORS headers and answer preflight requests; off by default, so web pages cannot drive the API. */
  cors?: boolean
}

/** Request bodies are small JSON filters; anything larger is refused before it is read. */
const MAX_BODY_BYTES = 1024 * 1024

function corsHeaders(withToken: boolean): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    // A browser may send the bearer token cross-origin only if the preflight allows the header.
    'Access-Control-Allow-Headers': withToken ? 'Content-Type, Authorization' : 'Content-Type',
  }
}

function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    // Health checks come from load balancers and orchestrators that hold no secret.
    if (c.req.path === '/dbos-healthz') return await next()
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1]
    if (presented === undefined || !sameSecret(presented, token)) {
      return c.json({ error: 'Unauthorized: send the admin token as Authorization: Bearer <token>' }, 401, {
        'WWW-Authenticate': 'Bearer realm="perdure-admin"',
      })
    }
    await next()
  }
}

/**
 * The admin HTTP server of spec §9 as a Hono app; serving it is the adapter's job (bind it to 127.0.0.1
 * unless the operator chose another host).
 * @example
 * const app = createAdminApp(deps, { token: adminToken })
 * const server = await runtime.http.serve(app.fetch, { port: 3001, hostname: '127.0.0.1' })
 */
export function createAdminApp(deps: AdminDeps, options: AdminOptions = {}): Hono {
  const { token, cors = false } = options
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '' || /\s/.test(token))) {
    throw new TypeError('The admin token must be a non-empty string without whitespace')
  }
  const app = new Hono()
  if (cors) {
    const headers = corsHeaders(token !== undefined)
    app.use('*', async (c, next) => {
      await next()
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value)
    })
    // Before the token check: browsers send preflight requests without credentials.
    app.options('*', (c) => c.body(null, 200, { ...headers, 'Access-Control-Max-Age': '86400' }))
  }
  if (token !== undefined) app.use('*', requireToken(token))
  app.use('*', bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Request body is larger than ${MAX_BODY_BYTES} bytes` }, 413),
  }))

  registerHealthRoutes(app, deps)
  registerRecoveryRoutes(app, deps)
  registerQueueRoutes(app, deps)
  registerWorkflowRoutes(app, deps)

  app.notFound((c) => c.text('Not Found', 404))
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    try {
      deps.engine().settings.logger.error(`Admin request ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`)
    } catch {
      // Not launched (any more): there is no logger to report to, and the client still gets its 500.
    }
    return c.json({ error: 'Internal server error' }, 500)
  })
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
