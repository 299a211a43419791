// Queues shared by real processes: several test/fixtures/queue-worker.ts processes serve the queues of one
// Postgres system database. A global concurrency limit must hold across all of them, a large backlog must
// drain with every workflow run exactly once, and a worker SIGKILLed mid-drain must leave its claims PENDING
// until it restarts under the same executor ID, with only those claims' steps run a second time.
//
// What really ran is read from the `obs` table, which the workers write from inside their steps (see the
// fixture); the engine's own view is read from dbos.workflow_status. Postgres only: PGlite is one process.
import postgres from 'postgres'
import { expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn, shareDatabaseWithChildren } from '../support/databases.ts'

const WORKER = 'test/fixtures/queue-worker.ts'
/** Per wait on a worker's line or exit: a start-up alone takes 1-3 s on a loaded machine. */
const LINE_TIMEOUT_MS = 30_000
/** Per wait on the database (a whole drain). Far above the few seconds a drain takes here. */
const DRAIN_TIMEOUT_MS = 60_000
const POLL_MS = 100
// Mirrors the fixture's queue declarations.
const GLOBAL_LIMIT = 3
const LIMITED_WORKER_LIMIT = 2
const DRAIN_WORKER_LIMIT = 20
const SLOW_WORKFLOWS = 30
const DRAIN_WORKFLOWS = 3000
const KILL_AFTER_RUNS = 300

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Counts of a workflow-ID prefix's rows in dbos.workflow_status, by status. */
type StatusCounts = Record<string, number>

function total(counts: StatusCounts, ...statuses: string[]): number {
  return statuses.reduce((n, s) => n + (counts[s] ?? 0), 0)
}

describeOn('postgres', 'queues across worker processes', (db) => {
  let url = ''
  let sql: postgres.Sql
  /** Every worker a test started, for failure messages (dead ones included). */
  let started: Child[] = []

  // The observation table must exist before any worker runs a step.
  shareDatabaseWithChildren(db, async (shared) => {
    ({ url, sql } = shared)
    await sql`CREATE TABLE obs (wf text NOT NULL, executor text NOT NULL, kind text NOT NULL, at bigint NOT NULL)`
  })

  /** A queue-worker run; `name` (an executor ID, or the enqueuer's prefix) tells it apart in failures. */
  function spawnWorker(name: string, args: string[]): Child {
    const worker = new Child(`queue-worker ${name}`, scriptCommand(WORKER, args), { timeoutMS: LINE_TIMEOUT_MS })
    started.push(worker)
    return worker
  }

  function work(executorID: string, extra: string[] = []): Child {
    return spawnWorker(executorID, ['work', '--db', url, '--executor-id', executorID, ...extra])
  }

  /** Runs an enqueuer to completion; resolves with the milliseconds its enqueues took. */
  async function enqueue(queue: 'limited' | 'drain', prefix: string, count: number): Promise<number> {
    const args = ['enqueue', '--db', url, '--queue', queue, '--prefix', prefix, '--count', String(count)]
    const enqueuer = spawnWorker(`enqueuer-${prefix}`, args)
    const [enqueued, ms] = (await enqueuer.line('ENQUEUED ')).split(' ').map(Number)
    expect(enqueued).toBe(count)
    await enqueuer.line('STOPPED')
    return ms!
  }

  /**
   * A prefix's rows in dbos.workflow_status, by status. Throws, with the stored errors, as soon as any row has
   * a status that no run here should reach: nothing then would ever reach SUCCESS, so no wait should go on.
   */
  async function statusCounts(prefix: string): Promise<StatusCounts> {
    // Outcomes live in workflow_output, or in workflow_status for rows that older writers finished (docs/sysdb.md §1.3).
    const bad = await sql<{ wf: string; status: string; executor_id: string; error: string | null }[]>`
      SELECT ws.workflow_uuid AS wf, ws.status, ws.executor_id, left(COALESCE(wo.error, ws.error), 2000) AS error
      FROM dbos.workflow_status ws LEFT JOIN dbos.workflow_output wo USING (workflow_uuid)
      WHERE ws.workflow_uuid LIKE ${`${prefix}-%`} AND ws.status NOT IN ('ENQUEUED', 'PENDING', 'SUCCESS') LIMIT 5`
    if (bad.length > 0) {
      const reports = started.map((w) => w.report()).join('\n')
      throw new Error(`workflows ended badly: ${JSON.stringify(bad, null, 1)}\n${reports}`)
    }
    const rows = await sql<{ status: string; n: number }[]>`
      SELECT status, COUNT(*)::int AS n FROM dbos.workflow_status
      WHERE workflow_uuid LIKE ${`${prefix}-%`} GROUP BY status`
    return Object.fromEntries(rows.map((r) => [r.status, r.n]))
  }

  /** Polls `read` until `done` holds for its result; fails with every worker's output otherwise. */
  async function waitFor<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMS = DRAIN_TIMEOUT_MS,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMS
    for (;;) {
      const value = await read()
      if (done(value)) return value
      if (Date.now() > deadline) {
        const reports = started.map((w) => w.report()).join('\n')
        throw new Error(`${what}: not reached within ${timeoutMS} ms; last read ${JSON.stringify(value)}\n${reports}`)
      }
      await delay(POLL_MS)
    }
  }

  /** Waits until `count` workflows of the prefix are SUCCESS; resolves with the final status counts. */
  function waitForSuccess(what: string, prefix: string, count: number): Promise<StatusCounts> {
    return waitFor(what, () => statusCounts(prefix), (c) => c.SUCCESS === count)
  }

  it('holds a global concurrency of 3 across three processes (worker concurrency 2)', async () => {
    started = []
    const workers = ['limit-w1', 'limit-w2', 'limit-w3'].map((id) => work(id))
    // All three serve the queue before the first enqueue, so that each has a fair chance at every slot.
    await Promise.all(workers.map((w) => w.line('READY')))
    const begin = Date.now()
    await enqueue('limited', 'limit', SLOW_WORKFLOWS)
    const counts = await waitForSuccess('all limited workflows SUCCESS', 'limit', SLOW_WORKFLOWS)
    const elapsed = Date.now() - begin
    await Promise.all(workers.map((w) => w.stop()))
    expect(counts).toEqual({ SUCCESS: SLOW_WORKFLOWS })

    const rows = await sql<{ wf: string; executor: string; kind: string; at: string }[]>`
      SELECT wf, executor, kind, at FROM obs WHERE wf LIKE 'limit-%' ORDER BY at`
    // Without a crash, each step ran exactly once: one start and one end per workflow, in one process.
    const runs = new Map<string, { executor: string; start?: number; end?: number }>()
    for (const row of rows) {
      const run = runs.get(row.wf) ?? { executor: row.executor }
      expect({ wf: row.wf, executor: row.executor, seen: run[row.kind as 'start' | 'end'] }).toEqual(
        { wf: row.wf, executor: run.executor, seen: undefined },
      )
      run[row.kind as 'start' | 'end'] = Number(row.at)
      runs.set(row.wf, run)
    }
    expect(rows.length).toBe(2 * SLOW_WORKFLOWS)
    expect(runs.size).toBe(SLOW_WORKFLOWS)
    const owners = await sql<{ wf: string; executor_id: string }[]>`
      SELECT workflow_uuid AS wf, executor_id FROM dbos.workflow_status WHERE workflow_uuid LIKE 'limit-%'`
    for (const { wf, executor_id } of owners) {
      expect({ wf, executor: runs.get(wf)?.executor }).toEqual({ wf, executor: executor_id })
    }

    // Each row is written inside its workflow's PENDING span, on the server's clock, so a start after another
    // workflow's end really came after it.
    const all = [...runs.values()]
    for (const run of all) expect(run.end).toBeGreaterThan(run.start!)
    const maxRunning = maxOverlap(all)
    const perExecutor = countBy(all.map((r) => r.executor))
    const maxPerExecutor = Object.fromEntries(
      Object.keys(perExecutor).map((id) => [id, maxOverlap(all.filter((r) => r.executor === id))]),
    )
    console.log(
      `global concurrency ${GLOBAL_LIMIT}: at most ${maxRunning} of ${SLOW_WORKFLOWS} running at once; ` +
        `${elapsed} ms from enqueue to the last SUCCESS; workflows per executor ${JSON.stringify(perExecutor)}, ` +
        `most at once ${JSON.stringify(maxPerExecutor)}`,
    )
    expect(maxRunning).toBeLessThanOrEqual(GLOBAL_LIMIT)
    for (const n of Object.values(maxPerExecutor)) expect(n).toBeLessThanOrEqual(LIMITED_WORKER_LIMIT)
    expect(Object.keys(perExecutor).length).toBeGreaterThan(1)
  })

  it('drains 3,000 workflows across three processes, each exactly once', async () => {
    started = []
    const enqueueMS = await enqueue('drain', 'drain1', DRAIN_WORKFLOWS)
    const begin = Date.now()
    const workers = ['drain1-w1', 'drain1-w2', 'drain1-w3'].map((id) => work(id))
    await Promise.all(workers.map((w) => w.line('READY')))
    const counts = await waitForSuccess('the backlog drained', 'drain1', DRAIN_WORKFLOWS)
    const elapsed = Date.now() - begin
    await Promise.all(workers.map((w) => w.stop()))
    expect(counts).toEqual({ SUCCESS: DRAIN_WORKFLOWS })

    const [obs] = await sql<{ rows: number; wfs: number; span_us: string }[]>`
      SELECT COUNT(*)::int AS rows, COUNT(DISTINCT wf)::int AS wfs, (MAX(at) - MIN(at))::text AS span_us
      FROM obs WHERE wf LIKE 'drain1-%'`
    expect({ rows: obs!.rows, wfs: obs!.wfs }).toEqual({ rows: DRAIN_WORKFLOWS, wfs: DRAIN_WORKFLOWS })
    const perExecutor = await executorCounts('drain1')
    expect(Object.keys(perExecutor).length).toBeGreaterThan(1)
    const spanMS = Number(obs!.span_us) / 1000
    console.log(
      `drain: enqueued ${DRAIN_WORKFLOWS} in ${enqueueMS} ms; ${elapsed} ms from spawning the workers to the last ` +
        `SUCCESS; first to last step ${spanMS.toFixed(0)} ms (${rate(DRAIN_WORKFLOWS, spanMS)} workflows/s); ` +
        `per executor ${JSON.stringify(perExecutor)}`,
    )
  })

  it('re-runs only the claims of a worker SIGKILLed mid-drain, once it restarts', async () => {
    started = []
    await enqueue('drain', 'drain2', DRAIN_WORKFLOWS)
    const begin = Date.now()
    const victimID = 'drain2-w2'
    const [w1, victim, w3] = [
      work('drain2-w1'),
      work(victimID, ['--report-every', String(KILL_AFTER_RUNS)]),
      work('drain2-w3'),
    ]
    await Promise.all([w1!, victim!, w3!].map((w) => w.line('READY')))
    await victim!.line(`RAN ${KILL_AFTER_RUNS}`)
    expect(await victim!.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    const killedAt = Date.now()

    const atKill = await statusCounts('drain2')
    expect(total(atKill, 'SUCCESS')).toBeLessThan(DRAIN_WORKFLOWS)

    // The survivors drain everything else, while the victim's claims stay PENDING under its ID until it
    // comes back (docs/sysdb.md §5.7). Its claims are read only then: a statement it sent just before dying, such as a
    // one-statement claim, can still commit after the kill.
    const left = await waitFor(
      'the survivors drained all but the stranded claims',
      () => sql<{ status: string; victims: boolean; n: number }[]>`
        SELECT status, executor_id = ${victimID} AS victims, COUNT(*)::int AS n FROM dbos.workflow_status
        WHERE workflow_uuid LIKE 'drain2-%' AND status <> 'SUCCESS' GROUP BY 1, 2`,
      (groups) => groups.every((g) => g.status === 'PENDING' && g.victims),
    )
    const claimed = await sql<{ wf: string }[]>`
      SELECT workflow_uuid AS wf FROM dbos.workflow_status
      WHERE workflow_uuid LIKE 'drain2-%' AND executor_id = ${victimID} AND status = 'PENDING'`
    const stranded = new Set(claimed.map((r) => r.wf))
    expect(stranded.size).toBe(left[0]?.n ?? 0)
    expect(stranded.size).toBeGreaterThan(0)
    // Never more in flight than the queue's worker concurrency.
    expect(stranded.size).toBeLessThanOrEqual(DRAIN_WORKER_LIMIT)

    const restarted = work(victimID)
    await restarted.line('READY')
    const counts = await waitForSuccess('the restarted worker recovered its claims', 'drain2', DRAIN_WORKFLOWS)
    const elapsed = Date.now() - begin
    await Promise.all([w1!, w3!, restarted].map((w) => w.stop()))
    expect(counts).toEqual({ SUCCESS: DRAIN_WORKFLOWS })

    // Every workflow ran; only stranded ones ran twice, first in the victim, and never more than twice.
    const rows = await sql<{ wf: string; executor: string }[]>`
      SELECT wf, executor FROM obs WHERE wf LIKE 'drain2-%' ORDER BY at`
    const history = new Map<string, string[]>()
    for (const { wf, executor } of rows) history.set(wf, [...(history.get(wf) ?? []), executor])
    expect(history.size).toBe(DRAIN_WORKFLOWS)
    const twice = [...history].filter(([, executors]) => executors.length > 1)
    for (const [wf, executors] of twice) {
      expect({ wf, stranded: stranded.has(wf), runs: executors.length, first: executors[0] })
        .toEqual({ wf, stranded: true, runs: 2, first: victimID })
    }
    // One claim per run, and a second for each recovered claim (docs/sysdb.md §3.6).
    const attempts = await sql<{ wf: string; recovery_attempts: string; executor_id: string }[]>`
      SELECT workflow_uuid AS wf, recovery_attempts, executor_id FROM dbos.workflow_status
      WHERE workflow_uuid LIKE 'drain2-%'`
    for (const { wf, recovery_attempts } of attempts) {
      expect({ wf, attempts: Number(recovery_attempts) }).toEqual({ wf, attempts: stranded.has(wf) ? 2 : 1 })
    }
    const finishers = countBy(attempts.filter((a) => stranded.has(a.wf)).map((a) => a.executor_id))
    console.log(
      `kill mid-drain: ${KILL_AFTER_RUNS} steps into the victim, ` +
        `${total(atKill, 'SUCCESS')} of ${DRAIN_WORKFLOWS} done at the kill; ${stranded.size} claims stranded, ` +
        `${twice.length} steps ran twice; recovered claims finished by ${JSON.stringify(finishers)}; ` +
        `${Date.now() - killedAt} ms kill to done, ${elapsed} ms in all ` +
        `(${rate(DRAIN_WORKFLOWS, elapsed)} workflows/s with the restart); per executor ` +
        `${JSON.stringify(await executorCounts('drain2'))}`,
    )
  })

  /** obs rows per executor for a prefix. */
  async function executorCounts(prefix: string): Promise<Record<string, number>> {
    const rows = await sql<{ executor: string; n: number }[]>`
      SELECT executor, COUNT(*)::int AS n FROM obs WHERE wf LIKE ${`${prefix}-%`} GROUP BY executor ORDER BY executor`
    return Object.fromEntries(rows.map((r) => [r.executor, r.n]))
  }
})

/** The most intervals open at one instant; at an equal timestamp an end counts before a start. */
function maxOverlap(runs: readonly { start?: number; end?: number }[]): number {
  const events: [number, number][] = runs.flatMap((r) => [[r.start!, 1], [r.end!, -1]] as [number, number][])
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
  let open = 0
  let most = 0
  for (const [, step] of events) {
    open += step
    most = Math.max(most, open)
  }
  return most
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1
  return counts
}

function rate(count: number, ms: number): string {
  return (count / (ms / 1000)).toFixed(0)
}
