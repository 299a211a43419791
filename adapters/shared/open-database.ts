import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { lockDirectory } from './directory-lock.ts'
import { emptyDirectory, isEmptyDirectory, readTemplate } from './pglite-template.ts'
import { DBOSInitializationError } from '../../core/errors.ts'
import { databaseName, DEFAULT_CONNECT_TIMEOUT_MS } from '../../core/sysdb/connect.ts'
import { setEmbeddedDirectoryResolver } from '../../core/sysdb/embedded.ts'
import type { DatabaseFactory, DatabasePort } from '../../core/ports/database.ts'
import { pgliteDatabase, type PGliteLike } from '../../core/sysdb/pglite.ts'
import { postgresJsDatabase, type PostgresJsLike } from '../../core/sysdb/postgres-js.ts'
import { ignoreLostTypeFetches } from './lost-type-fetch.ts'
import { guardPostgresJs } from './postgres-js-sessions.ts'

/** bigint columns hold epoch milliseconds, which fit in a double: read them as numbers. */
const INT8 = 20

/**
 * postgres.js for postgres:// URLs; PGlite for memory:// and file: (the embedded default). Both run unchanged
 * on Node, Bun and Deno, so the three adapters share this factory.
 */
export const openDatabase: DatabaseFactory = async ({ url, poolSize, pool, notice, connectTimeoutMs }): Promise<DatabasePort> => {
  if (pool) return postgresJsDatabase(guardPostgresJs(pool as PostgresJsLike), false)
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Loaded on demand: an app on one kind of database never loads the other's driver.
    const { default: postgres } = await import('postgres')
    ignoreLostTypeFetches()
    // postgres.js decodes the user and password of a URL but not its path: name the database itself.
    const database = databaseName(url)
    const sql = postgres(url, {
      ...(database === undefined ? {} : { database }),
      max: poolSize,
      // In seconds (fractions allowed): the launch's bound, so the driver does not give up first.
      connect_timeout: (connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
      onnotice: () => {},
      types: { bigint: { to: INT8, from: [INT8], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
      transform: { undefined: null },
    })
    return postgresJsDatabase(guardPostgresJs(sql as unknown as PostgresJsLike))
  }
  if (url.startsWith('memory://') || url.startsWith('file:')) {
    const { PGlite } = await import('@electric-sql/pglite')
    const options = { parsers: { [INT8]: Number } }
    if (url.startsWith('memory://')) return pgliteDatabase((await PGlite.create(options)) as unknown as PGliteLike)
    mkdirSync(resolve(embeddedPath(url)), { recursive: true })
    // The real path: `file:data`, `file:./data` and a symlink to it are one directory, so one lock.
    const dir = embeddedDirectory(url)
    // Before PGlite reads a byte: a second owner would run on its own copy and lose one side's work.
    const lock = lockDirectory(dir)
    try {
      // PGlite's initdb runs in WebAssembly on this thread, blocking timers: say so before, not during.
      if (!existsSync(join(dir, 'PG_VERSION'))) notice?.(`Creating the embedded PGlite database in ${dir} (first launch, a few seconds)...`)
      let pg: unknown
      const template = isEmptyDirectory(dir) ? readTemplate() : undefined
      if (template) {
        try {
          pg = await PGlite.create(dir, { ...options, loadDataDir: template })
        } catch (e) {
          // A template this PGlite cannot start from (built by another version): initdb instead, saying why.
          notice?.(`The embedded database template did not load (${e instanceof Error ? e.message : String(e)}); running initdb instead.`)
          emptyDirectory(dir)
        }
      }
      pg ??= await PGlite.create(dir, options)
      return releasingOnClose(pgliteDatabase(pg as PGliteLike), lock.release)
    } catch (e) {
      lock.release()
      throw e
    }
  }
  throw new DBOSInitializationError(`Unsupported system database URL scheme in ${url.split(':')[0]}: use postgres://, memory:// or file:`)
}

/** The directory of a file: URL: `file:dir`, `file://dir` or `file:///abs/dir`, taken literally. */
function embeddedPath(url: string): string {
  return url.replace(/^file:(\/\/)?/, '')
}

/** The real path of a file: URL's directory once it exists (symlinks and `.` resolved); its absolute path before. */
function embeddedDirectory(url: string): string {
  const dir = resolve(embeddedPath(url))
  try {
    return realpathSync(dir)
  } catch {
    // Not created yet: nothing can be open on it, so no other spelling can name an open one.
    return dir
  }
}

// A client in the process that launched DBOS on a file: URL shares the launch's database whatever the URL's
// spelling: core keys the sharing on this (core cannot read the file system).
setEmbeddedDirectoryResolver(embeddedDirectory)

/** The same port, with `release` run once the database has closed. */
function releasingOnClose(db: DatabasePort, release: () => void): DatabasePort {
  return {
    kind: db.kind,
    query: (text, params) => db.query(text, params),
    exec: (script) => db.exec(script),
    session: (fn) => db.session(fn),
    transaction: (fn, isolation) => db.transaction(fn, isolation),
    listen: (channel, onPayload) => db.listen(channel, onPayload),
    async close() {
      try {
        await db.close()
      } finally {
        release()
      }
    },
  }
}
