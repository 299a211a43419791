import { DBOSError, DBOSInitializationError } from '../errors.ts'
import { NOW_MS, scope, type Transactional } from './sql.ts'

/**
 * Registers this process's application version (docs/sysdb.md §3.1) and tells whether it is the latest.
 * Relaunching keeps the version's original timestamp.
 */
export async function registerVersion(
  db: Transactional,
  s: string,
  version: string,
  appName: string | null,
): Promise<{ isLatest: boolean; latest: string }> {
  await db.transaction(async (tx) => {
    const claimed = await tx.query(
      `UPDATE ${s}.application_versions SET application_name = $2
       WHERE version_name = $1 AND application_name IS NULL AND $2::text IS NOT NULL RETURNING version_id`,
      [version, appName],
    )
    if (claimed.length === 0) {
      await tx.query(
        `INSERT INTO ${s}.application_versions (version_id, version_name, application_name)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [crypto.randomUUID(), version, appName],
      )
    }
    const [row] = await tx.query<{ application_name: string | null }>(
      `SELECT application_name FROM ${s}.application_versions WHERE version_name = $1`,
      [version],
    )
    if (row?.application_name && appName && row.application_name !== appName) {
      throw new DBOSInitializationError(
        `Application version ${version} is registered by application '${row.application_name}'; ` +
          'give this application its own version',
      )
    }
  })
  const latest = await latestVersion(db, s, appName)
  return { isLatest: latest === undefined || latest === version, latest: latest ?? version }
}

/** The most recently registered version within this application's scope. */
export async function latestVersion(db: Transactional, s: string, appName: string | null): Promise<string | undefined> {
  const [row] = await db.query<{ version_name: string }>(
    `SELECT version_name FROM ${s}.application_versions WHERE ${scope('application_name', '$1')}
     ORDER BY version_timestamp DESC LIMIT 1`,
    [appName ? [appName] : null],
  )
  return row?.version_name
}

/** PENDING workflows of versions other than `version`, within this application's scope: per version, most first. */
export async function pendingOfOtherVersions(
  db: Transactional,
  s: string,
  version: string,
  appName: string | null,
): Promise<{ version: string | null; count: number }[]> {
  return await db.query<{ version: string | null; count: number }>(
    `SELECT application_version AS version, count(*)::int AS count FROM ${s}.workflow_status
     WHERE status = 'PENDING' AND application_version IS DISTINCT FROM $1 AND ${scope('application_name', '$2')}
     GROUP BY application_version ORDER BY count(*) DESC, application_version`,
    [version, appName ? [appName] : null],
  )
}

/** A row of application_versions (timestamps in epoch ms). */
export interface VersionRow {
  version_id: string
  version_name: string
  version_timestamp: number
  created_at: number
  application_name: string | null
}

const VERSION_COLUMNS = 'version_id, version_name, version_timestamp::float8 AS version_timestamp, created_at::float8 AS created_at, application_name'

/** The versions within this application's scope (its own and unclaimed ones), latest first. */
export async function listVersions(db: Transactional, s: string, appName: string | null): Promise<VersionRow[]> {
  return await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM ${s}.application_versions WHERE ${scope('application_name', '$1')}
     ORDER BY version_timestamp DESC`,
    [appName ? [appName] : null],
  )
}

/** The latest version within this application's scope, with its timestamps. */
export async function latestVersionRow(db: Transactional, s: string, appName: string | null): Promise<VersionRow | undefined> {
  const [row] = await db.query<VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM ${s}.application_versions WHERE ${scope('application_name', '$1')}
     ORDER BY version_timestamp DESC LIMIT 1`,
    [appName ? [appName] : null],
  )
  return row
}

/**
 * Makes a version the latest by stamping it with the database's now, for application `owner`: an unclaimed
 * version becomes the owner's (unclaimed, it would be every application's latest). An unknown name changes nothing.
 * @throws DBOSError when another application registered the version: names are unique across applications
 */
export async function promoteVersion(db: Transactional, s: string, version: string, owner: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ application_name: string | null }>(
      `SELECT application_name FROM ${s}.application_versions WHERE version_name = $1 FOR UPDATE`,
      [version],
    )
    const current = row?.application_name ?? null
    if (current !== null && owner !== null && current !== owner) {
      throw new DBOSError(
        `Application version '${version}' is registered by application '${current}', not '${owner}': ` +
          'version names are unique across the applications sharing a system database',
      )
    }
    await tx.query(
      `UPDATE ${s}.application_versions SET version_timestamp = ${NOW_MS}, application_name = COALESCE(application_name, $2)
       WHERE version_name = $1`,
      [version, owner],
    )
  })
}
