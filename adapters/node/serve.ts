import type { Server } from 'node:http'
import { serve as honoServe } from '@hono/node-server'
import { type HttpPort, HttpListenError, type HttpServer } from '../../core/ports/http.ts'

/** How long close() lets open requests (e.g. event streams) finish before cutting them off. */
const CLOSE_GRACE_MS = 2000

/** Serves a fetch handler with @hono/node-server; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) =>
  new Promise<HttpServer>((resolve, reject) => {
    const server = honoServe({ fetch: handler, port, hostname }, (info) => {
      resolve({ port: info.port, hostname, close: () => closeServer(server as Server) })
    }) as Server
    // Before listening, an 'error' is the listen failing (EADDRINUSE, EACCES): the same error as on Bun and Deno.
    server.once('error', (e) => reject(new HttpListenError(hostname, port, e)))
  })

// server.close() alone waits for every keep-alive socket, and a client that keeps reconnecting keeps one
// busy forever: https://nodejs.org/api/http.html#servercloseidleconnections
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((done) => {
    server.on('request', (_req, res) => res.setHeader('connection', 'close'))
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
    force.unref()
    server.close(() => {
      clearTimeout(force)
      done()
    })
    server.closeIdleConnections()
  })
}
