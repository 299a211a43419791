import { type HttpPort, HttpListenError } from '../../core/ports/http.ts'
import { denoGlobal } from './deno-global.ts'

/** Serves a fetch handler with Deno.serve; binds to 127.0.0.1 unless told otherwise. */
export const serve: HttpPort['serve'] = (handler, { port, hostname = '127.0.0.1' }) => {
  // Deno.serve throws (Deno.errors.AddrInUse) when it cannot listen; the port promises a rejection instead.
  let server: ReturnType<ReturnType<typeof denoGlobal>['serve']>
  try {
    // onListen replaces Deno's default "Listening on" line: the application decides what to print.
    server = denoGlobal().serve({ port, hostname, onListen() {} }, handler)
  } catch (e) {
    return Promise.reject(new HttpListenError(hostname, port, e))
  }
  return Promise.resolve({ port: server.addr.port, hostname, close: () => server.shutdown() })
}
