// The two databases every engine test runs on: a real Postgres server and in-memory PGlite.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { describe } from '../harness.ts'

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

function pgliteDatabase(): TestDatabase {
  const dirs: string[] = []
  return {
    name: 'pglite',
    skip: false,
    fresh: () => 'memory://',
    persistent() {
      const dir = mkdtempSync(join(tmpdir(), 'perdure-test-'))
      dirs.push(dir)
      return `file:${dir}`
    },
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
