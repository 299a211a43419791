import { serve as honoServe } from '@hono/node-server'
import type { HttpPort, HttpServer } from '../../core/ports/http.ts'

/** Serves a fetch handler with @hono/node-server; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) =>
  new Promise<HttpServer>((resolve, reject) => {
    const server = honoServe({ fetch: handler, port, hostname }, (info) => {
      resolve({
        port: info.port,
        hostname,
        close: () => new Promise<void>((done) => server.close(() => done())),
      })
    })
    server.once('error', reject)
  })
