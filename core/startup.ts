import type { DBOSConfig } from './config.ts'
import { DBOSInitializationError } from './errors.ts'
import type { ConsoleLogger } from './logger.ts'
import type { Runtime } from './ports/runtime.ts'
import type { SystemDatabase } from './sysdb/system-database.ts'
import { registrationSource } from './version-source.ts'
import type { Registry } from './engine/registry.ts'
// package.json is the one place the version is written; tsup inlines it into dist/, and JSR publishes the file.
import packageJson from '../package.json' with { type: 'json' }

// What a launch does between opening the system database and starting the engine: the application version,
// migrating, registering the version, and putting this executor's unfinished work back on its queue.

/** The package version, part of the default application version digest. */
export const PERDURE_VERSION: string = packageJson.version

/** The application version: configured, from the environment, or a digest of the workflow sources. */
export async function applicationVersion(config: DBOSConfig, runtime: Runtime, registry: Registry): Promise<string> {
  if (config.applicationVersion) return config.applicationVersion
  if (config.enablePatching) return 'PATCHING_ENABLED'
  const fromEnv = runtime.env('DBOS__APPVERSION')
  if (fromEnv) return fromEnv
  // The source file each workflow came from, the same bytes on every runtime; fn.toString() is each
  // runtime's own transpilation (core/version-source.ts).
  const files = new Map<string, string | undefined>()
  const sources = registry.all().map((r) => `${r.className}.${r.name}:${registrationSource(r, files) ?? r.fn.toString()}`).sort()
  const text = [...sources, PERDURE_VERSION, config.name ?? ''].join('\n')
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Says how many PENDING workflows of other versions this process leaves alone, and how to move them: a
 * version's pending work runs only on processes of that version (its code may differ), and the default
 * version changes with every edit of a workflow's file.
 */
function strandedMessage(stranded: { version: string | null; count: number }[], version: string): string {
  const total = stranded.reduce((sum, v) => sum + v.count, 0)
  const shown = stranded.slice(0, 3).map((v) => `${v.count} of ${v.version ?? '(none)'}`).join(', ')
  const more = stranded.length > 3 ? ` and ${stranded.length - 3} more version(s)` : ''
  return (
    `${total} PENDING workflow(s) of other application versions will not run here (this is version ${version}): ` +
    `${shown}${more}. If no process of those versions is running, finish them by launching that version ` +
    "(applicationVersion in the config, or DBOS__APPVERSION), or move each onto this one with " +
    `DBOS.forkWorkflow(id, startStep, { applicationVersion: '${version}' }), which reuses the steps recorded before ` +
    "startStep; DBOS.listWorkflows({ status: 'PENDING', applicationVersion }) lists them. A fixed applicationVersion " +
    'keeps one version across code edits.'
  )
}

/** Migrates, registers the version and re-enqueues this executor's unfinished workflows. */
export async function prepareDatabase(
  sys: SystemDatabase,
  runtime: Runtime,
  executorID: string,
  version: string,
  logger: ConsoleLogger,
): Promise<{ isLatestVersion: boolean }> {
  try {
    await sys.migrate(runtime.timer)
  } catch (e) {
    if (e instanceof DBOSInitializationError) throw e
    throw new DBOSInitializationError(`Migrating the system database failed: ${(e as Error).message}`, { cause: e })
  }
  const { isLatest, latest } = await sys.registerVersion(version)
  if (!isLatest) logger.warn(`Application version ${version} is not the latest (${latest}); queued work of the latest version will not run here`)
  const recovered = await sys.recoverPending(executorID, version)
  if (recovered.length > 0) logger.info(`Recovering ${recovered.length} workflow(s) of executor ${executorID}`)
  const stranded = await sys.pendingOfOtherVersions(version)
  if (stranded.length > 0) logger.warn(strandedMessage(stranded, version))
  return { isLatestVersion: isLatest }
}
