// Checklist items 1, 2 and 4 (docs/sysdb.md §11): the schema each engine creates, and what each does to the other's.
// `prepareSchemas` does every launch and takes every dump up front, leaving Perdure launched on a database it
// created and an official executor serving it; the checks then only compare what it saw.
import { DBOS as OfficialDBOS } from '@dbos-inc/dbos-sdk'
import { expect, it } from '../harness.ts'
import type { TestDatabase } from '../support/databases.ts'
import type { Child } from '../support/child.ts'
import { perdure } from '../support/perdure.ts'
import { PERDURE_APP } from './apps.ts'
import {
  dbosExecutor,
  migrationVersions,
  officialMigrationsUpTo,
  schemaDump,
  withoutFunctionBodies,
} from './world.ts'

const { DBOS } = perdure

/** A database an official SDK left at an older version, as Perdure and then the official SDK found it. */
interface OlderDatabase {
  before: Snapshot
  afterPerdure: Snapshot | Error
  afterOfficial: Snapshot | Error
}

/** A database's schema and migration version at one moment. */
interface Snapshot {
  dump: string
  versions: number[]
}

export interface SchemaObservations {
  /** Created by the official SDK's migrations (what a 5.3.0 launch runs), then Perdure launched on it. */
  official: { before: Snapshot; afterPerdure: Snapshot | Error }
  /** Left at 99 and at 108 by the official runner; then Perdure launched; then the official migrations again. */
  older: Record<99 | 108, OlderDatabase>
  /** Created by Perdure; then an official executor launched on it, and one with `runMigrations: false`. */
  perdure: { before: Snapshot; afterOfficial: Snapshot; verifyingLaunch: Error | undefined }
  /** Perdure's own database, launched on and served by the official executor when this returns. */
  url: string
  executor: Child
}

async function snapshot(url: string): Promise<Snapshot> {
  return { dump: await schemaDump(url), versions: await migrationVersions(url) }
}

async function launchPerdure(url: string): Promise<void> {
  DBOS.setConfig({
    name: PERDURE_APP.name, systemDatabaseUrl: url, executorID: PERDURE_APP.executorID,
    applicationVersion: PERDURE_APP.version, logLevel: 'warn', runAdminServer: false,
  })
  await DBOS.launch()
}

/** Launches Perdure on `url` and shuts it down again; the snapshot after, or why that failed. */
async function perdureVisits(url: string): Promise<Snapshot | Error> {
  try {
    await launchPerdure(url)
    await DBOS.shutdown()
    return await snapshot(url)
  } catch (e) {
    await DBOS.shutdown().catch(() => {})
    return e as Error
  }
}

async function officialMigrates(url: string): Promise<Snapshot | Error> {
  try {
    await OfficialDBOS.migrate(url)
    return await snapshot(url)
  } catch (e) {
    return e as Error
  }
}

async function leftAt(db: TestDatabase, version: number): Promise<OlderDatabase> {
  const url = db.fresh()
  await officialMigrationsUpTo(url, version)
  const before = await snapshot(url)
  const afterPerdure = await perdureVisits(url)
  const afterOfficial = afterPerdure instanceof Error ? afterPerdure : await officialMigrates(url)
  return { before, afterPerdure, afterOfficial }
}

export async function prepareSchemas(db: TestDatabase): Promise<SchemaObservations> {
  const officialUrl = db.fresh()
  // DBOS.migrate is what a 5.3.0 launch runs first (ensureSystemDatabase): create the database, migrate it.
  await OfficialDBOS.migrate(officialUrl)
  const officialBefore = await snapshot(officialUrl)
  const official = { before: officialBefore, afterPerdure: await perdureVisits(officialUrl) }

  const older = { 99: await leftAt(db, 99), 108: await leftAt(db, 108) }

  const url = db.fresh()
  await launchPerdure(url)
  const perdureBefore = await snapshot(url)
  const executor = dbosExecutor(url, { migrations: true })
  const verifying = dbosExecutor(url, { migrations: false })
  const [, verifyingLaunch] = await Promise.all([
    executor.line('READY'),
    verifying.line('READY').then(() => verifying.stop()).then(() => undefined, (e: unknown) => e as Error),
  ])
  return {
    official,
    older,
    perdure: { before: perdureBefore, afterOfficial: await snapshot(url), verifyingLaunch },
    url,
    executor,
  }
}

function snapshotOf(value: Snapshot | Error, what: string): Snapshot {
  if (value instanceof Error) throw new Error(`${what} failed: ${value.stack ?? value.message}`)
  return value
}

/** The column lists and index definitions of a dump, for a readable failure when two dumps differ. */
function objects(dump: string): string[] {
  return withoutFunctionBodies(dump).split(/;\n/).map((s) => s.trim()).filter((s) => /^CREATE|^ALTER/.test(s))
}

export function schemaChecks(observed: () => SchemaObservations): void {
  it('1: Perdure creates schema 123 on an empty database, as 5.3.0 does apart from function bodies', () => {
    const { official, perdure } = observed()
    expect(perdure.before.versions).toEqual([123])
    expect(objects(perdure.before.dump)).toEqual(objects(official.before.dump))
    expect(withoutFunctionBodies(perdure.before.dump)).toBe(withoutFunctionBodies(official.before.dump))
  })

  it('2: a 5.3.0 executor launched on a Perdure database applies no migration; runMigrations: false passes', () => {
    const { perdure } = observed()
    expect(perdure.afterOfficial.versions).toEqual([123])
    expect(perdure.afterOfficial.dump).toBe(perdure.before.dump)
    expect(perdure.verifyingLaunch).toBeUndefined()
  })

  it('4: Perdure makes no DDL change to a database 5.3.0 created', () => {
    const { official } = observed()
    const after = snapshotOf(official.afterPerdure, 'Perdure launching on the 5.3.0 database')
    expect(after.versions).toEqual([123])
    expect(after.dump).toBe(official.before.dump)
  })

  for (const version of [99, 108] as const) {
    it(`4: on a database the official SDK left at ${version}, Perdure applies ${version + 1}-123, after which 5.3.0 has nothing to do`, () => {
      const { official, older } = observed()
      const at = older[version]
      expect(at.before.versions).toEqual([version])
      const migrated = snapshotOf(at.afterPerdure, `Perdure launching on the database at ${version}`)
      expect(migrated.versions).toEqual([123])
      expect(objects(migrated.dump)).toEqual(objects(official.before.dump))
      expect(withoutFunctionBodies(migrated.dump)).toBe(withoutFunctionBodies(official.before.dump))
      const again = snapshotOf(at.afterOfficial, 'The official migrations after Perdure')
      expect(again.versions).toEqual([123])
      expect(again.dump).toBe(migrated.dump)
    })
  }
}
