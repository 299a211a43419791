// The few Deno globals this adapter uses (https://docs.deno.com/api/deno/), declared here so the type check
// needs no Deno type package.
declare namespace Deno {
  interface HttpServer {
    readonly addr: { port: number; hostname: string }
    shutdown(): Promise<void>
  }
  function serve(
    options: { port: number; hostname?: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (req: Request) => Response | Promise<Response>,
  ): HttpServer
  function unrefTimer(id: number): void
  const env: { get(name: string): string | undefined }
}
