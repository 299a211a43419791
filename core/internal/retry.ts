import type { TimerPort } from '../ports/timer.ts'
import { isTransient } from './database-errors.ts'

/**
 * Runs `fn` again while it fails with a transient database error, backing off from 100 ms to 2 s, for at
 * most `budgetMs`; then the last error is thrown. Callers retry only idempotent writes: every engine write
 * is (an insert that already committed returns the stored row, an outcome already written changes nothing).
 * @param timer the runtime's clock and timers: the budget and the pauses follow it (a test clock included)
 * @param options.retryable narrows which transient errors are retried (default: all of them)
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  timer: TimerPort,
  options: { budgetMs?: number; stopped?: () => boolean; onRetry?: (e: unknown) => void; retryable?: (e: unknown) => boolean } = {},
): Promise<T> {
  const started = timer.now()
  const retryable = (e: unknown) => isTransient(e) && (options.retryable?.(e) ?? true)
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await fn()
    } catch (e) {
      if (!retryable(e) || options.stopped?.() || timer.now() - started + delay > (options.budgetMs ?? 60_000)) throw e
      options.onRetry?.(e)
      await new Promise<void>((resolve) => timer.schedule(delay, resolve))
    }
  }
}

const fromSystemDatabase = new WeakSet<object>()

/** Marks an error as raised by the system database, not by user code. */
export function markSystemError(e: unknown): unknown {
  if (e && typeof e === 'object') fromSystemDatabase.add(e)
  return e
}

/**
 * A transient failure of the system database itself (a step's own network error never counts). Followed
 * through `cause`, so workflow code that wraps the error it caught still gets a replay, not an outcome.
 */
export function isSystemOutage(e: unknown): boolean {
  for (let depth = 0; depth < 8 && e && typeof e === 'object'; depth++, e = (e as { cause?: unknown }).cause) {
    if (fromSystemDatabase.has(e) && isTransient(e)) return true
  }
  return false
}
