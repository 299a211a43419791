import { AsyncLocalStorage } from 'node:async_hooks'
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { DatabaseFactory } from '../../core/ports/database.ts'
import type { Runtime } from '../../core/ports/runtime.ts'
import { openDatabase } from '../shared/open-database.ts'
import { bunSqlDatabase } from './bun-sql.ts'
import { serve } from './serve.ts'
import { bunGlobal } from './bun-global.ts'

const env = (name: string): string | undefined => bunGlobal().env[name]

/**
 * Bun's built-in client (Bun.SQL) for postgres:// URLs: it passes the same suite as postgres.js and cuts
 * per-step latency (README, Benchmarks). PERDURE_BUN_SQL=0 selects postgres.js instead. A caller-supplied
 * pool is a postgres.js one, and PGlite is the same on every runtime.
 */
const openBunDatabase: DatabaseFactory = async (options) => {
  const bunSql = env('PERDURE_BUN_SQL') !== '0' && !options.pool && /^postgres(ql)?:\/\//.test(options.url)
  if (!bunSql) return await openDatabase(options)
  await resolveHost(options.url)
  return bunSqlDatabase(options.url, options.poolSize, options.connectTimeoutMs)
}

/**
 * Bun.SQL reports a host name that does not exist as a refused connection ("Failed to connect"), which
 * launch waits on as a server restarting. Resolved first, a misspelt host fails at once (ENOTFOUND), as it
 * does with postgres.js. Any other lookup failure is left to the connection to report.
 */
async function resolveHost(url: string): Promise<void> {
  const host = new URL(url).hostname
  if (host === '' || host.startsWith('[') || isIP(host) !== 0) return
  try {
    await lookup(host)
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOTFOUND') throw e
  }
}

/** The Bun runtime: Bun.SQL (or postgres.js) or PGlite, unref'd timers, AsyncLocalStorage, Bun.serve. */
export function createRuntime(): Runtime {
  return {
    name: 'bun',
    openDatabase: openBunDatabase,
    timer: {
      now: () => Date.now(),
      schedule(ms, fn) {
        // Bun's timers are objects with unref(), as on Node.
        const t = setTimeout(fn, ms) as unknown as { unref(): void }
        t.unref()
        return () => clearTimeout(t as unknown as number)
      },
    },
    createContext: <T>() => new AsyncLocalStorage<T>(),
    http: { serve },
    env,
  }
}
