// The one place that reads a database error: did the server refuse the statement (and with which SQLSTATE),
// or did the connection fail under it? Every other module asks here (sqlState, isTransient), so a driver's
// quirk is learned once. The shape relied on is DatabasePort's error contract (core/ports/database.ts).

/**
 * SQLSTATEs the server sends when the session, not the statement, failed: it is shutting down or crashed
 * (57P01, 57P02), starting up (57P03), closed an idle session (57P05), has no connection to spare
 * (53300, 53000), or the connection itself broke (class 08). Not 08P01 (protocol_violation): the server
 * rejected what was sent, which sending again repeats, so retrying it would never end.
 */
const CONNECTION_STATES = new Set(['57P01', '57P02', '57P03', '57P05', '53300', '53000'])

/**
 * Client-side codes of a connection that failed: the socket's (node:net on Node and Deno, as postgres.js
 * sees them) and postgres.js's own. Bun.SQL's are mapped to these by its adapter. CONNECTION_ENDED and
 * CONNECTION_DESTROYED also follow our own close(); retrying loops stop at shutdown, so that is harmless.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'ENOTCONN', 'EAI_AGAIN', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
])

const SQLSTATE = /^[0-9A-Z]{5}$/

/** What a database error means to the engine. */
export interface DatabaseErrorInfo {
  /**
   * The SQLSTATE, only when the server raised the error (it carries a `severity`). A client-side code that
   * happens to look like one (`EPIPE`, postgres.js's own `57014` for a query cancelled before it was sent) is
   * no SQLSTATE.
   */
  readonly sqlState: string | undefined
  /**
   * The connection failed, not the statement: the statement did not run, or ran and its reply was lost.
   * An idempotent write may be sent again, and a workflow may be replayed once the database is back.
   */
  readonly connectionLost: boolean
}

function field(e: object, name: string): unknown {
  return (e as Record<string, unknown>)[name]
}

/** Classifies anything a DatabasePort rejected with. */
export function classifyDatabaseError(e: unknown): DatabaseErrorInfo {
  if (!e || typeof e !== 'object') return { sqlState: undefined, connectionLost: false }
  const code = field(e, 'code')
  // Postgres's ErrorResponse always has a severity; postgres.js names the localized one severity_local.
  const fromServer = typeof field(e, 'severity') === 'string' || typeof field(e, 'severity_local') === 'string'
  if (fromServer && typeof code === 'string' && SQLSTATE.test(code)) {
    return { sqlState: code, connectionLost: (code.startsWith('08') && code !== '08P01') || CONNECTION_STATES.has(code) }
  }
  if (typeof code === 'string') return { sqlState: undefined, connectionLost: CONNECTION_CODES.has(code) }
  // A connect that tried several addresses (Node's autoSelectFamily) fails with an AggregateError.
  const errors = field(e, 'errors')
  const connectionLost = Array.isArray(errors) && errors.length > 0 && errors.every((x) => classifyDatabaseError(x).connectionLost)
  return { sqlState: undefined, connectionLost }
}

/** The SQLSTATE of an error the database server raised; undefined for driver and socket errors. */
export function sqlState(e: unknown): string | undefined {
  return classifyDatabaseError(e).sqlState
}

/** Whether a database error is worth retrying: the connection failed, not the statement. */
export function isTransient(e: unknown): boolean {
  return classifyDatabaseError(e).connectionLost
}
