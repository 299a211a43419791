/** A web-standard request handler, such as `hono.fetch`. */
export type FetchHandler = (req: Request) => Response | Promise<Response>

/** A running HTTP server. */
export interface HttpServer {
  readonly port: number
  readonly hostname: string
  close(): Promise<void>
}

/**
 * Serves a fetch handler. Binds to 127.0.0.1 unless a hostname is given. Never throws: a server that cannot
 * listen (the port taken, say) is a rejected promise of an HttpListenError, the same on every runtime.
 */
export interface HttpPort {
  serve(handler: FetchHandler, options: { port: number; hostname?: string }): Promise<HttpServer>
}

/** A server could not listen on its address; `code` is the system's reason when known (`EADDRINUSE`, `EACCES`). */
export class HttpListenError extends Error {
  override name = 'HttpListenError'
  readonly code: string | undefined
  constructor(hostname: string, port: number, cause: unknown) {
    const code = listenErrorCode(cause)
    const why = code === 'EADDRINUSE' ? 'the address is already in use' : cause instanceof Error ? cause.message : String(cause)
    super(`Cannot listen on ${hostname}:${port}: ${why}${code ? ` (${code})` : ''}`, { cause })
    this.code = code
  }
}

/** The errno-style code of a listen failure: Node and Bun set `code`; Deno throws Deno.errors.AddrInUse. */
function listenErrorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object') {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
    const name = (e as { name?: unknown }).name
    if (name === 'AddrInUse') return 'EADDRINUSE'
    if (name === 'PermissionDenied') return 'EACCES'
    if (name === 'AddrNotAvailable') return 'EADDRNOTAVAIL'
  }
  return undefined
}
