import type { IsolationLevel, Queryable } from '../ports/database.ts'

// SQL fragments shared by the sysdb modules.

/** Milliseconds since the epoch on the database clock (docs/sysdb.md §0, NOW_MS). */
export const NOW_MS = '(EXTRACT(epoch FROM now()) * 1000)::bigint'

export { INTERNAL_QUEUE } from '../queue/internal-queue.ts'

/**
 * SCOPE(col) of docs/sysdb.md §0: with application names, rows of those applications or of none; with NULL, all.
 * @param param the placeholder bound to a text[] of names, or to NULL when the process has no name.
 */
export function scope(column: string, param: string): string {
  return `(${param}::text[] IS NULL OR ${column} = ANY(${param}::text[]) OR ${column} IS NULL)`
}

/** Transposes row objects into one array per column, for `unnest($1::text[], …)` batch statements. */
export function columns<T>(rows: readonly T[], keys: readonly (keyof T)[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k] ?? null))
}

/**
 * Runs statements and groups them into transactions: the pool, or (for a SystemDatabase bound to a caller's
 * transaction) that transaction, where a nested group simply joins it.
 */
export interface Transactional extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>, isolation?: IsolationLevel): Promise<T>
}
