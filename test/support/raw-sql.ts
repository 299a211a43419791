import { launchedSystem } from '../../core/dbos.ts'

/**
 * Raw SQL against the launched system database, for checks the public API cannot make (row counts, backdating a
 * column). `s` is the quoted schema name to put before table names.
 */
export function rawSql(): { query: <T = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>; s: string } {
  const launched = launchedSystem()
  if (!launched) throw new Error('rawSql() needs a launched DBOS')
  const name = launched.engine.settings.sys.schemaName
  return { query: (text, params = []) => launched.db.query(text, params), s: `"${name.replace(/"/g, '""')}"` }
}
