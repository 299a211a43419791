import type { HttpPort } from '../../core/ports/http.ts'
import { denoGlobal } from './deno-global.ts'

/** Serves a fetch handler with Deno.serve; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) => {
  // onListen replaces Deno's default "Listening on" line: the application decides what to print.
  const server = denoGlobal().serve({ port, hostname, onListen() {} }, handler)
  return Promise.resolve({ port: server.addr.port, hostname, close: () => server.shutdown() })
}
