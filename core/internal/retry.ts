import { sqlState } from '../ports/database.ts'

// Connection-level failures: the statement never ran, or the server went away and will come back.
const TRANSIENT_STATES = new Set(['53300', '57P01', '57P02', '57P03', '53000'])
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
])

/** Whether a database error is worth retrying: the connection failed, not the statement. */
export function isTransient(e: unknown): boolean {
  const state = sqlState(e)
  if (state !== undefined) return state.startsWith('08') || TRANSIENT_STATES.has(state)
  const code = (e as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && TRANSIENT_CODES.has(code)
}

/**
 * Runs `fn` again while it fails with a transient database error, backing off from 100 ms to 2 s, for at
 * most `budgetMs`; then the last error is thrown. Callers retry only idempotent writes: every engine write
 * is (an insert that already committed returns the stored row, an outcome already written changes nothing).
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
  options: { budgetMs?: number; stopped?: () => boolean; onRetry?: (e: unknown) => void } = {},
): Promise<T> {
  const started = Date.now()
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn()
    } catch (e) {
      if (!isTransient(e) || options.stopped?.() || Date.now() - started + delay > (options.budgetMs ?? 60_000)) throw e
      options.onRetry?.(e)
      await sleep(delay)
    }
  }
}

const fromSystemDatabase = new WeakSet<object>()

/** Marks an error as raised by the system database, not by user code. */
export function markSystemError(e: unknown): unknown {
  if (e && typeof e === 'object') fromSystemDatabase.add(e)
  return e
}

/** A transient failure of the system database itself (a step's own network error never counts). */
export function isSystemOutage(e: unknown): boolean {
  return !!e && typeof e === 'object' && fromSystemDatabase.has(e) && isTransient(e)
}
