import type { ContextFactory } from './context.ts'
import type { DatabaseFactory } from './database.ts'
import type { HttpPort } from './http.ts'
import type { TimerPort } from './timer.ts'

/** Everything an adapter supplies to the engine. */
export interface Runtime {
  /** e.g. 'node', 'bun', 'deno' */
  readonly name: string
  readonly openDatabase: DatabaseFactory
  readonly timer: TimerPort
  readonly createContext: ContextFactory
  readonly http: HttpPort
  /** Environment variable lookup (DBOS_SYSTEM_DATABASE_URL, DBOS__VMID, …). */
  env(name: string): string | undefined
}
