// Scheduled workflows (docs/sysdb.md §7.2): declarations checked at registration, `workflow_schedules` rows published at
// launch, one workflow per slot under `sched-<schedule_name>-<ISO>` however many processes fire it, and no burst
// of missed slots after downtime unless the schedule asks for backfill.
//
// Downtime is simulated in the database rather than waited out: after a shutdown, the schedules' last_fired_at
// is moved 30 s back and their slot workflows are deleted, which is exactly what 30 s without any executor
// leaves behind. The three-process part spawns test/fixtures/schedule-worker.ts (Postgres only: PGlite is one
// process).
import { PGlite } from '@electric-sql/pglite'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import {
  describeEachDatabase,
  describeOn,
  shareDatabaseWithChildren,
  type TestDatabase,
} from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { parseCrontab } from '../../core/scheduler/crontab.ts'

const { DBOS, DBOSError, DBOSConflictingRegistrationError, DBOSNotRegisteredError, WorkflowQueue } = perdure

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Every run of a scheduled workflow in this process: workflow ID and the two arguments it got. */
const runs: { id: string; scheduled: Date; actual: Date }[] = []

const everySecond = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => {
  runs.push({ id: DBOS.workflowID!, scheduled, actual })
}, { name: 'every-second' })
DBOS.registerScheduled(everySecond, { crontab: '* * * * * *' })

const backfilled = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => {
  runs.push({ id: DBOS.workflowID!, scheduled, actual })
}, { name: 'backfilled' })
DBOS.registerScheduled(backfilled, { crontab: '* * * * * *', mode: 'ExactlyOncePerInterval' })

// Runs on a queue of its own, every other second.
const scheduledQueue = new WorkflowQueue('scheduled-queue', { concurrency: 1 })
const queued = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => {
  runs.push({ id: DBOS.workflowID!, scheduled, actual })
}, { name: 'queued' })
DBOS.registerScheduled(queued, { crontab: '*/2 * * * * *', queueName: scheduledQueue.name })

const unscheduled = DBOS.registerWorkflow(async (_scheduled: Date, _actual: Date) => {}, { name: 'unscheduled' })

/** The slot time of a `sched-<name>-<ISO>` workflow ID, in epoch ms. */
function slotOf(id: string, scheduleName: string): number {
  const prefix = `sched-${scheduleName}-`
  expect(id.startsWith(prefix)).toBe(true)
  const iso = id.slice(prefix.length)
  expect(new Date(iso).toISOString()).toBe(iso)
  return Date.parse(iso)
}

/** Throws unless the slots are whole seconds, one per second, without a gap. */
function expectConsecutiveSeconds(slots: number[]): void {
  const sorted = [...slots].sort((a, b) => a - b)
  for (const slot of sorted) expect(slot % 1000).toBe(0)
  const gaps = sorted.slice(1).map((slot, i) => slot - sorted[i]!)
  expect(gaps.filter((g) => g !== 1000)).toEqual([])
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/** SQL on the system database while DBOS is shut down (PGlite allows one process at a time). */
interface RawDatabase {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  close(): Promise<void>
}

async function openRaw(db: TestDatabase, url: string): Promise<RawDatabase> {
  if (db.name === 'pglite') {
    const pg = await PGlite.create(url.replace(/^file:(\/\/)?/, ''))
    return { query: async <T>(text: string, params?: unknown[]) => (await pg.query<T>(text, params)).rows, close: () => pg.close() }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  return {
    query: async <T>(text: string, params: unknown[] = []) => [...(await sql.unsafe(text, params as never[]))] as T[],
    close: () => sql.end({ timeout: 5 }),
  }
}

describe('registerScheduled', () => {
  it('rejects an invalid crontab with a DBOSError naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['every minute', /exactly five, six, or seven/],
      ['61 * * * *', /minute: 61/],
      ['* * 32 * *', /day/],
      ['* * * * * * *', /7 parts/],
      ['0 0 31 2 *', /no date ever matches/],
      ['2025-06-15T10:30:00', /a date, not a repeating cron pattern/],
    ]
    for (const [crontab, problem] of cases) {
      let error: unknown
      try {
        DBOS.registerScheduled(unscheduled, { crontab })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DBOSError)
      expect((error as InstanceType<typeof DBOSError>).dbosErrorCode).toBe(1)
      expect((error as Error).message).toContain(`Invalid crontab '${crontab}': `)
      expect((error as Error).message).toMatch(problem)
    }
  })

  it('reads the forms the spec lists: seconds, names, ?, weekday 7, nicknames; day of month AND weekday', () => {
    // Local time, as the schedules are evaluated; Sunday 15 June 2025, 10:30.
    const from = new Date(2025, 5, 15, 10, 30, 0)
    const next = (crontab: string) => parseCrontab(crontab).nextRun(from)
    expect(next('*/30 * * * * *')).toEqual(new Date(2025, 5, 15, 10, 30, 30))
    expect(next('0 0 * * 7')).toEqual(new Date(2025, 5, 22))
    expect(next('0 0 ? * *')).toEqual(new Date(2025, 5, 16))
    expect(next('@hourly')).toEqual(new Date(2025, 5, 15, 11))
    expect(next('@daily')).toEqual(new Date(2025, 5, 16))
    expect(next('@weekly')).toEqual(new Date(2025, 5, 22))
    expect(next('@monthly')).toEqual(new Date(2025, 6, 1))
    expect(next('@yearly')).toEqual(new Date(2026, 0, 1))
    expect(next('0 9-17/2 * JAN-MAR MON-FRI')).toEqual(new Date(2026, 0, 1, 9))
    // Both must match: the first Monday that is the 1st, not every Monday and every 1st.
    expect(next('0 0 1 * MON')).toEqual(new Date(2025, 8, 1))
  })

  it('rejects an unknown mode and an empty queue name', () => {
    expect(() => DBOS.registerScheduled(unscheduled, { crontab: '0 * * * *', mode: 'Sometimes' as never }))
      .toThrow(/Invalid schedule mode 'Sometimes'/)
    expect(() => DBOS.registerScheduled(unscheduled, { crontab: '0 * * * *', queueName: '' })).toThrow(DBOSError)
  })

  it('rejects a second schedule for a workflow, and functions that are not registered workflows', () => {
    expect(() => DBOS.registerScheduled(everySecond, { crontab: '0 * * * *' })).toThrow(DBOSConflictingRegistrationError)
    const plain = async (_s: Date, _a: Date) => {}
    expect(() => DBOS.registerScheduled(plain, { crontab: '0 * * * *' })).toThrow(DBOSNotRegisteredError)
  })
})

describeEachDatabase('scheduled workflows', (db) => {
  let url = ''
  beforeAll(() => {
    url = db.persistent()
    DBOS.setConfig({ name: 'schedule-tests', systemDatabaseUrl: url, applicationVersion: 'v1', logLevel: 'warn' })
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('fires a per-second schedule once per second with the slot and actual times, and stores the schedules', async () => {
    runs.length = 0
    const launchingAt = Date.now()
    await DBOS.launch()
    const launchedAt = Date.now()
    await sleep(3_200)
    const stoppedAt = Date.now()
    await DBOS.shutdown()
    const mine = runs.filter((r) => r.id.startsWith('sched-.every-second-'))
    // One run per slot, each with its own slot as scheduledTime and the enqueue time as actualTime.
    expect(new Set(mine.map((r) => r.id)).size).toBe(mine.length)
    for (const run of mine) {
      expect(run.scheduled).toBeInstanceOf(Date)
      expect(run.actual).toBeInstanceOf(Date)
      expect(run.scheduled.getTime()).toBe(slotOf(run.id, '.every-second'))
      expect(run.actual.getTime()).toBeGreaterThanOrEqual(run.scheduled.getTime())
    }
    const slots = mine.map((r) => r.scheduled.getTime())
    expect(slots.length).toBeGreaterThanOrEqual(2)
    expectConsecutiveSeconds(slots)
    expect(Math.min(...slots)).toBeGreaterThan(launchingAt)
    // The first slot after launch fires (a whole second, plus up to 100 ms of jitter).
    expect(Math.min(...slots)).toBeLessThanOrEqual(launchedAt + 2_000)
    expect(Math.max(...slots)).toBeLessThanOrEqual(stoppedAt)

    const raw = await openRaw(db, url)
    try {
      const rows = await raw.query<Record<string, unknown>>(
        `SELECT schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context,
           last_fired_at, automatic_backfill, cron_timezone, queue_name, application_name
         FROM dbos.workflow_schedules ORDER BY schedule_name`,
      )
      const common = {
        workflow_class_name: '', schedule: '* * * * * *', status: 'ACTIVE',
        context: '{"json":null,"__dbos_serializer":"superjson"}', cron_timezone: null, queue_name: null,
        application_name: 'schedule-tests',
      }
      expect(rows.map(({ last_fired_at: _, ...rest }) => rest)).toEqual([
        { ...common, schedule_id: 'perdure-code:.backfilled', schedule_name: '.backfilled', workflow_name: 'backfilled', automatic_backfill: true },
        { ...common, schedule_id: 'perdure-code:.every-second', schedule_name: '.every-second', workflow_name: 'every-second', automatic_backfill: false },
        { ...common, schedule_id: 'perdure-code:.queued', schedule_name: '.queued', workflow_name: 'queued', automatic_backfill: false, schedule: '*/2 * * * * *', queue_name: 'scheduled-queue' },
      ])
      // last_fired_at is the latest slot fired (runs may lag behind their inserts).
      const fired = Date.parse(rows[1]!.last_fired_at as string)
      expect(fired).toBeGreaterThanOrEqual(Math.max(...slots))
      const stored = await raw.query<{ schedule_name: string; serialization: string }>(
        `SELECT DISTINCT schedule_name, serialization FROM dbos.workflow_status
         WHERE workflow_uuid LIKE 'sched-.every-second-%'`,
      )
      expect(stored).toEqual([
        { schedule_name: '.every-second', serialization: 'js_superjson' },
      ])
      // A schedule with a queue enqueues there, on even seconds only.
      const onQueue = await raw.query<{ id: string; queue_name: string; status: string }>(
        `SELECT workflow_uuid AS id, queue_name, status FROM dbos.workflow_status WHERE schedule_name = '.queued'`,
      )
      expect(onQueue.length).toBeGreaterThanOrEqual(1)
      for (const row of onQueue) {
        expect(row.queue_name).toBe('scheduled-queue')
        expect(slotOf(row.id, '.queued') % 2000).toBe(0)
      }
      expect(runs.filter((r) => r.id.startsWith('sched-.queued-')).length).toBeGreaterThanOrEqual(1)
    } finally {
      await raw.close()
    }
  })

  it('does not replay the slots of 30 s of downtime, unless the schedule backfills', async () => {
    runs.length = 0
    // What 30 s without any executor leaves: the last slot fired 30 s ago, nothing enqueued since.
    const lastFired = Math.floor((Date.now() - 30_000) / 1000) * 1000
    const raw = await openRaw(db, url)
    try {
      for (const table of ['workflow_input', 'workflow_output', 'operation_outputs', 'workflow_status']) {
        await raw.query(`DELETE FROM dbos.${table} WHERE workflow_uuid LIKE 'sched-%'`)
      }
      await raw.query('UPDATE dbos.workflow_schedules SET last_fired_at = $1', [new Date(lastFired).toISOString()])
    } finally {
      await raw.close()
    }
    const relaunchedAt = Date.now()
    await DBOS.launch()
    const backfill: number[] = []
    for (let slot = lastFired + 1000; slot < relaunchedAt; slot += 1000) backfill.push(slot)
    // Every missed slot of the backfilling schedule runs, once.
    const ran = (name: string) => runs.filter((r) => r.id.startsWith(`sched-.${name}-`)).map((r) => r.scheduled.getTime())
    await waitFor(() => backfill.every((slot) => ran('backfilled').includes(slot)), 'the backfilled slots to run')
    await sleep(1_500)
    await DBOS.shutdown()

    const backfilledSlots = ran('backfilled')
    expect(new Set(backfilledSlots).size).toBe(backfilledSlots.length)
    expect(backfilledSlots.filter((s) => s <= lastFired)).toEqual([])
    expectConsecutiveSeconds(backfilledSlots)
    // The default mode fires only slots that come after the relaunch: no burst of 30.
    const activeSlots = ran('every-second')
    expect(activeSlots.length).toBeGreaterThanOrEqual(1)
    expect(activeSlots.filter((s) => s <= relaunchedAt)).toEqual([])
    expectConsecutiveSeconds(activeSlots)
  })
})

describeOn('postgres', 'scheduled workflows across processes', (db) => {
  const WORKER = 'test/fixtures/schedule-worker.ts'
  const RUN_MS = 10_000
  let url = ''
  let sql: postgres.Sql

  // The observation table must exist before any tick runs.
  shareDatabaseWithChildren(db, async (shared) => {
    ({ url, sql } = shared)
    await sql`CREATE TABLE obs (wf text NOT NULL, executor text NOT NULL, scheduled text NOT NULL, actual text NOT NULL)`
  })

  function start(executorID: string): Child {
    const args = ['--db', url, '--executor-id', executorID]
    return new Child(`schedule-worker ${executorID}`, scriptCommand(WORKER, args))
  }

  it('runs every slot of a shared per-second schedule exactly once, without gaps', async () => {
    const three = ['sched-a', 'sched-b', 'sched-c'].map(start)
    await Promise.all(three.map((w) => w.line('READY')))
    const allUp = Date.now()
    await sleep(RUN_MS)
    const firstStop = Date.now()
    for (const w of three) w.endInput()
    await Promise.all(three.map((w) => w.line('STOPPED')))

    const rows = await sql<{ id: string; status: string; schedule_name: string }[]>`
      SELECT workflow_uuid AS id, status, schedule_name FROM dbos.workflow_status ORDER BY workflow_uuid`
    const slots = rows.map((r) => slotOf(r.id, '.tick'))
    expect(rows.every((r) => r.schedule_name === '.tick')).toBe(true)
    // Some process was up from the first launch to the last shutdown: not one slot in between is missing.
    expectConsecutiveSeconds(slots)
    // While all three were up, every slot was enqueued (the ID is the primary key: once at most) and ran once.
    const window = slots.filter((s) => s > allUp + 1_000 && s < firstStop - 2_000)
    expect(window.length).toBeGreaterThanOrEqual(Math.floor(RUN_MS / 1000) - 3)
    const byID = new Map(rows.map((r) => [r.id, r]))
    const observed = await sql<{ wf: string; n: number; scheduled: string }[]>`
      SELECT wf, COUNT(*)::int AS n, min(scheduled) AS scheduled FROM obs GROUP BY wf`
    const runsOf = new Map(observed.map((o) => [o.wf, o.n]))
    for (const slot of window) {
      const id = `sched-.tick-${new Date(slot).toISOString()}`
      expect(byID.get(id)?.status).toBe('SUCCESS')
      expect(runsOf.get(id)).toBe(1)
    }
    // No tick ran twice, in or out of the window, and each got its own slot as scheduledTime.
    expect(observed.filter((o) => o.n !== 1)).toEqual([])
    for (const o of observed) expect(`sched-.tick-${o.scheduled}`).toBe(o.wf)
  })
})
