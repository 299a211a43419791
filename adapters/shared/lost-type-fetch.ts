import { isTransient } from '../../core/internal/database-errors.ts'

// postgres.js (3.4) reads the array types from pg_type on every new connection, from a promise nobody awaits:
// when that connection is lost meanwhile (a server restarting, a backend terminated as it starts), the
// rejection is unhandled and the runtime ends the process. Nothing is lost with it: the connection's pending
// work is reconnected or rejected on its own path. Turning the fetch off (`fetch_types: false`) is no way out:
// a reserved connection opened without it never resolves.

/** Whether postgres.js's pg_type fetch failed because its connection was lost. */
function isLostTypeFetch(reason: unknown): boolean {
  const query = reason && typeof reason === 'object' ? (reason as { query?: unknown }).query : undefined
  return typeof query === 'string' && query.includes('pg_catalog.pg_type') && query.includes("typcategory = 'A'") && isTransient(reason)
}

let installed = false

/** The web's rejection event, where the runtime has it (Deno): cancelled, only that rejection is dropped. */
interface RejectionEvent {
  reason: unknown
  preventDefault(): void
}
type WebGlobal = { onunhandledrejection?: unknown; addEventListener?(type: string, listener: (event: RejectionEvent) => void): void }

/**
 * Drops the unhandled rejection of a lost pg_type fetch; every other one goes on as without this listener:
 * thrown (the runtime's default), unless the application listens for them itself.
 */
export function ignoreLostTypeFetches(): void {
  if (installed) return
  installed = true
  // Deno's own test runner and its default handling follow the web event, not node:process's listeners.
  const web = globalThis as WebGlobal
  if ('onunhandledrejection' in web && web.addEventListener) {
    web.addEventListener('unhandledrejection', (event) => {
      if (isLostTypeFetch(event.reason)) event.preventDefault()
    })
    return
  }
  const listener = (reason: unknown) => {
    if (isLostTypeFetch(reason)) return
    if (process.listeners('unhandledRejection').every((l) => l === listener)) throw reason
  }
  process.on('unhandledRejection', listener)
}
