import type { DatabasePort, IsolationLevel, Queryable, Subscription } from '../ports/database.ts'

/** The slice of a postgres.js `sql` instance the engine uses (typed structurally: core never imports postgres). */
export interface PostgresJsLike {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): PromiseLike<unknown[]>
  begin<T>(options: string, fn: (tx: PostgresJsTx) => Promise<T>): PromiseLike<T>
  listen(channel: string, onNotify: (payload: string) => void): PromiseLike<{ unlisten(): Promise<void> }>
  reserve(): PromiseLike<PostgresJsTx & { release(): void }>
  end(options?: { timeout?: number }): PromiseLike<void>
}

interface PostgresJsTx {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): PromiseLike<unknown[]>
}

function queryable(target: PostgresJsTx): Queryable {
  return {
    async query<TRow>(text: string, params: readonly unknown[] = []): Promise<TRow[]> {
      // Named prepared statements: the engine sends a small, fixed set of statements many times.
      const rows = await target.unsafe(text, params as unknown[], { prepare: true })
      return rows as TRow[]
    },
  }
}

/**
 * Adapts a postgres.js instance to the DatabasePort. Errors pass through untouched: postgres.js already gives
 * them the shape DatabasePort's error contract asks for (a PostgresError with `code` and `severity`; a lost
 * connection with node:net's or its own code, e.g. EPIPE, CONNECTION_CLOSED).
 * @param ownsPool whether close() ends the pool (false for a caller-supplied pool).
 */
export function postgresJsDatabase(sql: PostgresJsLike, ownsPool = true): DatabasePort {
  const base = queryable(sql)
  return {
    kind: 'postgres',
    query: base.query,
    async exec(script: string): Promise<void> {
      // No parameters: the simple protocol runs a multi-statement script.
      await sql.unsafe(script)
    },
    async session(fn) {
      const conn = await sql.reserve()
      try {
        return await fn({
          ...queryable(conn),
          exec: async (script: string) => void (await conn.unsafe(script)),
        })
      } finally {
        conn.release()
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
      const mode = isolation ? `isolation level ${isolation}` : ''
      return await sql.begin(mode, (tx) => fn(queryable(tx)))
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<Subscription> {
      const sub = await sql.listen(channel, onPayload)
      return { unlisten: () => sub.unlisten() }
    },
    async close(): Promise<void> {
      if (ownsPool) await sql.end({ timeout: 5 })
    },
  }
}
