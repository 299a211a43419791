// The system database over Bun's built-in Postgres client (Bun.SQL), Bun's default (PERDURE_BUN_SQL=0: postgres.js).
// It gives the engine what the postgres.js port gives it (core/sysdb/postgres-js.ts); the differences
// between the two drivers are evened out here, each where it arises.
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../core/sysdb/connect.ts'
import type { DatabasePort, IsolationLevel, Queryable, Subscription } from '../../core/ports/database.ts'
import { bunGlobal, type BunSql } from './bun-global.ts'

/** Bun's client-side codes for a connection that failed, mapped to the codes postgres.js uses for the same. */
const CONNECTION_CODES: Record<string, string> = {
  ERR_POSTGRES_CONNECTION_REFUSED: 'ECONNREFUSED',
  ERR_POSTGRES_CONNECTION_FAILED: 'ECONNRESET',
  ERR_POSTGRES_CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  ERR_POSTGRES_CONNECTION_TIMEOUT: 'CONNECT_TIMEOUT',
  ERR_POSTGRES_IDLE_TIMEOUT: 'CONNECTION_CLOSED',
  ERR_POSTGRES_LIFETIME_TIMEOUT: 'CONNECTION_CLOSED',
}

/**
 * Gives a Bun.SQL error the shape DatabasePort's error contract asks for (core/ports/database.ts). Bun sets
 * `code` to its own ERR_POSTGRES_* name for every error and puts a server error's SQLSTATE in `errno`: a
 * server error gets the SQLSTATE as `code` (with its `severity`), a lost connection postgres.js's code.
 * Bun's code stays in `driverCode`.
 */
function normalizeError(e: unknown, closed: boolean): unknown {
  if (!(e instanceof bunGlobal().SQL.SQLError)) return e
  const err = e as Error & { code?: unknown; errno?: unknown; severity?: unknown; driverCode?: unknown }
  const original = err.code
  // A server error: Bun copies the ErrorResponse's fields, severity included, whatever name it picks for
  // `code` (ERR_POSTGRES_SERVER_ERROR, or ERR_POSTGRES_SYNTAX_ERROR for 42601).
  if (typeof err.severity === 'string' && typeof err.errno === 'string' && /^[0-9A-Z]{5}$/.test(err.errno)) err.code = err.errno
  // After our own close() Bun reports CONNECTION_CLOSED as for a lost server; postgres.js says
  // CONNECTION_ENDED, and so do we.
  else if (typeof original === 'string' && original in CONNECTION_CODES) err.code = closed ? 'CONNECTION_ENDED' : CONNECTION_CODES[original]
  if (err.code !== original) err.driverCode = original
  return e
}

/**
 * Bun sends a JS number as a typed int4/int8/float8 parameter, where postgres.js leaves the type to the
 * server (so `text_column = $1` works with a number). Sent as text, a number is typed by the server, as
 * with postgres.js. undefined becomes NULL (postgres.js is configured with `transform: { undefined: null }`).
 */
function params(values: readonly unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'number' ? String(v) : v === undefined ? null : v))
}

/**
 * int8 columns hold epoch milliseconds and counts, read as numbers as with postgres.js. With `bigint: true`
 * Bun returns every int8 as a BigInt (by default a string, which could not be told from a text column).
 */
function int8ToNumber(rows: unknown[]): unknown[] {
  for (const row of rows as Record<string, unknown>[]) {
    for (const key in row) {
      const v = row[key]
      if (typeof v === 'bigint') row[key] = Number(v)
      else if (Array.isArray(v) && v.some((x) => typeof x === 'bigint')) row[key] = v.map((x) => (typeof x === 'bigint' ? Number(x) : x))
    }
  }
  return rows
}

/** Opens a Bun.SQL pool on a postgres:// URL, with the settings openDatabase gives postgres.js. */
export function bunSqlDatabase(url: string, poolSize: number, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): DatabasePort {
  // connectionTimeout is in seconds (fractions allowed): the launch's bound, so the driver does not give up first.
  const sql = new (bunGlobal().SQL)(url, { max: poolSize, connectionTimeout: connectTimeoutMs / 1000, bigint: true })
  let closed = false
  // An idle Bun.SQL connection, pooled or reserved, does not keep the process alive; an idle postgres.js one
  // does, and the engine counts on that: it waits on unref'd timers (the migration lock, retry backoff, a
  // client polling for a result) with nothing else pending. A ref'd timer holds the process until close().
  const keepAlive = setInterval(() => {}, 1 << 30)
  const fail = (e: unknown): never => {
    throw normalizeError(e, closed)
  }
  const queryable = (target: BunSql): Queryable => ({
    async query<TRow>(text: string, values: readonly unknown[] = []): Promise<TRow[]> {
      // Bun prepares and caches a named statement per query text on each connection (its `prepare` default).
      const rows = await target.unsafe(text, params(values)).catch(fail)
      return int8ToNumber(rows) as TRow[]
    },
  })
  // Without parameters Bun uses the simple protocol, which runs a multi-statement script.
  const exec = (target: BunSql) => async (script: string) => void (await target.unsafe(script).catch(fail))

  return {
    kind: 'postgres',
    query: queryable(sql).query,
    exec: exec(sql),
    async session(fn) {
      const conn = await sql.reserve().catch(fail)
      try {
        return await fn({ ...queryable(conn), exec: exec(conn) })
      } finally {
        conn.release()
      }
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
      // Bun appends the string to BEGIN, as postgres.js does; it rolls back when fn throws.
      return await sql.begin(isolation ? `isolation level ${isolation}` : '', (tx) => fn(queryable(tx))).catch(fail)
    },
    async listen(channel: string, onPayload: (payload: string) => void): Promise<Subscription> {
      // Like postgres.js: one extra connection for all channels, re-subscribed after a reconnect.
      const sub = await sql.listen(channel, onPayload).catch(fail)
      return { unlisten: () => sub.unlisten().catch(fail) }
    },
    async close(): Promise<void> {
      closed = true
      clearInterval(keepAlive)
      await sql.close({ timeout: 5 })
    },
  }
}
