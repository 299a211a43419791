import type { Queryable } from '../ports/database.ts'

/** A transaction of postgres.js (the `sql` that `sql.begin` hands its callback) or of Bun.SQL, which shares its shape. */
interface UnsafeTransaction {
  unsafe(text: string, params?: unknown[]): PromiseLike<unknown[]>
  savepoint?: unknown
  begin?: unknown
}

/** A node-postgres client after BEGIN, or a PGlite transaction: `query` resolves with `{ rows }`. */
interface RowsTransaction {
  query(text: string, params?: unknown[]): PromiseLike<{ rows: unknown[] }>
  getTransactionStatus?: () => string | null
  totalCount?: unknown
  transaction?: unknown
}

/**
 * Runs the client's statements inside a transaction the caller owns, so they commit or roll back with the
 * caller's own writes (the transactional outbox of `DBOSClient.enqueueInTransaction` / `sendInTransaction`).
 * The transaction is told by its shape, as core imports no driver. Anything that would run the statements
 * outside one transaction — a pool, a postgres.js root `sql`, a node-postgres client that has not begun one —
 * is refused: the outbox would silently stop being atomic.
 */
export function foreignTransaction(tx: unknown, method: string): Queryable {
  if (isObject(tx) && typeof tx.unsafe === 'function') return unsafeQueryable(tx as unknown as UnsafeTransaction, method)
  if (isObject(tx) && typeof tx.query === 'function') return rowsQueryable(tx as unknown as RowsTransaction, method)
  throw new TypeError(
    `${method}: pass the caller's open transaction: the \`sql\` of postgres.js's sql.begin(sql => ...), ` +
      'or a node-postgres client after BEGIN',
  )
}

function unsafeQueryable(tx: UnsafeTransaction, method: string): Queryable {
  // Only a transaction's `sql` has savepoint(): the root instance runs each statement on any connection, and a
  // reserved connection (sql.reserve()) autocommits each one.
  if (typeof tx.savepoint !== 'function') {
    throw new TypeError(`${method}: this is a postgres.js instance or reserved connection, not a transaction: call it with the \`sql\` that sql.begin(sql => ...) passes`)
  }
  return {
    async query<TRow>(text: string, params: readonly unknown[] = []): Promise<TRow[]> {
      return (await tx.unsafe(text, defined(params))) as TRow[]
    },
  }
}

function rowsQueryable(tx: RowsTransaction, method: string): Queryable {
  if (tx.totalCount !== undefined) {
    throw new TypeError(`${method}: this is a node-postgres Pool, not a transaction: take a client with pool.connect(), BEGIN, then pass the client`)
  }
  if (typeof tx.transaction === 'function') {
    throw new TypeError(`${method}: this is a database, not a transaction: pass the transaction its transaction(tx => ...) hands you`)
  }
  // Without node-postgres's transaction status, only a PGlite transaction is known to hold its statements together.
  if (typeof tx.getTransactionStatus !== 'function' && !isPGliteTransaction(tx)) {
    throw new TypeError(`${method}: this is not a transaction: pass a node-postgres client after BEGIN, or a PGlite transaction`)
  }
  return {
    async query<TRow>(text: string, params: readonly unknown[] = []): Promise<TRow[]> {
      // node-postgres reports the server's transaction state ('I' idle, 'T' in one, 'E' failed): checked per
      // statement, as an idle client would autocommit each write on its own.
      if (typeof tx.getTransactionStatus === 'function' && tx.getTransactionStatus() === 'I') {
        throw new TypeError(`${method}: the node-postgres client is not in a transaction: run BEGIN on it first`)
      }
      return (await tx.query(text, defined(params))).rows as TRow[]
    },
  }
}

/** PGlite's transaction object: query() plus exec(), rollback() and a boolean `closed`. */
function isPGliteTransaction(tx: RowsTransaction): boolean {
  const t = tx as RowsTransaction & { exec?: unknown; rollback?: unknown; closed?: unknown }
  return typeof t.exec === 'function' && typeof t.rollback === 'function' && typeof t.closed === 'boolean'
}

/** The caller's driver may refuse undefined parameters (postgres.js does unless configured): send NULL. */
function defined(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : p))
}

function isObject(x: unknown): x is Record<string, unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null
}
