// The few Bun globals this adapter uses (https://bun.sh/docs/api/http), declared here so the type check
// needs no Bun type package.
declare namespace Bun {
  interface Server {
    readonly port: number
    readonly hostname: string
    stop(closeActiveConnections?: boolean): Promise<void> | void
  }
  function serve(options: {
    fetch: (req: Request) => Response | Promise<Response>
    port: number
    hostname?: string
  }): Server
  const env: Record<string, string | undefined>
}
