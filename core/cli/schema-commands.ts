import { DBOSInitializationError } from '../errors.ts'
import { redact } from '../sysdb/connect.ts'
import { SystemDatabase } from '../sysdb/system-database.ts'
import { text } from './args.ts'
import { type CliCommand, type CliContext, type ParsedArgs, UsageError } from './command.ts'
import { DATABASE_OPTIONS, databaseUrl, DEFAULT_SCHEMA, openSystem } from './connection.ts'

// `perdure migrate` and `perdure schema`: create the system database (a missing Postgres database too) and
// bring its tables to the current schema, as a launch does, so that an operator can do it ahead of deploying.

async function migrateSystem(ctx: CliContext, url: string, schemaName: string, appRole?: string): Promise<void> {
  const sys = await openSystem(ctx, url, schemaName, { appName: null, requireTables: false })
  try {
    await sys.migrate(ctx.runtime.timer)
    if (appRole !== undefined) await sys.grantAccess(appRole)
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    throw new DBOSInitializationError(`Migrating the system database failed: ${(e as Error).message}`, { cause: e })
  } finally {
    await sys.close().catch(() => {})
  }
  ctx.out(`The system tables in schema "${schemaName}" of ${redact(url)} are at the current version.\n`)
  if (appRole !== undefined) ctx.out(`Role "${appRole}" may use them.\n`)
}

/**
 * `schema --print-migrations` and `--print-user-role`: the SQL on standard output, for review or for psql,
 * without connecting anywhere.
 */
function printScript(ctx: CliContext, args: ParsedArgs, schemaName: string): void {
  const migrations = text(args, 'print-migrations')
  const role = text(args, 'app-role')
  if (migrations !== undefined && args.options['print-user-role']) throw new UsageError('--print-user-role cannot be combined with --print-migrations')
  if (migrations === undefined && role === undefined) throw new UsageError('--print-user-role needs --app-role <role>')
  let from: 'all' | number = 'all'
  if (migrations !== undefined && migrations !== 'all') {
    if (!/^\d+$/.test(migrations)) throw new UsageError(`--print-migrations takes 'all' or a migration number, got ${JSON.stringify(migrations)}`)
    from = Number(migrations)
  }
  try {
    ctx.out(migrations !== undefined ? SystemDatabase.migrationScript(schemaName, from) : SystemDatabase.grantScript(schemaName, role!))
  } catch (e) {
    // A bad schema name (quoteSchema's TypeError) is the caller's to fix, as a bad role or migration number is.
    if (e instanceof TypeError) throw new UsageError(`--schema: ${e.message}`)
    throw e
  }
}

export const SCHEMA_COMMANDS: readonly CliCommand[] = [
  {
    path: ['migrate'],
    summary: 'Create the system database and its tables, or bring them to the current version',
    options: DATABASE_OPTIONS,
    async run(ctx, args) {
      await migrateSystem(ctx, databaseUrl(ctx, args), text(args, 'schema') ?? DEFAULT_SCHEMA)
    },
  },
  {
    path: ['schema'],
    summary: 'Create the system database and its tables (the URL as an argument, as DBOS\'s `dbos schema` takes it)',
    positionals: [{ name: 'systemDatabaseUrl', description: 'the system database URL (default: --db or DBOS_SYSTEM_DATABASE_URL)', required: false }],
    // -s is the schema here, as in `dbos schema`.
    options: [
      { name: 'schema', short: 's', value: 'name', description: 'Schema of the system tables (default: dbos)' },
      { name: 'db', value: 'url', description: 'System database URL; default: DBOS_SYSTEM_DATABASE_URL' },
      { name: 'app-role', short: 'r', value: 'role', description: 'Also grant this role (the one the application runs as) the use of the system tables' },
      {
        name: 'print-migrations', value: 'all|N',
        description: "Print the SQL instead of running it: the fresh install ('all'), or the shared migrations from N (100 to 123) on",
      },
      { name: 'print-user-role', description: 'Print the SQL granting --app-role the use of the system tables instead of running it' },
    ],
    async run(ctx, args) {
      const schemaName = text(args, 'schema') ?? DEFAULT_SCHEMA
      if (text(args, 'print-migrations') !== undefined || args.options['print-user-role']) return printScript(ctx, args, schemaName)
      const role = text(args, 'app-role')
      if (role === '') throw new UsageError('--app-role must not be empty')
      await migrateSystem(ctx, databaseUrl(ctx, args, args.positionals[0]), schemaName, role)
    },
  },
]
