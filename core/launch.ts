import type { DBOSConfig } from './config.ts'
import { DBOSInitializationError } from './errors.ts'
import type { ConsoleLogger } from './logger.ts'
import type { DatabasePort } from './ports/database.ts'
import { sqlState } from './ports/database.ts'
import type { Runtime } from './ports/runtime.ts'
import { registerVersion } from './sysdb/application-versions.ts'
import { migrate } from './sysdb/migrations.ts'
import { quoteSchema } from './sysdb/schema.ts'
import { recoverPending } from './sysdb/workflow-status.ts'
import type { Registry } from './engine/registry.ts'

/** The package version, part of the default application version digest. */
export const PERDURE_VERSION = '0.1.0'

/** Where the system database lives: the configured URL, the environment, or embedded PGlite. */
export function resolveDatabaseUrl(config: DBOSConfig, runtime: Runtime, logger: ConsoleLogger): string {
  const url = config.systemDatabaseUrl ?? runtime.env('DBOS_SYSTEM_DATABASE_URL')
  if (url) return url
  const dir = `.perdure/${(config.name ?? 'app').replace(/[^A-Za-z0-9_.-]/g, '_')}`
  logger.info(`No systemDatabaseUrl set: keeping workflow state in embedded PGlite under ${dir}/`)
  return `file:${dir}`
}

/** Hides a password in a URL before it goes into a message. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}

/** Opens the system database, creating a missing Postgres database first (spec §1.4 step 1). */
export async function openSystemDatabase(runtime: Runtime, config: DBOSConfig, url: string): Promise<DatabasePort> {
  const poolSize = config.systemDatabasePoolSize ?? 10
  const appName = config.name ?? 'app'
  const open = async (target: string, size = poolSize) => {
    const db = await runtime.openDatabase({ url: target, poolSize: size, appName, pool: config.systemDatabasePool })
    try {
      await db.query('SELECT 1')
      return db
    } catch (e) {
      await db.close().catch(() => {})
      throw e
    }
  }
  try {
    try {
      return await open(url)
    } catch (e) {
      if (sqlState(e) !== '3D000' || config.systemDatabasePool) throw e
      await createDatabase(open, url)
      return await open(url)
    }
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    throw new DBOSInitializationError(
      `Cannot connect to the system database at ${redact(url)}: ${(e as Error).message}. ` +
        'Check that the server is running and the URL (systemDatabaseUrl or DBOS_SYSTEM_DATABASE_URL) is right.',
      { cause: e },
    )
  }
}

async function createDatabase(open: (url: string, poolSize: number) => Promise<DatabasePort>, url: string): Promise<void> {
  const parsed = new URL(url)
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  parsed.pathname = '/postgres'
  // One statement: one connection, however large the pool (some drivers open the whole pool up front).
  const admin = await open(parsed.toString(), 1)
  try {
    await admin.exec(`CREATE DATABASE "${name.replace(/"/g, '""')}"`)
  } catch (e) {
    // Another process created it first: 42P04 once it has committed, 23505 (pg_database's unique index)
    // while both CREATE DATABASE statements are still in flight.
    if (sqlState(e) !== '42P04' && sqlState(e) !== '23505') throw e
  } finally {
    await admin.close()
  }
}

/** The application version: configured, from the environment, or a digest of the workflow sources. */
export async function applicationVersion(config: DBOSConfig, runtime: Runtime, registry: Registry): Promise<string> {
  if (config.applicationVersion) return config.applicationVersion
  if (config.enablePatching) return 'PATCHING_ENABLED'
  const fromEnv = runtime.env('DBOS__APPVERSION')
  if (fromEnv) return fromEnv
  const sources = registry.all().map((r) => `${r.className}.${r.name}:${r.fn.toString()}`).sort()
  const text = [...sources, PERDURE_VERSION, config.name ?? ''].join('\n')
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Migrates, registers the version and re-enqueues this executor's unfinished workflows. */
export async function prepareDatabase(
  db: DatabasePort,
  runtime: Runtime,
  config: DBOSConfig,
  executorID: string,
  version: string,
  logger: ConsoleLogger,
): Promise<{ schema: string; isLatestVersion: boolean }> {
  const schemaName = config.systemDatabaseSchemaName ?? 'dbos'
  const s = quoteSchema(schemaName)
  const sleep = (ms: number) => new Promise<void>((r) => runtime.timer.schedule(ms, r))
  try {
    await migrate(db, schemaName, s, sleep)
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    throw new DBOSInitializationError(`Migrating the system database failed: ${(e as Error).message}`, { cause: e })
  }
  const appName = config.name ?? null
  const { isLatest, latest } = await registerVersion(db, s, version, appName)
  if (!isLatest) logger.warn(`Application version ${version} is not the latest (${latest}); queued work of the latest version will not run here`)
  const recovered = await recoverPending(db, s, executorID, version, appName ? [appName] : undefined)
  if (recovered.length > 0) logger.info(`Recovering ${recovered.length} workflow(s) of executor ${executorID}`)
  return { schema: s, isLatestVersion: isLatest }
}
