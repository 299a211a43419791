import { DBOSInitializationError } from '../errors.ts'
import { redact } from '../sysdb/connect.ts'
import { text } from './args.ts'
import type { CliCommand, CliContext } from './command.ts'
import { DATABASE_OPTIONS, databaseUrl, DEFAULT_SCHEMA, openSystem } from './connection.ts'

// `perdure migrate` and `perdure schema`: create the system database (a missing Postgres database too) and
// bring its tables to the current schema, as a launch does, so that an operator can do it ahead of deploying.

async function migrateSystem(ctx: CliContext, url: string, schemaName: string): Promise<void> {
  const sys = await openSystem(ctx, url, schemaName, { appName: null, requireTables: false })
  try {
    await sys.migrate(ctx.runtime.timer)
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    throw new DBOSInitializationError(`Migrating the system database failed: ${(e as Error).message}`, { cause: e })
  } finally {
    await sys.close().catch(() => {})
  }
  ctx.out(`The system tables in schema "${schemaName}" of ${redact(url)} are at the current version.\n`)
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
    ],
    async run(ctx, args) {
      await migrateSystem(ctx, databaseUrl(ctx, args, args.positionals[0]), text(args, 'schema') ?? DEFAULT_SCHEMA)
    },
  },
]
