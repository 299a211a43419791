import { DBOSInitializationError } from '../errors.ts'
import { checkOptionalText, checkText, MAX_NAME_BYTES } from '../internal/input-checks.ts'
import type { SystemDatabase, VersionRow } from '../sysdb/system-database.ts'

/** A registered application version (DBOS 5.3's VersionInfo); timestamps in epoch ms. */
export interface VersionInfo {
  versionId: string
  versionName: string
  versionTimestamp: number
  createdAt: number
  applicationName?: string
}

/** The versions this application sees (its own and unclaimed ones), latest first. */
export async function listApplicationVersions(sys: SystemDatabase): Promise<VersionInfo[]> {
  return (await sys.listVersionRows()).map(versionInfo)
}

/**
 * The version with the latest timestamp among those this application sees: the one its executors dequeue for.
 * @throws DBOSInitializationError when no version is registered
 */
export async function getLatestApplicationVersion(sys: SystemDatabase): Promise<VersionInfo> {
  const row = await sys.latestVersionRow()
  if (!row) throw new DBOSInitializationError('No application versions found')
  return versionInfo(row)
}

/**
 * Makes a version the latest (its timestamp becomes now), acting for `applicationName` (default: `sys`'s
 * application). An unclaimed version becomes that application's.
 * @throws DBOSError when another application registered that version
 */
export async function setLatestApplicationVersion(
  sys: SystemDatabase, versionName: string, options: { applicationName?: string } = {},
): Promise<void> {
  checkText('versionName', versionName, MAX_NAME_BYTES)
  checkOptionalText('applicationName', options.applicationName, MAX_NAME_BYTES)
  await sys.promoteVersion(versionName, options.applicationName ?? sys.appName)
}

function versionInfo(r: VersionRow): VersionInfo {
  return {
    versionId: r.version_id,
    versionName: r.version_name,
    versionTimestamp: Number(r.version_timestamp),
    createdAt: Number(r.created_at),
    ...(r.application_name !== null ? { applicationName: r.application_name } : {}),
  }
}
