import { AsyncLocalStorage } from 'node:async_hooks'
import type { Runtime } from '../../core/ports/runtime.ts'
import { openDatabase } from '../shared/open-database.ts'
import { serve } from './serve.ts'
import { bunGlobal } from './bun-global.ts'

/** The Bun runtime: postgres.js or PGlite, unref'd timers, AsyncLocalStorage, Bun.serve. */
export function createRuntime(): Runtime {
  return {
    name: 'bun',
    openDatabase,
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
    env: (name) => bunGlobal().env[name],
  }
}
