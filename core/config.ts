import * as v from 'valibot'
import { canonicalOrigin, configuredHostName } from './admin/hosts.ts'
import { DBOSInitializationError } from './errors.ts'
import { MAX_NAME_BYTES } from './internal/input-checks.ts'
import type { DBOSSerializer } from './serialization/serializer.ts'

/** Log levels, most verbose first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const positiveInt = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'))
const port = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0), v.maxValue(65535))
const identifier = v.pipe(
  v.string(),
  v.regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be a Postgres identifier: letters, digits, underscores, at most 63 characters'),
  // Postgres refuses to create a schema whose name starts with pg_ (reserved for system schemas).
  v.check((name) => !/^pg_/i.test(name), 'must not start with pg_ (reserved for system schemas)'),
)
// Names stored with every row and in indexes (application_name, application_version): see internal/input-checks.ts.
const storedName = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.check((x) => !x.includes('\0'), 'must not contain a NUL character (\\u0000)'),
  v.check((x) => new TextEncoder().encode(x).byteLength <= MAX_NAME_BYTES, `must be at most ${MAX_NAME_BYTES} bytes of UTF-8`),
)
const databaseUrl = v.pipe(
  v.string(),
  v.regex(
    /^(postgres|postgresql):\/\/|^memory:\/\/|^file:/,
    'must start with postgres://, postgresql://, memory:// or file:',
  ),
)

const configSchema = v.object({
  name: v.optional(storedName),
  applicationVersion: v.optional(storedName),
  executorID: v.optional(storedName),
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
  adminHost: v.optional(v.pipe(
    v.string(),
    v.check((h) => configuredHostName(h) !== undefined, 'must be a host name or IP address, such as 127.0.0.1 or ::1'),
  )),
  adminToken: v.optional(v.pipe(v.string(), v.regex(/^\S+$/, 'must be non-empty, without whitespace'))),
  adminCors: v.optional(v.array(
    v.pipe(v.string(), v.check((o) => canonicalOrigin(o) !== undefined, 'must list origins such as http://localhost:5173')),
    'must be a list of origins such as ["http://localhost:5173"]',
  )),
  adminMcpWrites: v.optional(v.boolean()),
  adminAllowedHosts: v.optional(v.array(
    v.pipe(v.string(), v.check((h) => configuredHostName(h) !== undefined, 'must list host names')),
    'must be a list of host names',
  )),
  listenQueues: v.optional(v.array(v.object({ name: v.string() }))),
  serializer: v.optional(
    v.custom<DBOSSerializer>(
      (x) => !!x && typeof (x as DBOSSerializer).stringify === 'function' && typeof (x as DBOSSerializer).parse === 'function',
      'must have stringify and parse methods',
    ),
  ),
  enablePatching: v.optional(v.boolean()),
  // Waiting for a system database that is starting up (issue #16)
  systemDatabaseWaitMs: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be 0 or more'))),
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
  /**
   * Interface to bind; 127.0.0.1 unless set. An address beyond loopback (0.0.0.0, a LAN address) needs an
   * adminToken: without one, launch leaves the admin server off and logs a warning saying why, since any
   * program on the network could then cancel, fork or garbage-collect workflows.
   */
  adminHost?: string
  /**
   * Bearer token every admin request but /dbos-healthz must carry. Without it, the admin server only listens
   * on loopback, and refuses requests from web pages (Host, Origin and Sec-Fetch-Site checks).
   */
  adminToken?: string
  /**
   * Origins (`scheme://host[:port]`) whose web pages may call the admin API; their requests get CORS headers
   * naming them. None by default: no web page can drive the admin API.
   */
  adminCors?: string[]
  /**
   * Host names, besides 127.0.0.1, localhost and [::1] (and adminHost), that requests without the admin token
   * may address: names by which programs on this machine reach it (a local proxy's, say). Others are refused
   * (403). With adminToken set, any name is accepted.
   */
  adminAllowedHosts?: string[]
  /**
   * Lets the admin server's MCP endpoint (`/mcp`) offer its write tools (cancel, resume, fork, send). Off by
   * default: a model connected to it can then only read.
   */
  adminMcpWrites?: boolean
  listenQueues?: { name: string }[]
  serializer?: DBOSSerializer
  enablePatching?: boolean
  // Waiting for a system database that is starting up (issue #16)
  /**
   * How long opening the system database waits, in milliseconds, for a server that is starting up, restarting
   * or refusing connections (default 60000; env PERDURE_SYSTEM_DATABASE_WAIT_MS; 0 does not wait). A wrong
   * host name, password or permission fails at once.
   */
  systemDatabaseWaitMs?: number
}

/**
 * Validates a configuration; throws DBOSInitializationError naming every invalid field.
 * @example validateConfig({ name: 'shop', systemDatabasePoolSize: 0 }) // throws: systemDatabasePoolSize: must be at least 1
 */
export function validateConfig(config: unknown): DBOSConfig {
  return parseOrThrow(configSchema, config, 'DBOS configuration') as DBOSConfig
}

// The fields a DBOSClient shares with DBOSConfig get the same rules; the rest is the client's own.
const clientConfigSchema = v.object({
  systemDatabaseUrl: databaseUrl,
  systemDatabaseSchemaName: v.optional(identifier),
  systemDatabasePoolSize: v.optional(positiveInt),
  systemDatabasePool: configSchema.entries.systemDatabasePool,
  serializer: configSchema.entries.serializer,
  applicationName: v.optional(storedName),
})

/**
 * Validates a DBOSClient configuration (see DBOSClientConfig); throws DBOSInitializationError naming every
 * invalid field, before any connection is opened.
 */
export function validateClientConfig(config: unknown): void {
  parseOrThrow(clientConfigSchema, config, 'DBOSClient configuration')
}

function parseOrThrow(schema: v.GenericSchema, config: unknown, what: string): unknown {
  const result = v.safeParse(schema, config ?? {})
  if (result.success) return result.output
  const problems = result.issues.map((issue) => {
    const path = v.getDotPath(issue) ?? '(config)'
    const got = issue.input === undefined ? 'undefined' : JSON.stringify(issue.input) ?? String(issue.input)
    return `${path}: ${issue.message} (got ${got})`
  })
  throw new DBOSInitializationError(`Invalid ${what}: ${problems.join('; ')}`)
}
