import { AsyncLocalStorage } from 'node:async_hooks'
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
  return bunSql ? bunSqlDatabase(options.url, options.poolSize, options.connectTimeoutMs) : await openDatabase(options)
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
