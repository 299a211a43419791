// Counts the statements Perdure sends, by kind, so the queue section can say where its round trips go.
// The pool is a postgres.js instance set up like adapters/shared/open-database.ts, wrapped so that every
// statement is tallied before it is sent; Perdure receives it as `systemDatabasePool`.
import postgres, { type Sql } from 'postgres'

/** Statements of one kind, the rows they carried (a batched statement's first array parameter), and time. */
export interface KindCount {
  statements: number
  items: number
  /** Summed milliseconds from each call to its result, waits for a free connection included. */
  ms: number
}

/** Statement counts by kind. */
export type Tally = Record<string, KindCount>

/** Perdure's statements, told apart by a fragment of their text; the first match wins. */
const KINDS: readonly (readonly [string, RegExp])[] = [
  ['claim', /WITH candidates AS MATERIALIZED/],
  ['insert workflow', /INSERT INTO \S+\.workflow_status\b/],
  ['checkpoint', /INSERT INTO \S+\.operation_outputs\b/],
  ['outcome', /INSERT INTO \S+\.workflow_output\b/],
  ['read status', /^SELECT ws\.workflow_uuid, ws\.status\b/],
  ['notify', /pg_notify/],
  ['queue rows', /FROM \S+\.queues\b/],
  ['promote delayed', /status = 'DELAYED' AND delay_until/],
  ['timeout sweep', /WITH expired AS/],
  ['cancel check', /AND status = 'CANCELLED'$/],
]

/** bigint columns hold epoch milliseconds: read them as numbers, as the adapters' own pool does. */
const INT8 = 20

/** The slice of a postgres.js connection Perdure's database port calls. */
interface Target {
  unsafe(text: string, params?: unknown[], options?: { prepare?: boolean }): PromiseLike<unknown[]>
}

/** A counting pool and its running tally. */
export interface CountingPool {
  /** Pass as `systemDatabasePool`; Perdure does not close it. */
  readonly pool: object
  /** A copy of the counts so far. */
  snapshot(): Tally
  /** Ends the underlying postgres.js pool. */
  end(): Promise<void>
}

function kindOf(text: string): string {
  const trimmed = text.trim()
  for (const [kind, pattern] of KINDS) if (pattern.test(trimmed)) return kind
  return `other: ${trimmed.replace(/\s+/g, ' ').slice(0, 40)}`
}

/** Opens a pool of `max` connections to `url` whose statements are counted by kind. */
export function countingPool(url: string, max: number): CountingPool {
  const sql: Sql = postgres(url, {
    max,
    connect_timeout: 10,
    onnotice: () => {},
    types: { bigint: { to: INT8, from: [INT8], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    transform: { undefined: null },
  })
  const counts: Tally = {}
  // Statement texts repeat: classify each distinct text once.
  const kinds = new Map<string, string>()
  const count = (text: string, params: unknown[] | undefined) => {
    let kind = kinds.get(text)
    if (kind === undefined) kinds.set(text, (kind = kindOf(text)))
    const entry = (counts[kind] ??= { statements: 0, items: 0, ms: 0 })
    entry.statements++
    // A claim's $5 is how many rows it asked for; batched statements pass one array per column.
    const first = params?.[0]
    entry.items += kind === 'claim' ? Number(params?.[4] ?? 0) : Array.isArray(first) ? first.length : 1
    return entry
  }
  const wrap = (target: Target): Target => ({
    unsafe(text, params, options) {
      const entry = count(text, params)
      const start = performance.now()
      const stop = () => void (entry.ms += performance.now() - start)
      return target.unsafe(text, params, options).then(
        (rows) => (stop(), rows),
        (e: unknown) => {
          stop()
          throw e
        },
      )
    },
  })
  const pool = {
    ...wrap(sql as unknown as Target),
    begin: <T>(options: string, fn: (tx: Target) => Promise<T>) =>
      sql.begin(options, (tx) => fn(wrap(tx as unknown as Target))),
    listen: (channel: string, onNotify: (payload: string) => void) => sql.listen(channel, onNotify),
    reserve: async () => {
      const conn = await sql.reserve()
      return { ...wrap(conn as unknown as Target), release: () => conn.release() }
    },
    end: (options?: { timeout?: number }) => sql.end(options),
  }
  return {
    pool,
    snapshot: () => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, { ...v }])),
    end: () => sql.end({ timeout: 5 }),
  }
}

/** What happened between two snapshots. */
export function tallySince(before: Tally, after: Tally): Tally {
  const out: Tally = {}
  for (const [kind, { statements, items, ms }] of Object.entries(after)) {
    const prev = before[kind] ?? { statements: 0, items: 0, ms: 0 }
    if (statements > prev.statements) {
      out[kind] = { statements: statements - prev.statements, items: items - prev.items, ms: ms - prev.ms }
    }
  }
  return out
}
