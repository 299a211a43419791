import { DBOSInitializationError } from '../errors.ts'

/** Who holds an embedded database directory, as its lock file records it. */
export interface DirectoryHolder {
  readonly pid: number
  readonly host: string
  /** When the holder took the directory, as an ISO 8601 time. */
  readonly since: string
}

/**
 * The embedded (PGlite) database directory is held by another process, or by another launch in this one.
 * PGlite is one process's database: two on one directory each see only their own writes, and one's work is
 * lost when they exit. Several processes share a system database through Postgres.
 */
export class DBOSDirectoryLockedError extends DBOSInitializationError {
  override name = 'DBOSDirectoryLockedError'
  readonly directory: string
  readonly lockFile: string
  readonly holder: DirectoryHolder
  constructor(directory: string, lockFile: string, holder: DirectoryHolder, sameProcess: boolean, otherHost: boolean) {
    const who = sameProcess
      ? `this process (pid ${holder.pid}) already has it open, since ${holder.since}`
      : `it is held by pid ${holder.pid} on host ${holder.host}, since ${holder.since}`
    const clear = otherHost
      ? ` A lock taken on another host is never taken over automatically: if that process is gone, delete ${lockFile}.`
      : ''
    super(
      `The embedded database directory ${directory} is in use: ${who}. An embedded PGlite database has one ` +
        'owner at a time. Stop the other process, give this one its own directory (systemDatabaseUrl: ' +
        "'file:<dir>' or 'memory://'), or, for several processes on one system database, use a Postgres URL " +
        `(systemDatabaseUrl or DBOS_SYSTEM_DATABASE_URL = postgres://...).${clear}`,
    )
    this.directory = directory
    this.lockFile = lockFile
    this.holder = holder
  }
}
