import { isTransient } from '../../core/internal/database-errors.ts'
import type { PostgresJsLike } from '../../core/sysdb/postgres-js.ts'

// postgres.js (3.4) keeps sending on a reserved connection, or a transaction's, after that connection's socket
// is gone: the statement is buffered for a socket that is null, and the write, run from setImmediate, throws
// `TypeError: Cannot read properties of null (reading 'write')` as an uncaught exception, which ends the
// process. Its own `begin` does so every time a connection is lost under a transaction: it sends ROLLBACK
// on it. The buffered bytes also stay behind and go out ahead of the next connection's startup message.
// So nothing is sent here on a transaction's or a reserved connection's connection once it is lost.

type Reserved = Awaited<ReturnType<PostgresJsLike['reserve']>>
type Transaction = Pick<Reserved, 'unsafe'>

/**
 * What is used of postgres.js's connection object, which the undocumented `onexecute` query option hands
 * over: `reserved` is cleared when its socket closes (and at release), and `onclose` is called then, as
 * postgres.js's own `begin` has it called.
 */
interface ConnectionState {
  reserved: unknown
  onclose: ((e: unknown) => void) | null
}

type StatementOptions = { prepare?: boolean; onexecute?: (connection: ConnectionState) => boolean }

/** An error of a connection that was lost: DatabasePort's contract classifies it as one (connectionLost). */
function connectionGone(cause: unknown): Error {
  const why = cause instanceof Error ? `: ${cause.message}` : ' while it was idle'
  return Object.assign(new Error(`The database connection was lost${why}`), { code: 'CONNECTION_CLOSED', cause })
}

/**
 * A reserved connection that refuses statements once it is lost, fails those still waiting when it is lost
 * (postgres.js queues a reserved connection's statements while one is being prepared, and drops that queue
 * with the connection: they would never settle), and is released only while it lives.
 */
function guardReserved(conn: Reserved): Reserved {
  let lost: unknown
  let state: ConnectionState | undefined
  let reject: (e: Error) => void = () => {}
  const closed = new Promise<never>((_, r) => (reject = r))
  // Nobody may be waiting when it comes.
  closed.catch(() => {})
  // Returning true keeps the pool's bookkeeping as it is without the option (the connection takes more).
  const capture = (connection: ConnectionState) => {
    state = connection
    connection.onclose = (e) => {
      lost ??= e
      reject(connectionGone(lost))
    }
    return true
  }
  const gone = () => lost !== undefined || (state !== undefined && !state.reserved)
  const unsafe = (text: string, params?: unknown[], options?: StatementOptions): PromiseLike<unknown[]> => {
    if (gone()) return Promise.reject(connectionGone(lost))
    const sent = conn.unsafe(text, params, (state ? options : { ...options, onexecute: capture }) as { prepare?: boolean })
    const settled = Promise.resolve(sent).catch((e: unknown) => {
      if (isTransient(e)) lost ??= e
      throw e
    })
    return Promise.race([settled, closed])
  }
  return {
    unsafe,
    // A lost connection is already back in postgres.js's pool, closed: releasing it would put it among the
    // open ones, where the next statement would meet the null socket.
    release() {
      if (gone()) return
      if (state) state.onclose = null
      conn.release()
    },
  }
}

/** The same postgres.js instance, with transactions and reserved connections that survive a lost connection. */
export function guardPostgresJs(sql: PostgresJsLike): PostgresJsLike {
  return {
    unsafe: (text, params, options) => sql.unsafe(text, params, options),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    end: (options) => sql.end(options),
    reserve: async () => guardReserved(await sql.reserve()),
    begin<T>(mode: string, fn: (tx: Transaction) => Promise<T>): PromiseLike<T> {
      // postgres.js's begin fails the transaction itself when its connection closes (it listens for that).
      // What it must not do is send ROLLBACK on the dead connection once fn fails: so a failure of fn that
      // came with the connection's loss is never reported to it, and the transaction ends on the close.
      return sql.begin(mode, (tx) => {
        const guarded = guardTransaction(tx)
        return fn(guarded.tx).catch((e: unknown) => {
          if (guarded.lost()) return new Promise<T>(() => {})
          throw e
        })
      })
    },
  }
}

/** A transaction's statements, refused once its connection is lost (see guardReserved). */
function guardTransaction(tx: Transaction): { tx: Transaction; lost(): boolean } {
  let lost = false
  let state: ConnectionState | undefined
  const capture = (connection: ConnectionState) => {
    state = connection
    return true
  }
  const gone = () => lost || (state !== undefined && !state.reserved)
  return {
    lost: gone,
    tx: {
      unsafe(text: string, params?: unknown[], options?: StatementOptions) {
        if (gone()) return Promise.reject(connectionGone(undefined))
        const sent = tx.unsafe(text, params, (state ? options : { ...options, onexecute: capture }) as { prepare?: boolean })
        return Promise.resolve(sent).catch((e: unknown) => {
          if (isTransient(e)) lost = true
          throw e
        })
      },
    },
  }
}
