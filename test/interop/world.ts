// What the interop checks share: fixture child processes, schema dumps, direct SQL, and waits with a deadline
// (a hung wait must fail its test, not hang the file).
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import postgres from 'postgres'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { postgresUrl } from '../support/databases.ts'

/** An official DBOS 5.3.0 executor (test/interop/dbos-executor.ts); it has launched once it prints `READY`. */
export function dbosExecutor(url: string, options: { migrations: boolean }): Child {
  const args = ['--db', url, ...(options.migrations ? [] : ['--no-migrations'])]
  return new Child('official executor', scriptCommand('test/interop/dbos-executor.ts', args))
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export { waitFor, within } from '../support/wait.ts'


/** `pg_dump --schema-only` of a database's `dbos` schema. */
export function schemaDump(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ['--schema-only', '--no-owner', '--no-privileges', '--schema=dbos', `--dbname=${url}`]
    execFile('pg_dump', args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`pg_dump failed: ${error.message}\n${stderr}`))
      else resolve(withoutSessionKeys(stdout))
    })
  })
}

/** pg_dump 15.14+ brackets its output with `\restrict <random key>`; the key differs on every run. */
function withoutSessionKeys(dump: string): string {
  return dump.replace(/^\\(un)?restrict \S+$/gm, '\\$1restrict <key>')
}

/** A dump with every function body replaced by a placeholder: the spec lets the bodies differ in text (§1.2). */
export function withoutFunctionBodies(dump: string): string {
  return dump.replace(/\bAS (\$[A-Za-z_]*\$)[\s\S]*?\1;/g, 'AS <body>;')
}

/** One connection for direct reads and writes of the system database; end() it. */
export function connect(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => {} })
}

/** The versions `dbos_migrations` holds. */
export async function migrationVersions(url: string): Promise<number[]> {
  const sql = connect(url)
  try {
    const rows = await sql<{ version: string }[]>`SELECT version FROM dbos.dbos_migrations ORDER BY version`
    return rows.map((r) => Number(r.version))
  } finally {
    await sql.end({ timeout: 5 })
  }
}

interface PgClient {
  connect(): Promise<void>
  end(): Promise<void>
}
interface OfficialMigrations {
  allMigrations(schema: string, options: { useListenNotify: boolean; isCockroach: boolean }): unknown[]
}
interface OfficialRunner {
  runSysMigrationsPg(client: PgClient, migrations: unknown[], schema: string, options: object): Promise<unknown>
}

/**
 * Creates the database and applies the official SDK's own migrations 1..`version` with its own runner, as an
 * official SDK of that version would have left it. These modules are internal to the package (not in its
 * export map), so they are loaded by file path; `pg` is the package's own dependency.
 */
export async function officialMigrationsUpTo(url: string, version: number): Promise<void> {
  // The package's main file is dist/src/index.js.
  const sdk = join(dirname(createRequire(import.meta.url).resolve('@dbos-inc/dbos-sdk')), '..', '..')
  const fromSdk = createRequire(join(sdk, 'package.json'))
  const { allMigrations } = fromSdk('./dist/src/sysdb_migrations/internal/migrations.js') as OfficialMigrations
  const { runSysMigrationsPg } = fromSdk('./dist/src/sysdb_migrations/migration_runner.js') as OfficialRunner
  const { Client } = fromSdk('pg') as { Client: new (config: { connectionString: string }) => PgClient }
  const admin = connect(postgresUrl('postgres'))
  try {
    await admin.unsafe(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`)
  } finally {
    await admin.end({ timeout: 5 })
  }
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    const migrations = allMigrations('dbos', { useListenNotify: true, isCockroach: false }).slice(0, version)
    await runSysMigrationsPg(client, migrations, 'dbos', { onWarn: () => {} })
  } finally {
    await client.end()
  }
}
