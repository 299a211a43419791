import { DBOSInitializationError } from '../errors.ts'
import { openSystemDatabase, redact } from '../sysdb/connect.ts'
import { SystemDatabase } from '../sysdb/system-database.ts'
import { text } from './args.ts'
import { type CliContext, type OptionSpec, type ParsedArgs, UsageError } from './command.ts'

/** Where the system database is, as every command that opens it takes it (`-s` as in DBOS's `dbos`). */
export const DATABASE_OPTIONS: readonly OptionSpec[] = [
  { name: 'db', value: 'url', description: 'System database URL (postgres://… or file:…); default: DBOS_SYSTEM_DATABASE_URL' },
  { name: 'sys-db-url', short: 's', value: 'url', description: 'Same as --db' },
  { name: 'schema', value: 'name', description: 'Schema of the system tables (default: dbos)' },
]

export const DEFAULT_SCHEMA = 'dbos'

/**
 * The system database URL: the argument given, else --db or -s/--sys-db-url, else DBOS_SYSTEM_DATABASE_URL.
 * A URL that names no database Perdure can open from outside the application is refused here (exit code 2).
 */
export function databaseUrl(ctx: CliContext, args: ParsedArgs, given?: string): string {
  const flags = [text(args, 'db'), text(args, 'sys-db-url')].filter((u) => u !== undefined)
  if (flags.length > 1 || (given !== undefined && flags.length > 0)) throw new UsageError('Give the system database URL once')
  const url = given ?? flags[0] ?? ctx.runtime.env('DBOS_SYSTEM_DATABASE_URL')
  if (url === undefined || url === '') {
    throw new UsageError('No system database URL: pass --db <url> (or -s <url>), or set DBOS_SYSTEM_DATABASE_URL')
  }
  if (url.startsWith('memory://')) {
    throw new UsageError('A memory:// database exists only inside the process that launched it: give its postgres:// or file: URL')
  }
  if (!/^postgres(ql)?:\/\//.test(url) && !url.startsWith('file:')) {
    throw new UsageError(`Not a system database URL: ${redact(url)} (expected postgres://, postgresql:// or file:)`)
  }
  if (url.startsWith('postgres')) {
    try {
      new URL(url)
    } catch {
      throw new UsageError(`Not a valid URL: ${redact(url)}`)
    }
  }
  return url
}

/**
 * Opens the system database in schema `schemaName`, for every application (`appName` null) or one.
 * `requireTables` refuses a schema without the system tables, saying how to create them.
 */
export async function openSystem(
  ctx: CliContext, url: string, schemaName: string, o: { appName: string | null; requireTables: boolean },
): Promise<SystemDatabase> {
  // No wait for a server that refuses or is starting: a command answers at once, and its user runs it again.
  const db = await openSystemDatabase(ctx.runtime, { name: 'perdure-cli', systemDatabasePoolSize: 2, systemDatabaseWaitMs: 0 }, url)
  try {
    let sys: SystemDatabase
    try {
      sys = SystemDatabase.on(db, schemaName, o.appName)
    } catch (e) {
      // The schema name is checked where it is quoted, and a bad one is the caller's to fix.
      throw new UsageError(`--schema: ${(e as Error).message}`)
    }
    if (o.requireTables && !(await sys.hasTables())) {
      throw new DBOSInitializationError(
        `Schema "${schemaName}" of the system database at ${redact(url)} has no system tables: run \`perdure migrate\` ` +
          'or launch the application on it first, or pass --schema with the schema it uses',
      )
    }
    return sys
  } catch (e) {
    await db.close().catch(() => {})
    throw e
  }
}

/** Runs `fn` on the system database the arguments name, closing it afterwards. */
export async function withSystem<T>(
  ctx: CliContext, args: ParsedArgs, o: { appName?: string | null }, fn: (sys: SystemDatabase) => Promise<T>,
): Promise<T> {
  const url = databaseUrl(ctx, args)
  const sys = await openSystem(ctx, url, text(args, 'schema') ?? DEFAULT_SCHEMA, { appName: o.appName ?? null, requireTables: true })
  try {
    return await fn(sys)
  } finally {
    await sys.close().catch(() => {})
  }
}
