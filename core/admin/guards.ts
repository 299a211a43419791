import type { Context, MiddlewareHandler } from 'hono'
import { configuredHostName, hostName } from './hosts.ts'
import { sameSecret } from './request.ts'

// The admin server's request guards (docs/sysdb.md §9 security), apart from the app so that a server with the
// dashboard alone (`perdure dashboard`) applies the same rules.

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]']
/** Wildcard listen addresses name no host a client would send. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]'])

/** Allowed host names: loopback, the configured ones, and the bind address unless it is a wildcard. */
export function allowedHosts(hosts: readonly string[]): Set<string> {
  const names = new Set(LOOPBACK_HOSTS)
  for (const host of hosts) {
    const name = configuredHostName(host)
    if (name === undefined) throw new TypeError(`Admin host ${JSON.stringify(host)} is not a host name`)
    if (!WILDCARD_HOSTS.has(name)) names.add(name)
  }
  return names
}

function refused(c: Context, message: string): Response {
  return c.json({ error: `Forbidden: ${message}` }, 403)
}

/**
 * Keeps web pages from driving the API: a foreign `Host` is DNS rebinding, an `Origin` (or a Fetch Metadata
 * `Sec-Fetch-Site`) from another site is a page of that site. Programs send neither.
 */
export function browserGuard(checkHost: boolean, hosts: Set<string>, origins: Set<string>): MiddlewareHandler {
  return async (c, next) => {
    // Health checks come from orchestrators that address the server by whatever name or IP they know.
    if (c.req.path === '/dbos-healthz') return await next()
    const host = c.req.header('host') ?? new URL(c.req.url).host
    if (checkHost) {
      const name = hostName(host)
      if (name === undefined || !hosts.has(name)) return refused(c, `Host ${JSON.stringify(host)} is not allowed (adminAllowedHosts)`)
    }
    const origin = c.req.header('origin')
    const site = c.req.header('sec-fetch-site')
    const sameOrigin = origin !== undefined && origin === `${new URL(c.req.url).protocol}//${host}`
    const listed = origin !== undefined && origins.has(origin)
    if (origin !== undefined && !sameOrigin && !listed) {
      return refused(c, `Origin ${JSON.stringify(origin)} is not allowed (adminCors)`)
    }
    // A cross-site GET (an <img> or a link) carries no Origin, but browsers do tell where it came from.
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !listed) {
      return refused(c, 'cross-site requests are not allowed (adminCors)')
    }
    await next()
  }
}

/**
 * State-changing routes want `Content-Type: application/json` or an `Authorization` header: a web page can send
 * neither cross-origin without a CORS preflight, which only listed origins pass.
 */
export const requireJSON: MiddlewareHandler = async (c, next) => {
  const safe = c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS'
  if (safe || c.req.path === '/dbos-healthz') return await next()
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && c.req.header('authorization') === undefined) {
    return c.json({ error: 'Unsupported Media Type: send Content-Type: application/json' }, 415)
  }
  await next()
}

/**
 * Wants `Authorization: Bearer <token>` on every request but those `open` lets through: health checks, which
 * come from load balancers that hold no secret, and pages that carry no data (the dashboard's shell, which
 * asks for the token).
 */
export function requireToken(token: string, open: (path: string, method: string) => boolean): MiddlewareHandler {
  return async (c, next) => {
    if (open(c.req.path, c.req.method)) return await next()
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1]
    if (presented === undefined || !sameSecret(presented, token)) {
      return c.json({ error: 'Unauthorized: send the admin token as Authorization: Bearer <token>' }, 401, {
        'WWW-Authenticate': 'Bearer realm="perdure-admin"',
      })
    }
    await next()
  }
}
