import * as v from 'valibot'
import { DBOSInitializationError } from './errors.ts'
import type { DBOSSerializer } from './serialization/serializer.ts'

/** Log levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const positiveInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'))
const port = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0), v.maxValue(65535))
const identifier = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a Postgres identifier: letters, digits, underscores, at most 63 characters'),
)
const databaseUrl = v.pipe(
  v.string(),
  v.regex(
    /^(postgres|postgresql):\/\/|^memory:\/\/|^file:/,
    'must start with postgres://, postgresql://, memory:// or file:',
  ),
)

const configSchema = v.object({
  name: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  applicationVersion: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  executorID: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  systemDatabaseUrl: v.optional(databaseUrl),
  systemDatabasePoolSize: v.optional(positiveInt),
  systemDatabaseSchemaName: v.optional(identifier),
  systemDatabasePool: v.optional(v.custom<object>((x) => typeof x === 'function' || typeof x === 'object', 'must be a postgres.js instance')),
  enableOTLP: v.optional(v.boolean()),
  logLevel: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
  otlpLogsEndpoints: v.optional(v.array(v.string())),
  otlpTracesEndpoints: v.optional(v.array(v.string())),
  runAdminServer: v.optional(v.boolean()),
  adminPort: v.optional(port),
  adminHost: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
  adminToken: v.optional(v.pipe(v.string(), v.regex(/^\S+$/, 'must be non-empty, without whitespace'))),
  adminCors: v.optional(v.boolean()),
  listenQueues: v.optional(v.array(v.object({ name: v.string() }))),
  serializer: v.optional(
    v.custom<DBOSSerializer>(
      (x) => !!x && typeof (x as DBOSSerializer).stringify === 'function' && typeof (x as DBOSSerializer).parse === 'function',
      'must have stringify and parse methods',
    ),
  ),
  enablePatching: v.optional(v.boolean()),
})

/** The configuration accepted by `DBOS.setConfig` (the guide's DBOSConfig). */
export interface DBOSConfig {
  name?: string
  applicationVersion?: string
  executorID?: string
  systemDatabaseUrl?: string
  systemDatabasePoolSize?: number
  systemDatabaseSchemaName?: string
  /** A caller-supplied postgres.js instance; Perdure uses it and does not close it. */
  systemDatabasePool?: unknown
  enableOTLP?: boolean
  logLevel?: LogLevel | string
  otlpLogsEndpoints?: string[]
  otlpTracesEndpoints?: string[]
  /** Serve the admin HTTP API (default true; env PERDURE_RUN_ADMIN_SERVER=false turns the default off). */
  runAdminServer?: boolean
  /** Default 3001. */
  adminPort?: number
  /** Interface to bind; 127.0.0.1 unless set. */
  adminHost?: string
  /** Bearer token every admin request but /dbos-healthz must carry. */
  adminToken?: string
  /** Send permissive CORS headers from the admin API (off: a web page cannot drive it). */
  adminCors?: boolean
  listenQueues?: { name: string }[]
  serializer?: DBOSSerializer
  enablePatching?: boolean
}

/**
 * Validates a configuration; throws DBOSInitializationError naming every invalid field.
 * @example validateConfig({ name: 'shop', systemDatabasePoolSize: 0 }) // throws: systemDatabasePoolSize: must be at least 1
 */
export function validateConfig(config: unknown): DBOSConfig {
  const result = v.safeParse(configSchema, config ?? {})
  if (result.success) return result.output as DBOSConfig
  const problems = result.issues.map((issue) => {
    const path = v.getDotPath(issue) ?? '(config)'
    const got = issue.input === undefined ? 'undefined' : JSON.stringify(issue.input) ?? String(issue.input)
    return `${path}: ${issue.message} (got ${got})`
  })
  throw new DBOSInitializationError(`Invalid DBOS configuration: ${problems.join('; ')}`)
}
