// Schema 123 exactly as a fresh DBOS 5.3.0 install creates it (docs/sysdb.md §1.1, §1.2).
// `s` is the quoted schema name; callers validate it first (see quoteSchema).
import type { Queryable } from '../ports/database.ts'

/** Whether `schema` (unquoted) holds the DBOS system tables: a client never migrates, so it checks first. */
export async function hasSystemTables(db: Queryable, schema: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = 'workflow_status') AS found`,
    [schema],
  )
  return row?.found === true
}

/** Quotes a validated schema name for use as an identifier. */
export function quoteSchema(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) {
    throw new TypeError(
      `Invalid schema name ${JSON.stringify(name)}: use letters, digits and underscores, starting with a letter or underscore (at most 63 characters)`,
    )
  }
  return `"${name}"`
}

/** Tables and indexes of schema 123. */
export function schemaTables(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE ${s}.dbos_migrations (
  version bigint NOT NULL,
  CONSTRAINT dbos_migrations_pkey PRIMARY KEY (version)
);

CREATE TABLE ${s}.workflow_status (
  workflow_uuid              text NOT NULL,
  status                     text,
  name                       text,
  authenticated_user         text,
  assumed_role               text,
  authenticated_roles        text,
  request                    text,            -- legacy: never written, never read
  output                     text,            -- legacy payload: read only (COALESCE)
  error                      text,            -- legacy payload: read only (COALESCE)
  executor_id                text,
  created_at                 bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  updated_at                 bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  application_version        text,
  application_id             text,
  class_name                 varchar(255) DEFAULT NULL,
  config_name                varchar(255) DEFAULT NULL,
  recovery_attempts          bigint DEFAULT 0,
  queue_name                 text,
  workflow_timeout_ms        bigint,
  workflow_deadline_epoch_ms bigint,
  inputs                     text,            -- legacy payload: read only (COALESCE)
  started_at_epoch_ms        bigint,
  deduplication_id           text,
  priority                   integer NOT NULL DEFAULT 0,
  queue_partition_key        text,
  forked_from                text,
  owner_xid                  text,
  parent_workflow_id         text,
  serialization              text,
  delay_until_epoch_ms       bigint,
  was_forked_from            boolean NOT NULL DEFAULT false,
  rate_limited               boolean NOT NULL DEFAULT false,
  completed_at               bigint,
  attributes                 jsonb,
  schedule_name              text,
  debounce_deadline_epoch_ms bigint,
  is_debounced               boolean NOT NULL DEFAULT false,
  application_name           text,
  creator_xid                text,
  CONSTRAINT workflow_status_pkey PRIMARY KEY (workflow_uuid)
);
CREATE INDEX workflow_status_created_at_index ON ${s}.workflow_status (created_at);
CREATE UNIQUE INDEX uq_workflow_status_dedup_id
  ON ${s}.workflow_status (queue_name, deduplication_id) WHERE deduplication_id IS NOT NULL;
CREATE INDEX idx_workflow_status_attributes
  ON ${s}.workflow_status USING gin (attributes) WHERE attributes IS NOT NULL;
CREATE INDEX idx_workflow_status_completed_at
  ON ${s}.workflow_status (completed_at) WHERE completed_at IS NOT NULL;
${createIndex(s, 'idx_workflow_status_deadline')};
CREATE INDEX idx_workflow_status_delayed
  ON ${s}.workflow_status (delay_until_epoch_ms) WHERE status = 'DELAYED';
CREATE INDEX idx_workflow_status_failed
  ON ${s}.workflow_status (status, created_at)
  WHERE status IN ('ERROR','CANCELLED','MAX_RECOVERY_ATTEMPTS_EXCEEDED');
CREATE INDEX idx_workflow_status_forked_from
  ON ${s}.workflow_status (forked_from) WHERE forked_from IS NOT NULL;
${createIndex(s, 'idx_workflow_status_in_flight_v2')};
CREATE INDEX idx_workflow_status_parent_workflow_id
  ON ${s}.workflow_status (parent_workflow_id) WHERE parent_workflow_id IS NOT NULL;
${createIndex(s, 'idx_workflow_status_partition_dequeue_v3')};
CREATE INDEX idx_workflow_status_pending
  ON ${s}.workflow_status (created_at) WHERE status = 'PENDING';
CREATE INDEX idx_workflow_status_rate_limited
  ON ${s}.workflow_status (queue_name, started_at_epoch_ms) WHERE rate_limited = true;
CREATE INDEX idx_workflow_status_schedule_name
  ON ${s}.workflow_status (schedule_name) WHERE schedule_name IS NOT NULL;
CREATE INDEX idx_workflow_status_started_at
  ON ${s}.workflow_status (started_at_epoch_ms) WHERE started_at_epoch_ms IS NOT NULL;

${payloadTables(s)}
-- Step checkpoints. No foreign key either.
CREATE TABLE ${s}.operation_outputs (
  workflow_uuid         text    NOT NULL,
  function_id           integer NOT NULL,
  function_name         text    NOT NULL DEFAULT '',
  output                text,
  error                 text,
  child_workflow_id     text,
  started_at_epoch_ms   bigint,
  completed_at_epoch_ms bigint,
  serialization         text,
  application_name      text,
  retention_timestamp   bigint  NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  CONSTRAINT operation_outputs_pkey PRIMARY KEY (workflow_uuid, function_id)
);
${createIndex(s, 'idx_operation_outputs_completed_at_function_name_v2')};
${createIndex(s, 'idx_operation_outputs_retention')};

CREATE TABLE ${s}.notifications (
  message_uuid            text    NOT NULL DEFAULT gen_random_uuid(),
  destination_uuid        text    NOT NULL,
  topic                   text,
  message                 text    NOT NULL,
  created_at_epoch_ms     bigint  NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  serialization           text,
  consumed                boolean NOT NULL DEFAULT false,
  consumed_by_function_id integer,
  CONSTRAINT notifications_pkey PRIMARY KEY (message_uuid),
  CONSTRAINT notifications_destination_uuid_fkey FOREIGN KEY (destination_uuid)
    REFERENCES ${s}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX idx_workflow_topic ON ${s}.notifications (destination_uuid, topic);

CREATE TABLE ${s}.workflow_events (
  workflow_uuid text NOT NULL,
  key           text NOT NULL,
  value         text NOT NULL,
  serialization text,
  CONSTRAINT workflow_events_pkey PRIMARY KEY (workflow_uuid, key),
  CONSTRAINT workflow_events_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${s}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE ${s}.workflow_events_history (
  workflow_uuid text    NOT NULL,
  function_id   integer NOT NULL,
  key           text    NOT NULL,
  value         text    NOT NULL,
  serialization text,
  CONSTRAINT workflow_events_history_pkey PRIMARY KEY (workflow_uuid, function_id, key),
  CONSTRAINT workflow_events_history_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${s}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE ${s}.streams (
  workflow_uuid text    NOT NULL,
  key           text    NOT NULL,
  value         text    NOT NULL,
  "offset"      integer NOT NULL,
  function_id   integer NOT NULL DEFAULT 0,
  serialization text,
  CONSTRAINT streams_pkey PRIMARY KEY (workflow_uuid, key, "offset"),
  CONSTRAINT streams_workflow_uuid_fkey FOREIGN KEY (workflow_uuid)
    REFERENCES ${s}.workflow_status (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE ${s}.event_dispatch_kv (   -- created, unused by perdure and by 5.3.0
  service_name     text NOT NULL,
  workflow_fn_name text NOT NULL,
  key              text NOT NULL,
  value            text,
  update_seq       numeric(38,0),
  update_time      numeric(38,15),
  CONSTRAINT event_dispatch_kv_pkey PRIMARY KEY (service_name, workflow_fn_name, key)
);

CREATE TABLE ${s}.workflow_schedules (
  schedule_id         text    NOT NULL,
  schedule_name       text    NOT NULL,
  workflow_name       text    NOT NULL,
  workflow_class_name text,
  schedule            text    NOT NULL,
  status              text    NOT NULL DEFAULT 'ACTIVE',
  context             text    NOT NULL,
  last_fired_at       text,
  automatic_backfill  boolean NOT NULL DEFAULT false,
  cron_timezone       text,
  queue_name          text,
  application_name    text,
  CONSTRAINT workflow_schedules_pkey PRIMARY KEY (schedule_id),
  CONSTRAINT workflow_schedules_schedule_name_key UNIQUE (schedule_name)
);

CREATE TABLE ${s}.application_versions (
  version_id        text   NOT NULL,
  version_name      text   NOT NULL,
  version_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  created_at        bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  application_name  text,
  CONSTRAINT application_versions_pkey PRIMARY KEY (version_id),
  CONSTRAINT application_versions_version_name_key UNIQUE (version_name)
);
${createIndex(s, 'uq_application_versions_owner_version')};
${createIndex(s, 'uq_application_versions_unclaimed_version')};

CREATE TABLE ${s}.queues (
  queue_id                        text    NOT NULL DEFAULT gen_random_uuid()::text,
  name                            text    NOT NULL,
  concurrency                     integer,
  worker_concurrency              integer,
  rate_limit_max                  integer,
  rate_limit_period_sec           double precision,
  priority_enabled                boolean NOT NULL DEFAULT false,
  partition_queue                 boolean NOT NULL DEFAULT false,
  polling_interval_sec            double precision NOT NULL DEFAULT 1.0,
  created_at                      bigint  NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  updated_at                      bigint  NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  application_name                text,
  partition_concurrency           integer,
  partition_worker_concurrency    integer,
  partition_rate_limit_max        integer,
  partition_rate_limit_period_sec double precision,
  CONSTRAINT queues_pkey PRIMARY KEY (queue_id),
  CONSTRAINT queues_name_key UNIQUE (name)
);
`
}

/** Functions and the notification trigger that let plain SQL enqueue and send. */
export function schemaFunctions(s: string): string {
  return `
CREATE OR REPLACE FUNCTION ${s}.notifications_function() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
  PERFORM pg_notify('dbos_notifications_channel', NEW.destination_uuid || '::' || NEW.topic);
  RETURN NEW;
END; $body$;

CREATE OR REPLACE TRIGGER dbos_notifications_trigger
  AFTER INSERT ON ${s}.notifications
  FOR EACH ROW EXECUTE FUNCTION ${s}.notifications_function();

CREATE OR REPLACE FUNCTION ${s}.send_message(
  destination_id text, message json, topic text DEFAULT NULL, message_id text DEFAULT NULL
) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$
BEGIN
  INSERT INTO ${s}.notifications (destination_uuid, topic, message, message_uuid, serialization)
  VALUES (destination_id, COALESCE(topic, '__null__topic__'), message,
          COALESCE(message_id, gen_random_uuid()::text), 'portable_json')
  ON CONFLICT (message_uuid) DO NOTHING;
EXCEPTION WHEN foreign_key_violation THEN
  RAISE EXCEPTION 'DBOS non-existent workflow'
    USING DETAIL = format('Destination workflow %s does not exist', destination_id),
          ERRCODE = 'foreign_key_violation';
END; $body$;

${enqueueWorkflowFunction(s)}
`
}

/** The payload tables (§1.1), shared by a fresh install and shared migration 109. */
export function payloadTables(s: string): string {
  return `
-- Payload tables. No foreign keys: rows are deleted explicitly (§4.5).
CREATE TABLE IF NOT EXISTS ${s}.workflow_input (
  workflow_uuid       text NOT NULL,
  inputs              text,
  retention_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  CONSTRAINT workflow_input_pkey PRIMARY KEY (workflow_uuid)
);
CREATE INDEX IF NOT EXISTS idx_workflow_input_retention ON ${s}.workflow_input (retention_timestamp);

CREATE TABLE IF NOT EXISTS ${s}.workflow_output (
  workflow_uuid       text NOT NULL,
  output              text,
  error               text,
  retention_timestamp bigint NOT NULL DEFAULT (EXTRACT(epoch FROM now()) * 1000.0)::bigint,
  CONSTRAINT workflow_output_pkey PRIMARY KEY (workflow_uuid)
);
CREATE INDEX IF NOT EXISTS idx_workflow_output_retention ON ${s}.workflow_output (retention_timestamp);
`
}

// Indexes the shared migrations add to an existing schema; a fresh install creates the same ones inline.
const INDEXES = {
  idx_workflow_status_deadline: {
    unique: false,
    on: `workflow_status (workflow_deadline_epoch_ms)
    WHERE status IN ('ENQUEUED','PENDING','DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL`,
  },
  idx_workflow_status_in_flight_v2: {
    unique: false,
    on: `workflow_status (queue_name, status, priority, created_at) INCLUDE (application_name)
    WHERE status IN ('ENQUEUED','PENDING')`,
  },
  idx_workflow_status_partition_dequeue_v3: {
    unique: false,
    on: `workflow_status (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid)
    INCLUDE (application_name) WHERE status IN ('ENQUEUED','PENDING') AND queue_partition_key IS NOT NULL`,
  },
  idx_operation_outputs_completed_at_function_name_v2: {
    unique: false,
    on: 'operation_outputs (completed_at_epoch_ms, function_name) INCLUDE (application_name)',
  },
  idx_operation_outputs_retention: { unique: false, on: 'operation_outputs (retention_timestamp)' },
  uq_application_versions_owner_version: {
    unique: true,
    on: 'application_versions (application_name, version_name) WHERE application_name IS NOT NULL',
  },
  uq_application_versions_unclaimed_version: {
    unique: true,
    on: 'application_versions (version_name) WHERE application_name IS NULL',
  },
}

/** Names of the indexes `createIndex` knows. */
export type IndexName = keyof typeof INDEXES

/**
 * `CREATE [UNIQUE] INDEX` for one of the shared indexes: plain in a fresh install, `IF NOT EXISTS` in a
 * transactional migration, `CONCURRENTLY IF NOT EXISTS` in an online one.
 */
export function createIndex(s: string, name: IndexName, mode: 'fresh' | 'tx' | 'online' = 'fresh'): string {
  const { unique, on } = INDEXES[name]
  const how = { fresh: '', tx: 'IF NOT EXISTS ', online: 'CONCURRENTLY IF NOT EXISTS ' }[mode]
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${how}${name} ON ${s}.${on}`
}

/**
 * `dbos.enqueue_workflow`, the 17-argument SQL entry point. The current form (§1.2, migration 113) writes the
 * inputs to `workflow_input`; the pre-113 form (migration 105) wrote them to `workflow_status.inputs`.
 */
export function enqueueWorkflowFunction(s: string, form: 'current' | 'pre-113' = 'current'): string {
  const inputs = "json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::text"
  const inputInsert = `  INSERT INTO ${s}.workflow_input (workflow_uuid, inputs, retention_timestamp)
  VALUES (wf_id, ${inputs}, now_ms)
  ON CONFLICT (workflow_uuid) DO NOTHING;
`
  return `
CREATE OR REPLACE FUNCTION ${s}.enqueue_workflow(
  workflow_name text, queue_name text,
  positional_args json[] DEFAULT ARRAY[]::json[], named_args json DEFAULT '{}'::json,
  class_name text DEFAULT NULL, config_name text DEFAULT NULL, workflow_id text DEFAULT NULL,
  app_version text DEFAULT NULL, timeout_ms bigint DEFAULT NULL, deadline_epoch_ms bigint DEFAULT NULL,
  deduplication_id text DEFAULT NULL, priority integer DEFAULT NULL, queue_partition_key text DEFAULT NULL,
  authenticated_user text DEFAULT NULL, authenticated_roles text DEFAULT NULL,
  delay_until_epoch_ms bigint DEFAULT NULL, application_name text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $body$
DECLARE
  wf_id  text;
  now_ms bigint := (EXTRACT(epoch FROM now()) * 1000)::bigint;
BEGIN
  IF coalesce(workflow_name, '') = '' THEN RAISE EXCEPTION 'Workflow name cannot be null or empty'; END IF;
  IF coalesce(queue_name, '') = '' THEN RAISE EXCEPTION 'Queue name cannot be null or empty'; END IF;
  IF named_args IS NOT NULL AND jsonb_typeof(named_args::jsonb) <> 'object' THEN
    RAISE EXCEPTION 'Named args must be a JSON object'; END IF;
  IF workflow_id = '' THEN RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.'; END IF;
  IF delay_until_epoch_ms < 0 THEN RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0'; END IF;
  wf_id := coalesce(workflow_id, gen_random_uuid()::text);
  INSERT INTO ${s}.workflow_status (
    workflow_uuid, status, name, class_name, config_name, queue_name, deduplication_id, priority,
    queue_partition_key, application_version, created_at, updated_at, recovery_attempts,
    workflow_timeout_ms, workflow_deadline_epoch_ms, parent_workflow_id, owner_xid, serialization,
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name${form === 'pre-113' ? ', inputs' : ''})
  VALUES (
    wf_id, CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END,
    workflow_name, class_name, config_name, queue_name, deduplication_id, coalesce(priority, 0),
    queue_partition_key, app_version, now_ms, now_ms, 0,
    timeout_ms, deadline_epoch_ms, NULL, gen_random_uuid()::text, 'portable_json',
    authenticated_user, authenticated_roles, delay_until_epoch_ms, application_name${form === 'pre-113' ? `, ${inputs}` : ''})
  ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
${form === 'pre-113' ? '' : inputInsert}  RETURN wf_id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'DBOS queue duplicated'
    USING DETAIL = format('Workflow %s with queue %s and deduplication ID %s already exists',
                          wf_id, queue_name, deduplication_id),
          ERRCODE = 'unique_violation';
END; $body$;
`
}

/** Splits the DDL at top-level semicolons, keeping dollar-quoted function bodies whole. */
export function splitStatements(script: string): string[] {
  const out: string[] = []
  let current = ''
  let inDollar = false
  for (const line of script.split('\n')) {
    const trimmed = line.trim()
    if (trimmed.startsWith('--') && !inDollar) continue
    current += line + '\n'
    const dollars = line.match(/\$body\$/g)?.length ?? 0
    if (dollars % 2 === 1) inDollar = !inDollar
    if (!inDollar && trimmed.endsWith(';')) {
      out.push(current.trim())
      current = ''
    }
  }
  if (current.trim()) out.push(current.trim())
  return out
}
