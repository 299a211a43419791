/** Transaction isolation levels the engine asks for. */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable'

/** Something that runs one parameterized statement. Transactions hand one of these to their callback. */
export interface Queryable {
  /** One parameterized statement ($1..$n); resolves with all rows. Safe for concurrent use. */
  query<TRow = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<TRow[]>
}

/** A live LISTEN subscription. */
export interface Subscription {
  unlisten(): Promise<void>
}

/**
 * The database surface the engine needs: statements, transactions, LISTEN and close.
 * Must be safe for concurrent use; each `query` outside a transaction is its own implicit transaction
 * (autocommit), which is what lets a checkpoint cost exactly one round trip.
 *
 * Errors: every method rejects with one of two shapes, which `classifyDatabaseError`
 * (core/internal/database-errors.ts) tells apart by fields, never by the look of a code.
 * - The server refused the statement: the error carries the server's ErrorResponse fields, at least `code`
 *   (the SQLSTATE) and `severity` (postgres.js's PostgresError, PGlite's DatabaseError; the Bun.SQL adapter
 *   moves Bun's SQLSTATE from `errno` to `code`).
 * - Anything else (the socket, the driver): no `severity`, and `code` names the failure. A lost connection
 *   uses node:net's codes (ECONNRESET, EPIPE, ECONNREFUSED, ETIMEDOUT, ...) or postgres.js's
 *   (CONNECTION_CLOSED, CONNECT_TIMEOUT, ...); an adapter whose driver says it otherwise maps it to these.
 */
export interface DatabasePort extends Queryable {
  /** Which engine is behind the port; PGlite has one connection, so callers may size batches by it. */
  readonly kind: 'postgres' | 'pglite'
  /** Runs a multi-statement script without parameters (DDL). */
  exec(script: string): Promise<void>
  /**
   * Runs fn on one dedicated connection (session-level advisory locks, explicit BEGIN/COMMIT).
   * The connection returns to the pool when fn settles.
   */
  session<T>(fn: (conn: Queryable & { exec(script: string): Promise<void> }) => Promise<T>): Promise<T>
  /** BEGIN…COMMIT around fn; ROLLBACK if it throws. `tx` is invalid once fn settles. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T>
  /** LISTEN on a channel; resolves once the subscription is live. Payloads arrive after commit. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<Subscription>
  /** Closes every connection. Pending statements finish first; later ones reject. */
  close(): Promise<void>
}

/** Options a driver factory receives. */
export interface DatabaseOptions {
  url: string
  poolSize: number
  /** Name of this app, used for the embedded database's folder. */
  appName: string
  /** A caller-supplied postgres.js instance to use instead of opening a pool. */
  pool?: unknown
  /** Told, before it starts, of slow work the open does: creating an embedded database takes seconds. */
  notice?: (message: string) => void
  /**
   * How long a server connection may take to answer (PERDURE_CONNECT_TIMEOUT_MS at launch), given to the
   * driver so that its own connect timeout is this bound, not a shorter default of its own.
   */
  connectTimeoutMs?: number
}

/** Builds a DatabasePort from a URL; the adapter picks the driver. */
export type DatabaseFactory = (options: DatabaseOptions) => Promise<DatabasePort>

// Existing callers read SQLSTATEs from here; the one classifier lives in core/internal/database-errors.ts.
export { sqlState } from '../internal/database-errors.ts'
