// The two databases every engine test runs on: a real Postgres server and in-memory PGlite.
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, it } from '../harness.ts'
import { Child } from './child.ts'

export interface TestDatabase {
  /** 'postgres' or 'pglite', for test names. */
  readonly name: 'postgres' | 'pglite'
  /** True when this database is unavailable here and its tests are skipped. */
  readonly skip: boolean
  /** A URL for a fresh, empty system database (created by launch). PGlite's lives in memory. */
  fresh(): string
  /** Like fresh(), but the state outlives a shutdown, so a relaunch (or another process) sees it. */
  persistent(): string
  /** Drops every database handed out by fresh() and persistent(). */
  dropAll(): Promise<void>
}

const serverUrl = process.env.PERDURE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A URL on the test Postgres server for a database with this name. */
export function postgresUrl(database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

/** Drops databases on the test server, disconnecting their sessions first. */
export async function dropPostgresDatabases(names: readonly string[]): Promise<void> {
  if (names.length === 0) return
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} })
  try {
    for (const name of names) await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/**
 * Registers a suite's hooks for a fresh Postgres database it shares with its child processes. Before all:
 * creates the database ahead of any launch, which would otherwise create it, and calls `setUp` with its URL
 * and a small pool, to keep them and to create what the children write to; the DBOS schema comes with their
 * first launch. After all: kills every child still running, as it would go on writing, then ends the pool and
 * drops the database.
 */
export function shareDatabaseWithChildren(
  db: TestDatabase,
  setUp: (shared: { url: string; sql: postgres.Sql }) => Promise<void>,
): void {
  let sql: postgres.Sql | undefined
  beforeAll(async () => {
    const url = db.fresh()
    const admin = postgres(postgresUrl('postgres'), { max: 1, onnotice: () => {} })
    try {
      await admin.unsafe(`CREATE DATABASE "${new URL(url).pathname.slice(1)}"`)
    } finally {
      await admin.end({ timeout: 5 })
    }
    sql = postgres(url, { max: 2, onnotice: () => {} })
    await setUp({ url, sql })
  })
  afterAll(async () => {
    await Child.killAll()
    await sql?.end({ timeout: 5 })
    await db.dropAll()
  })
}

function postgresDatabase(): TestDatabase {
  const created: string[] = []
  return {
    name: 'postgres',
    skip: process.env.PERDURE_SKIP_POSTGRES === '1',
    persistent() {
      return this.fresh()
    },
    fresh() {
      const name = `perdure_test_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
      created.push(name)
      return postgresUrl(name)
    },
    async dropAll() {
      await dropPostgresDatabases(created.splice(0))
    },
  }
}

/**
 * An initialized, empty PGlite data directory the test runner prepared (scripts/test.mjs). Creating a PGlite
 * database runs initdb, seconds of WebAssembly per suite; a copy of this directory opens in a fraction of that.
 */
const pgliteTemplate = process.env.PERDURE_TEST_PGLITE_TEMPLATE

function pgliteDatabase(): TestDatabase {
  const dirs: string[] = []
  const directory = () => {
    const dir = mkdtempSync(join(tmpdir(), 'perdure-test-'))
    dirs.push(dir)
    if (pgliteTemplate) cpSync(pgliteTemplate, dir, { recursive: true })
    return `file:${dir}`
  }
  return {
    name: 'pglite',
    skip: false,
    fresh: () => (pgliteTemplate ? directory() : 'memory://'),
    persistent: directory,
    async dropAll() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The databases this run covers: both, or the one PERDURE_TEST_DB names (the test runner sets it per lane). */
export function testDatabases(): TestDatabase[] {
  const only = process.env.PERDURE_TEST_DB
  return [postgresDatabase(), pgliteDatabase()].filter((db) => !only || db.name === only)
}

/** Declares the same suite once per database; a database that is unavailable here is skipped, visibly. */
export function describeEachDatabase(title: string, body: (db: TestDatabase) => void): void {
  for (const db of testDatabases()) {
    const declare = db.skip ? describe.skip : describe
    declare(`${title} [${db.name}]`, () => body(db))
  }
}

/** Declares a suite that only makes sense on one database (e.g. it drives Postgres from outside). */
export function describeOn(name: TestDatabase['name'], title: string, body: (db: TestDatabase) => void): void {
  const db = testDatabases().find((d) => d.name === name)
  if (!db) return
  const declare = db.skip ? describe.skip : describe
  declare(`${title} [${name}]`, () => body(db))
}

/**
 * Declares, in place of a suite this runtime cannot run, one skipped test that says why (`reason`), on the lane
 * of database `name`: the lane reports the file as skipped, rather than as a file with no test, which the test
 * runner fails. A reason that names a PERDURE_REQUIRE_* variable fails the run when that variable is set.
 */
export function skipOn(name: TestDatabase['name'], title: string, reason: string): void {
  describeOn(name, title, () => {
    it.skip(`SKIPPED: ${reason}`, () => {})
  })
}
