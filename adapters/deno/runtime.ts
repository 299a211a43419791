import { AsyncLocalStorage } from 'node:async_hooks'
import type { Runtime } from '../../core/ports/runtime.ts'
import { openDatabase } from '../shared/open-database.ts'
import { serve } from './serve.ts'
import { denoGlobal } from './deno-global.ts'

/** The Deno runtime: postgres.js or PGlite through npm, unref'd timers, AsyncLocalStorage, Deno.serve. */
export function createRuntime(): Runtime {
  return {
    name: 'deno',
    openDatabase,
    timer: {
      now: () => Date.now(),
      schedule(ms, fn) {
        // Deno's timer IDs are numbers; https://docs.deno.com/api/deno/~/Deno.unrefTimer
        const id = setTimeout(fn, ms) as unknown as number
        denoGlobal().unrefTimer(id)
        return () => clearTimeout(id)
      },
    },
    createContext: <T>() => new AsyncLocalStorage<T>(),
    http: { serve },
    env(name) {
      try {
        return denoGlobal().env.get(name)
      } catch {
        // Without --allow-env, behave as if the variable were unset.
        return undefined
      }
    },
  }
}
