import { type HttpPort, HttpListenError } from '../../core/ports/http.ts'
import { bunGlobal } from './bun-global.ts'

/** Serves a fetch handler with Bun.serve; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) => {
  // Bun.serve throws when it cannot listen; the port promises a rejection instead, as on Node.
  let server: ReturnType<ReturnType<typeof bunGlobal>['serve']>
  try {
    server = bunGlobal().serve({ fetch: handler, port, hostname })
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
