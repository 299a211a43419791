import { DBOSInitializationError } from '../errors.ts'
import type { Runtime } from '../ports/runtime.ts'
import { openSystemDatabase } from '../sysdb/connect.ts'
import { SystemDatabase } from '../sysdb/system-database.ts'

/**
 * Creates or migrates the system database at `url` (a missing Postgres database too) without launching, and
 * grants `applicationRole`, if given, the use of the system tables: for a privileged role ahead of deploys whose
 * own role cannot run DDL.
 */
export async function migrateSystemDatabase(
  runtime: Runtime, url: string, options: { schemaName?: string; applicationRole?: string } = {},
): Promise<void> {
  if (typeof url !== 'string' || url === '') throw new DBOSInitializationError('DBOS.migrate needs the system database URL')
  const db = await openSystemDatabase(runtime, { name: 'perdure-migrate', systemDatabasePoolSize: 2 }, url)
  let sys: SystemDatabase
  try {
    sys = SystemDatabase.on(db, options.schemaName ?? 'dbos', null)
  } catch (e) {
    await db.close().catch(() => {})
    throw e
  }
  try {
    await sys.migrate(runtime.timer)
    if (options.applicationRole !== undefined) await sys.grantAccess(options.applicationRole)
  } finally {
    await sys.close().catch(() => {})
  }
}
