// The slice of Bun's global this adapter uses (https://bun.sh/docs/api/http), typed here rather than
// declared globally, so that the published types never clash with a consumer's own Bun types.

interface BunServer {
  readonly port: number
  stop(closeActiveConnections?: boolean): Promise<void> | void
}

export interface BunGlobal {
  serve(options: {
    fetch: (req: Request) => Response | Promise<Response>
    port: number
    hostname?: string
  }): BunServer
  readonly env: Record<string, string | undefined>
}

/** Bun's global object; only call inside functions that run on Bun. */
export function bunGlobal(): BunGlobal {
  return (globalThis as unknown as { Bun: BunGlobal }).Bun
}
