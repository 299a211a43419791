import { isTransient } from '../../core/internal/database-errors.ts'
import type { PostgresJsLike } from '../../core/sysdb/postgres-js.ts'

// postgres.js (3.4) keeps sending on a reserved connection, or a transaction's, after that connection's socket
// is gone: the statement is buffered for a socket that is null, and the write, run from setImmediate, throws
// `TypeError: Cannot read properties of null (reading 'write')` as an uncaught exception, which ends the
// process. Its own `begin` does so every time a connection is lost under a transaction: it sends ROLLBACK
// on it. The buffered bytes also stay behind and go out ahead of the next connection's startup message.
// So transactions run here on a reserved connection of our own, and nothing is sent on one once it is lost.

type Reserved = Awaited<ReturnType<PostgresJsLike['reserve']>>

/**
 * What is read of postgres.js's connection object, which the undocumented `onexecute` query option hands
 * over: `reserved` is cleared when its socket closes (and at release, after which nothing is sent here).
 */
interface ConnectionState {
  reserved: unknown
}

type StatementOptions = { prepare?: boolean; onexecute?: (connection: ConnectionState) => boolean }

/** An error of a connection that was lost: DatabasePort's contract classifies it as one (connectionLost). */
function connectionGone(cause: unknown): Error {
  const why = cause instanceof Error ? `: ${cause.message}` : ' while it was idle'
  return Object.assign(new Error(`The database connection was lost${why}`), { code: 'CONNECTION_CLOSED', cause })
}

/** A reserved connection that refuses statements once it is lost, and is released only while it lives. */
function guardReserved(conn: Reserved): Reserved {
  let lost: unknown
  let state: ConnectionState | undefined
  // Returning true keeps the pool's bookkeeping as it is without the option (the connection takes more).
  const capture = (connection: ConnectionState) => {
    state = connection
    return true
  }
  const gone = () => lost !== undefined || (state !== undefined && !state.reserved)
  const unsafe = (text: string, params?: unknown[], options?: StatementOptions): PromiseLike<unknown[]> => {
    if (gone()) return Promise.reject(connectionGone(lost))
    const sent = conn.unsafe(text, params, (state ? options : { ...options, onexecute: capture }) as { prepare?: boolean })
    return Promise.resolve(sent).catch((e: unknown) => {
      if (isTransient(e)) lost ??= e
      throw e
    })
  }
  return {
    unsafe,
    // A lost connection is already back in postgres.js's pool, closed: releasing it would put it among the
    // open ones, where the next statement would meet the null socket.
    release: () => void (gone() || conn.release()),
  }
}

/** The same postgres.js instance, with transactions and reserved connections that survive a lost connection. */
export function guardPostgresJs(sql: PostgresJsLike): PostgresJsLike {
  const reserve = async () => guardReserved(await sql.reserve())
  return {
    unsafe: (text, params, options) => sql.unsafe(text, params, options),
    listen: (channel, onNotify) => sql.listen(channel, onNotify),
    end: (options) => sql.end(options),
    reserve,
    async begin<T>(mode: string, fn: (tx: Reserved) => Promise<T>): Promise<T> {
      const conn = await reserve()
      try {
        await conn.unsafe(`BEGIN ${mode}`)
        let result: T
        try {
          result = await fn(conn)
        } catch (e) {
          // The statement's error is the one to report; a lost connection rolled the transaction back itself.
          await Promise.resolve(conn.unsafe('ROLLBACK')).catch(() => {})
          throw e
        }
        await conn.unsafe('COMMIT')
        return result
      } finally {
        conn.release()
      }
    },
  }
}
