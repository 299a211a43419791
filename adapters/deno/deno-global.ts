// The slice of Deno's global this adapter uses (https://docs.deno.com/api/deno/), typed here rather than
// declared globally, so that the published types never clash with Deno's own.

interface DenoHttpServer {
  readonly addr: { port: number; hostname: string }
  shutdown(): Promise<void>
}

export interface DenoGlobal {
  serve(
    options: { port: number; hostname?: string; onListen?: (addr: { port: number; hostname: string }) => void },
    handler: (req: Request) => Response | Promise<Response>,
  ): DenoHttpServer
  unrefTimer(id: number): void
  readonly env: { get(name: string): string | undefined }
}

/** Deno's global object; only call inside functions that run on Deno. */
export function denoGlobal(): DenoGlobal {
  return (globalThis as unknown as { Deno: DenoGlobal }).Deno
}
