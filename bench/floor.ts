// The raw floor: what the same database costs without Perdure, one single-row INSERT per commit.
import type { Sql } from 'postgres'
import { throughput, timeEach } from './stats.ts'

/** A payload about the size of a small checkpointed step value. */
const PAYLOAD = JSON.stringify({ json: 42 })

/** Creates the floor's own table; it lives next to the system tables in the benchmark database. */
export async function createFloorTable(sql: Sql): Promise<void> {
  await sql`DROP TABLE IF EXISTS bench_floor`
  await sql`CREATE TABLE bench_floor (id bigserial primary key, wf text, n int, payload text)`
}

/** One INSERT in autocommit, so it is also one commit (and one WAL flush). */
function insertRow(sql: Sql, wf: string, n: number): Promise<unknown> {
  return sql`INSERT INTO bench_floor (wf, n, payload) VALUES (${wf}, ${n}, ${PAYLOAD})`
}

/** Sequential INSERT+commit latencies in milliseconds, one statement in flight at a time. */
export function floorLatency(sql: Sql, count: number, label: string): Promise<number[]> {
  return timeEach(count, (i) => insertRow(sql, label, i))
}

/** INSERT+commit statements per second with `inFlight` of them pending on the pool. */
export function floorThroughput(sql: Sql, total: number, inFlight: number, label: string): Promise<number> {
  return throughput(total, inFlight, (i) => insertRow(sql, label, i))
}
