// The shared migrations 100–123 (docs/sysdb.md §1.4): every DBOS SDK defines the same change at the same number, so a
// database any of them left at 99 or later can be brought to 123 by any other. Statements use IF [NOT] EXISTS.
import { createIndex, enqueueWorkflowFunction, payloadTables, splitStatements } from './schema.ts'

/**
 * One shared migration. A `tx` migration runs with its version bump in one transaction; an `online` one is a
 * single `CONCURRENTLY` statement in autocommit (it cannot run inside a transaction), bumped afterwards.
 */
export interface SharedMigration {
  version: number
  kind: 'tx' | 'online'
  /** The statements, for the quoted schema name `s`. */
  statements(s: string): string[]
}

const NOW_MS = '(EXTRACT(epoch FROM now()) * 1000.0)::bigint'

const tx = (version: number, statements: (s: string) => string[]): SharedMigration => ({
  version,
  kind: 'tx',
  statements,
})
const online = (version: number, statement: (s: string) => string): SharedMigration => ({
  version,
  kind: 'online',
  statements: (s) => [statement(s)],
})
const addApplicationName = (version: number, table: string) =>
  tx(version, (s) => [`ALTER TABLE ${s}.${table} ADD COLUMN IF NOT EXISTS application_name text DEFAULT NULL`])
const dropIndex = (version: number, name: string) => online(version, (s) => `DROP INDEX CONCURRENTLY IF EXISTS ${s}.${name}`)

/** In order; the last one is the schema version this engine writes. */
export const SHARED_MIGRATIONS: readonly SharedMigration[] = [
  addApplicationName(100, 'workflow_status'),
  addApplicationName(101, 'queues'),
  addApplicationName(102, 'workflow_schedules'),
  addApplicationName(103, 'application_versions'),
  addApplicationName(104, 'operation_outputs'),
  tx(105, (s) => [
    `DROP FUNCTION IF EXISTS ${s}.enqueue_workflow(text, text, json[], json, text, text, text, text, bigint, bigint,
      text, integer, text, text, text, bigint)`,
    enqueueWorkflowFunction(s, 'pre-113'),
  ]),
  tx(106, (s) => [createIndex(s, 'uq_application_versions_owner_version', 'tx')]),
  online(107, (s) => createIndex(s, 'uq_application_versions_unclaimed_version', 'online')),
  tx(108, (s) => [
    `ALTER TABLE ${s}.queues
      ADD COLUMN IF NOT EXISTS partition_concurrency integer,
      ADD COLUMN IF NOT EXISTS partition_worker_concurrency integer,
      ADD COLUMN IF NOT EXISTS partition_rate_limit_max integer,
      ADD COLUMN IF NOT EXISTS partition_rate_limit_period_sec double precision`,
  ]),
  tx(109, (s) => splitStatements(payloadTables(s))),
  tx(110, (s) => [
    `ALTER TABLE ${s}.operation_outputs ADD COLUMN IF NOT EXISTS retention_timestamp bigint NOT NULL DEFAULT ${NOW_MS}`,
  ]),
  online(111, (s) => createIndex(s, 'idx_operation_outputs_retention', 'online')),
  tx(112, (s) => [
    `ALTER TABLE ${s}.operation_outputs DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_foreign`,
    `ALTER TABLE ${s}.operation_outputs DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_fkey`,
  ]),
  tx(113, (s) => [enqueueWorkflowFunction(s)]),
  dropIndex(114, 'idx_notifications'),
  online(115, (s) => createIndex(s, 'idx_workflow_status_in_flight_v2', 'online')),
  dropIndex(116, 'idx_workflow_status_in_flight'),
  online(117, (s) => createIndex(s, 'idx_workflow_status_partition_dequeue_v3', 'online')),
  dropIndex(118, 'idx_workflow_status_partition_dequeue_v2'),
  online(119, (s) => createIndex(s, 'idx_operation_outputs_completed_at_function_name_v2', 'online')),
  dropIndex(120, 'idx_operation_outputs_completed_at_function_name'),
  tx(121, (s) => [`ALTER TABLE ${s}.notifications ADD COLUMN IF NOT EXISTS consumed_by_function_id integer`]),
  online(122, (s) => createIndex(s, 'idx_workflow_status_deadline', 'online')),
  tx(123, (s) => [`ALTER TABLE ${s}.workflow_status ADD COLUMN IF NOT EXISTS creator_xid text DEFAULT NULL`]),
]
