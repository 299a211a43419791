import { DBOSInitializationError } from '../errors.ts'
import { scope, type Transactional } from './sql.ts'

/**
 * Registers this process's application version (spec §3.1) and tells whether it is the latest.
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
