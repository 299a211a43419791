import type { DBOSConfig } from '../config.ts'
import { DBOSInitializationError } from '../errors.ts'
import { isTransient } from '../internal/database-errors.ts'
import type { ConsoleLogger } from '../logger.ts'
import { retryTransient } from '../internal/retry.ts'
import type { DatabasePort } from '../ports/database.ts'
import { sqlState } from '../ports/database.ts'
import type { Runtime } from '../ports/runtime.ts'
import type { TimerPort } from '../ports/timer.ts'

// Reaching the system database: where it is, a bounded first connection, and creating a missing database.

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

/**
 * How long the first answer from a Postgres server may take, by default. A server that accepts the connection
 * and never answers (a wrong port behind a proxy, a stopped VM, a firewall that swallows packets) would otherwise
 * hold launch for as long as the OS keeps the socket. Generous: a busy server answers in well under a second.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 20_000

/** The bound on connecting: PERDURE_CONNECT_TIMEOUT_MS (milliseconds) or the default. */
export function connectTimeoutMs(runtime: Runtime): number {
  const text = runtime.env('PERDURE_CONNECT_TIMEOUT_MS')
  if (text === undefined || text === '') return DEFAULT_CONNECT_TIMEOUT_MS
  const ms = Number(text)
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new DBOSInitializationError(`PERDURE_CONNECT_TIMEOUT_MS must be a positive whole number of milliseconds, got ${JSON.stringify(text)}`)
  }
  return ms
}

/**
 * How long, by default, opening the system database waits for a server that is starting up, restarting or
 * refusing connections. A crash restart replays the WAL before it accepts connections, seconds to tens of
 * seconds; a database and its application started together (containers, a machine booting) take as long.
 * A minute covers those and still reports a wrong port within one.
 */
export const DEFAULT_DATABASE_WAIT_MS = 60_000

/** The wait: the config's systemDatabaseWaitMs, PERDURE_SYSTEM_DATABASE_WAIT_MS (milliseconds) or the default. */
export function databaseWaitMs(config: DBOSConfig, runtime: Runtime): number {
  if (config.systemDatabaseWaitMs !== undefined) return config.systemDatabaseWaitMs
  const text = runtime.env('PERDURE_SYSTEM_DATABASE_WAIT_MS')
  if (text === undefined || text === '') return DEFAULT_DATABASE_WAIT_MS
  const ms = Number(text)
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new DBOSInitializationError(`PERDURE_SYSTEM_DATABASE_WAIT_MS must be a whole number of milliseconds (0 or more), got ${JSON.stringify(text)}`)
  }
  return ms
}

/**
 * The runtime's clock, with pauses that keep the process alive: its own timers do not, and a launch waiting
 * between two refused connections has nothing else to hold the process (`await DBOS.launch()` would end it).
 */
function holdingTimer(runtime: Runtime): TimerPort {
  return {
    now: () => runtime.timer.now(),
    schedule(ms, fn) {
      const t = setTimeout(fn, ms)
      return () => clearTimeout(t)
    },
  }
}

/** A connection attempt that got no answer within its bound. */
class ConnectTimeout extends Error {}

/**
 * Our bound, or the driver's connect timeout (given the same bound; postgres.js's code, which Bun.SQL's
 * adapter maps to): whichever fires first, the launch says the same thing.
 */
function timedOut(e: unknown): boolean {
  return e instanceof ConnectTimeout || (e instanceof Error && (e as { code?: unknown }).code === 'CONNECT_TIMEOUT')
}

/** Opens the system database, creating a missing Postgres database first (docs/sysdb.md §1.4 step 1). */
export async function openSystemDatabase(
  runtime: Runtime,
  config: DBOSConfig,
  url: string,
  logger?: ConsoleLogger,
): Promise<DatabasePort> {
  const poolSize = config.systemDatabasePoolSize ?? 10
  const appName = config.name ?? 'app'
  const boundMs = connectTimeoutMs(runtime)
  const open = async (target: string, size = poolSize) => {
    // The first launch on an embedded database creates it, seconds with no output: one line before, one after.
    let noticed: number | undefined
    const notice = (message: string) => {
      logger?.info(message)
      noticed = runtime.timer.now()
    }
    const db = await runtime.openDatabase({ url: target, poolSize: size, appName, pool: config.systemDatabasePool, notice, connectTimeoutMs: boundMs })
    if (noticed !== undefined) logger?.info(`Created the embedded database in ${((runtime.timer.now() - noticed) / 1000).toFixed(1)} s`)
    let cancel = () => {}
    try {
      // Only a server is bounded: an embedded database's first open runs initdb, slow and local.
      const first = db.query('SELECT 1')
      if (db.kind !== 'postgres') await first
      else {
        await Promise.race([
          first,
          new Promise<never>((_, reject) => {
            cancel = runtime.timer.schedule(boundMs, () => reject(new ConnectTimeout()))
          }),
        ])
      }
      return db
    } catch (e) {
      // The connect error is the one to report, so a failed close is dropped. A connection that never answered
      // may never close either: let it go in the background.
      if (timedOut(e)) void db.close().catch(() => {})
      else await db.close().catch(() => {})
      throw e
    } finally {
      cancel()
    }
  }
  const attempt = async () => {
    try {
      return await open(url)
    } catch (e) {
      if (sqlState(e) !== '3D000' || config.systemDatabasePool) throw e
      await createDatabase(open, url)
      return await open(url)
    }
  }
  const waitMs = databaseWaitMs(config, runtime)
  try {
    // A server starting up (57P03), restarting (refused, or dropping the connection) is waited for; a wrong
    // host name, a refused password or a missing permission fail at once (isTransient says which is which).
    // A timeout is not waited on again: it already took its own bound.
    return await retryTransient(attempt, holdingTimer(runtime), {
      budgetMs: waitMs,
      retryable: (e) => !timedOut(e),
      onRetry: once((e) => {
        logger?.warn(`The system database at ${redact(url)} is not accepting connections yet (${(e as Error).message}); ` +
          `waiting up to ${formatSeconds(waitMs)} for it`)
      }),
    })
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    if (isTransient(e) && !timedOut(e)) {
      throw new DBOSInitializationError(
        `Cannot connect to the system database at ${redact(url)}: ${(e as Error).message} (waited up to ` +
          `${formatSeconds(waitMs)} for it to accept connections). Check that the server is running and the URL ` +
          '(systemDatabaseUrl or DBOS_SYSTEM_DATABASE_URL) is right; systemDatabaseWaitMs or ' +
          'PERDURE_SYSTEM_DATABASE_WAIT_MS sets how long to wait.',
        { cause: e },
      )
    }
    if (timedOut(e)) {
      throw new DBOSInitializationError(
        `Connecting to the system database at ${redact(url)} timed out: no answer within ${boundMs} ms. The host ` +
          'accepted the connection (or never refused it) but no Postgres server answered. Check the host and port ' +
          'in the URL (systemDatabaseUrl or DBOS_SYSTEM_DATABASE_URL); PERDURE_CONNECT_TIMEOUT_MS sets the bound.',
      )
    }
    throw new DBOSInitializationError(
      `Cannot connect to the system database at ${redact(url)}: ${(e as Error).message}. ` +
        'Check that the server is running and the URL (systemDatabaseUrl or DBOS_SYSTEM_DATABASE_URL) is right.',
      { cause: e },
    )
  }
}

/** `fn` on its first call only. */
function once(fn: (e: unknown) => void): (e: unknown) => void {
  let called = false
  return (e) => {
    if (!called) fn(e)
    called = true
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`
}

/**
 * The database a postgres:// URL names, percent-decoded once (`/my%20db` is `my db`), or undefined when it names
 * none. Every driver and CREATE DATABASE go through this, so all mean the same database.
 */
export function databaseName(url: string): string | undefined {
  const path = new URL(url).pathname.replace(/^\//, '')
  if (path === '') return undefined
  try {
    return decodeURIComponent(path)
  } catch {
    throw new DBOSInitializationError(`The database name in ${redact(url)} is not valid percent-encoding: ${path}`)
  }
}

async function createDatabase(open: (url: string, poolSize: number) => Promise<DatabasePort>, url: string): Promise<void> {
  const parsed = new URL(url)
  const name = databaseName(url) ?? ''
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
