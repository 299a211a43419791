import { DBOSInvalidArgumentError } from '../errors.ts'
import type { Queryable } from '../ports/database.ts'
import { SCHEMA_VERSION } from './migrations.ts'
import { schemaFunctions, schemaTables } from './schema.ts'
import { SHARED_MIGRATIONS } from './shared-migrations.ts'

// What an operator runs by hand on the system schema: the DDL as a script to review and apply with psql, the
// grants for the role an application runs as, and dropping the schema.

/** Quotes a role name for use as an identifier; any name Postgres accepts, embedded quotes doubled. */
export function quoteRole(name: string): string {
  if (name === '' || name.includes('\0') || new TextEncoder().encode(name).length > 63) {
    throw new DBOSInvalidArgumentError('app role', 'a role name of 1 to 63 bytes without NUL', JSON.stringify(name))
  }
  return `"${name.replace(/"/g, '""')}"`
}

/** The statements that let `role` (quoted) use every object of the schema, those created later included. */
export function grantStatements(s: string, role: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${role}`,
    `GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${s} TO ${role}`,
    `GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT ALL ON TABLES TO ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT ALL ON SEQUENCES TO ${role}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT EXECUTE ON FUNCTIONS TO ${role}`,
  ]
}

/** The grants as a script. */
export function grantScript(s: string, role: string): string {
  return [`-- Access to the system schema ${s} for role ${role}`, ...grantStatements(s, role).map((g) => `${g};`)].join('\n') + '\n'
}

const FIRST_SHARED = SHARED_MIGRATIONS[0]!.version

/**
 * The SQL that brings schema `s` to the current version: from nothing (`from` 'all' or 1, a fresh install in one
 * transaction), or from shared migration `from` on, for a schema at `from` - 1. Applicable with plain psql.
 */
export function migrationScript(s: string, from: 'all' | number): string {
  const header = ['-- This script is for PostgreSQL only.']
  if (from === 'all' || from === 1) {
    return [
      ...header,
      '-- A fresh install: run it on a database whose schema has no system tables yet.',
      'BEGIN;',
      schemaTables(s).trim(),
      schemaFunctions(s).trim(),
      `INSERT INTO ${s}.dbos_migrations (version) VALUES (${SCHEMA_VERSION});`,
      'COMMIT;',
    ].join('\n') + '\n'
  }
  if (!Number.isSafeInteger(from) || from < 1 || from > SCHEMA_VERSION) {
    throw new DBOSInvalidArgumentError('migration', `must be 'all' or a migration from 1 to ${SCHEMA_VERSION}`, String(from))
  }
  if (from < FIRST_SHARED) {
    // Migrations 2 to 99 exist only in the older numbering of the official SDKs, which Perdure does not carry.
    throw new DBOSInvalidArgumentError(
      'migration',
      `Perdure prints the fresh install ('all') or the shared migrations ${FIRST_SHARED} to ${SCHEMA_VERSION}; ` +
        'bring an older schema to 99 with an official DBOS SDK',
      String(from),
    )
  }
  const lines = [...header, '-- Contains CREATE/DROP INDEX CONCURRENTLY: run it outside a transaction block (plain psql, not --single-transaction).']
  for (const m of SHARED_MIGRATIONS) {
    if (m.version < from) continue
    const bump = `UPDATE ${s}.dbos_migrations SET version = ${m.version};`
    const statements = m.statements(s).map((t) => `${t.trim().replace(/;$/, '')};`)
    lines.push(`-- Migration ${m.version}`, ...(m.kind === 'tx' ? ['BEGIN;', ...statements, bump, 'COMMIT;'] : [...statements, bump]))
  }
  return lines.join('\n') + '\n'
}

/** Drops the schema and everything in it; a missing schema is no error. */
export async function dropSchema(q: Queryable, s: string): Promise<void> {
  await q.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
}
