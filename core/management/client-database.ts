import { DBOSInitializationError } from '../errors.ts'
import type { DatabasePort } from '../ports/database.ts'
import type { Runtime } from '../ports/runtime.ts'
import { openSystemDatabase, redact } from '../sysdb/connect.ts'
import { isEmbeddedUrl, launchedEmbedded } from '../sysdb/embedded.ts'
import { SystemDatabase } from '../sysdb/system-database.ts'

/** Where a `DBOSClient` finds the system database. */
export interface ClientDatabaseOptions {
  url: string
  schemaName: string
  appName: string | null
  poolSize: number
  /** A caller-supplied postgres.js instance. */
  pool?: unknown
}

/**
 * The system database of a `DBOSClient`, and whether the client owns its connections. On an embedded database
 * that DBOS launched in this process (memory:// or file:), the client shares the launch's connection, which the
 * launch closes: a directory must not be opened twice, and memory:// is reachable no other way. A client never
 * migrates, so a schema without the system tables is refused here, saying so, rather than failing every call
 * later with `relation "…workflow_status" does not exist`.
 */
export async function openClientDatabase(runtime: Runtime, o: ClientDatabaseOptions): Promise<{ sys: SystemDatabase; owned: boolean }> {
  const shared = isEmbeddedUrl(o.url) ? launchedEmbedded(o.url) : undefined
  if (!shared && o.url.startsWith('memory://')) {
    throw new DBOSInitializationError(
      'A memory:// system database exists only inside the process that launched DBOS on it: launch DBOS first, ' +
        'or use a file: or postgres:// URL',
    )
  }
  const db: DatabasePort = shared ?? await openSystemDatabase(runtime, {
    systemDatabasePoolSize: o.poolSize,
    ...(o.pool ? { systemDatabasePool: o.pool } : {}),
  }, o.url)
  try {
    const sys = SystemDatabase.on(db, o.schemaName, o.appName)
    if (!(await sys.hasTables())) {
      throw new DBOSInitializationError(
        `systemDatabaseSchemaName: schema "${o.schemaName}" of the system database at ${redact(o.url)} has no DBOS tables. ` +
          'A DBOSClient never creates them: launch the application (DBOS.launch()) on this database and schema first, ' +
          'or set systemDatabaseSchemaName to the schema it uses',
      )
    }
    return { sys, owned: !shared }
  } catch (e) {
    if (!shared) await db.close().catch(() => {})
    throw e
  }
}
