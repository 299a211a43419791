import type { HttpPort } from '../../core/ports/http.ts'
import { bunGlobal } from './bun-global.ts'

/** Serves a fetch handler with Bun.serve; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) => {
  const server = bunGlobal().serve({ fetch: handler, port, hostname })
  return Promise.resolve({
    port: server.port,
    hostname,
    close: async () => {
      await server.stop(true)
    },
  })
}
