import { clientError } from '../admin/request.ts'
import { listApplicationVersions, setLatestApplicationVersion } from '../management/application-versions.ts'
import { DBOSError } from '../errors.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/**
 * Makes a version this application sees the latest. An unknown name is answered 404 (the operation itself
 * would change nothing, silently); one another application registered, 409.
 */
export async function makeLatest(sys: SystemDatabase, versionName: string): Promise<void> {
  const versions = await listApplicationVersions(sys)
  if (!versions.some((v) => v.versionName === versionName)) throw clientError(404, `Application version ${versionName} not found`)
  try {
    await setLatestApplicationVersion(sys, versionName)
  } catch (e) {
    // Claimed by another application since it was listed.
    if (e instanceof DBOSError) throw clientError(409, e.message)
    throw e
  }
}
