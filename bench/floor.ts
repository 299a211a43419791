// The raw floor: what the same database costs without Perdure, one single-row INSERT per commit.
import type { Sql } from 'postgres'
import { throughput } from './stats.ts'

/** A payload about the size of a small checkpointed step value. */
const PAYLOAD = JSON.stringify({ json: 42 })

/** Creates the floor's own table; it lives next to the system tables in the benchmark database. */
export async function createFloorTable(sql: Sql): Promise<void> {
  await sql`DROP TABLE IF EXISTS bench_floor`
  await sql`CREATE TABLE bench_floor (id bigserial primary key, wf text, n int, payload text)`
}

/** One INSERT in autocommit, so also one commit (and one WAL flush); `label` tags the rows. */
export function floorInsert(sql: Sql, label: string): (n: number) => Promise<unknown> {
  return (n) => sql`INSERT INTO bench_floor (wf, n, payload) VALUES (${label}, ${n}, ${PAYLOAD})`
}

/** INSERT+commit statements per second with `inFlight` of them pending on the pool. */
export function floorThroughput(sql: Sql, total: number, inFlight: number, label: string): Promise<number> {
  return throughput(total, inFlight, floorInsert(sql, label))
}
