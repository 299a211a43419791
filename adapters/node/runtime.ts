import { AsyncLocalStorage } from 'node:async_hooks'
import type { Runtime } from '../../core/ports/runtime.ts'
import { openDatabase } from '../shared/open-database.ts'
import { serve } from './serve.ts'

/** The Node runtime: postgres.js or PGlite, unref'd timers, AsyncLocalStorage, @hono/node-server. */
export function createRuntime(): Runtime {
  return {
    name: 'node',
    openDatabase,
    timer: {
      now: () => Date.now(),
      schedule(ms, fn) {
        const t = setTimeout(fn, ms)
        t.unref()
        return () => clearTimeout(t)
      },
    },
    createContext: <T>() => new AsyncLocalStorage<T>(),
    http: { serve },
    env: (name) => process.env[name],
  }
}
