// The slice of Bun's global this adapter uses (https://bun.sh/docs/api/http), typed here rather than
// declared globally, so that the published types never clash with a consumer's own Bun types.

interface BunServer {
  readonly port: number
  stop(closeActiveConnections?: boolean): Promise<void> | void
}

/** The slice of a Bun.SQL client (https://bun.sh/docs/runtime/sql) that adapters/bun/bun-sql.ts uses. */
export interface BunSql {
  unsafe(text: string, params?: unknown[]): Promise<unknown[]>
  begin<T>(options: string, fn: (tx: BunSql) => Promise<T>): Promise<T>
  reserve(): Promise<BunSql & { release(): void }>
  listen(channel: string, onNotify: (payload: string) => void): Promise<{ unlisten(): Promise<void> }>
  close(options?: { timeout?: number }): Promise<void>
}

interface BunSqlClass {
  new (url: string, options: { max: number; connectionTimeout: number; bigint: boolean }): BunSql
  /** Base class of every error Bun.SQL raises (PostgresError extends it). */
  readonly SQLError: abstract new (...args: never[]) => Error
}

export interface BunGlobal {
  serve(options: {
    fetch: (req: Request) => Response | Promise<Response>
    port: number
    hostname?: string
  }): BunServer
  readonly env: Record<string, string | undefined>
  readonly SQL: BunSqlClass
}

/** Bun's global object; only call inside functions that run on Bun. */
export function bunGlobal(): BunGlobal {
  return (globalThis as unknown as { Bun: BunGlobal }).Bun
}
