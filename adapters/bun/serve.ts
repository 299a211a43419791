import { type HttpPort, HttpListenError } from '../../core/ports/http.ts'
import { bunGlobal } from './bun-global.ts'

/** Serves a fetch handler with Bun.serve; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) => {
  // Bun.serve throws when it cannot listen; the port promises a rejection instead, as on Node.
  let server: ReturnType<ReturnType<typeof bunGlobal>['serve']>
  // Bun gives a request without a Host header (HTTP/1.0) a relative URL, on which routers fail: make it
  // absolute with the server's own address, as Node's adapter and Deno do.
  const fetch = (req: Request) => {
    if (!req.url.startsWith('/')) return handler(req)
    const host = hostname.includes(':') ? `[${hostname}]` : hostname
    return handler(new Request(`http://${host}:${server.port}${req.url}`, req))
  }
  try {
    server = bunGlobal().serve({ fetch, port, hostname })
  } catch (e) {
    return Promise.reject(new HttpListenError(hostname, port, e))
  }
  return Promise.resolve({
    port: server.port,
    hostname,
    close: async () => {
      await server.stop(true)
    },
  })
}
