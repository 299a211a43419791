import type { DatabasePort, IsolationLevel, Queryable, Subscription } from '../ports/database.ts'

/** The slice of a PGlite instance the engine uses (typed structurally: core never imports PGlite). */
export interface PGliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
  exec(script: string): Promise<unknown>
  transaction<T>(fn: (tx: PGliteTx) => Promise<T>): Promise<T>
  listen(channel: string, cb: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

interface PGliteTx {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>
}

function queryable(target: PGliteTx): Queryable {
  return {
    async query<TRow>(text: string, params: readonly unknown[] = []): Promise<TRow[]> {
      const result = await target.query<TRow>(text, params as unknown[])
      return result.rows
    },
  }
}

/**
 * Adapts a PGlite instance to the DatabasePort. PGlite has one connection, so statements run one at a time.
 * Errors pass through untouched: PGlite's DatabaseError carries `code` and `severity`, as the port's error
 * contract asks; there is no connection to lose.
 */
export function pgliteDatabase(db: PGliteLike): DatabasePort {
  const base = queryable(db)
  return {
    kind: 'pglite',
    query: base.query,
    async exec(script: string): Promise<void> {
      await db.exec(script)
    },
    async session(fn) {
      return await fn({ ...base, exec: async (script: string) => void (await db.exec(script)) })
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
      return await db.transaction(async (tx) => {
        // One connection: isolation only matters for the statements' own view, but keep the request honest.
        if (isolation) await tx.query(`SET TRANSACTION ISOLATION LEVEL ${isolation}`)
        return await fn(queryable(tx))
      })
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<Subscription> {
      const unlisten = await db.listen(channel, onPayload)
      return { unlisten }
    },
    async close(): Promise<void> {
      await db.close()
    },
  }
}
