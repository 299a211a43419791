/** A web-standard request handler, such as `hono.fetch`. */
export type FetchHandler = (req: Request) => Response | Promise<Response>

/** A running HTTP server. */
export interface HttpServer {
  readonly port: number
  readonly hostname: string
  close(): Promise<void>
}

/** Serves a fetch handler. Binds to 127.0.0.1 unless a hostname is given. */
export interface HttpPort {
  serve(handler: FetchHandler, options: { port: number; hostname?: string }): Promise<HttpServer>
}
