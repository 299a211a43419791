// Checklist items 20 and 22 (docs/sysdb.md §11): Perdure's queue and schedule declarations as the 5.3.0 client lists and
// pauses them, and the debouncer's rows, which a 5.3.0 DebouncerClient must join. Run these first: Perdure
// re-reads schedules every second only during the first minute after launch, every 30 s after that. Then
// schedules made at run time with DBOS 5.3's API, in both directions, and one that both executors fire.
import { DebouncerClient } from '@dbos-inc/dbos-sdk'
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { DBOS_APP, PERDURE_APP } from './apps.ts'
import { debouncer, runs } from './perdure-app.ts'
import type { Peers } from './peers.ts'
import { delay, waitFor, within } from './world.ts'

const RESULT_MS = 15_000
/** Past the first minute after launch, an executor re-reads the schedules only every 30 s (both engines). */
const SCHEDULE_MS = 60_000

const { DBOS } = perdure

/** Runs of the schedules' workflows in this process (declared at import, before Perdure launches). */
const ticks: { id: string; slot: Date; context: unknown }[] = []
DBOS.registerWorkflow(async (slot: Date, context: unknown) => {
  ticks.push({ id: DBOS.workflowID!, slot, context })
}, { name: 'scheduledTick' })
// The 5.3.0 executor registers `sharedTick` too (test/interop/dbos-executor.ts).
DBOS.registerWorkflow(async (slot: Date, context: unknown) => {
  ticks.push({ id: DBOS.workflowID!, slot, context })
  return { slot, context, by: 'perdure' }
}, { name: 'sharedTick' })
const ticksOf = (name: string) => ticks.filter((t) => t.id.startsWith(`sched-${name}-`))

/** The slot of a `sched-<name>-<ISO>` workflow ID, checked to be a whole second. */
function slotOf(id: string, name: string): number {
  const iso = id.slice(`sched-${name}-`.length)
  expect(new Date(iso).toISOString()).toBe(iso)
  expect(Date.parse(iso) % 1000).toBe(0)
  return Date.parse(iso)
}

interface SlotRow { workflow_uuid: string; status: string; application_name: string | null }

/** Schedules made at run time (DBOS 5.3's API), created on one side, fired and listed on the other. */
function runtimeScheduleChecks(peers: () => Peers): void {
  it('a schedule the 5.3.0 client creates for Perdure fires there once per slot with its context, and Perdure lists it', async () => {
    const { official } = peers()
    const context = { from: '5.3.0', at: new Date(0) }
    await official.createSchedule({
      scheduleName: 'from-dbos', workflowName: 'scheduledTick', schedule: '* * * * * *', context,
      applicationName: PERDURE_APP.name,
    })
    try {
      await waitFor('two runs on Perdure', async () => (ticksOf('from-dbos').length >= 2 ? true : undefined), SCHEDULE_MS)
      const listed = (await DBOS.listSchedules()).find((s) => s.scheduleName === 'from-dbos')
      expect(listed).toMatchObject({ workflowName: 'scheduledTick', schedule: '* * * * * *', status: 'ACTIVE', context, applicationName: PERDURE_APP.name })
      await official.pauseSchedule('from-dbos')
      expect((await DBOS.getSchedule('from-dbos'))?.status).toBe('PAUSED')
    } finally {
      await official.deleteSchedule('from-dbos')
    }
    const mine = ticksOf('from-dbos')
    expect(new Set(mine.map((t) => t.id)).size).toBe(mine.length)
    for (const tick of mine) {
      expect(tick.slot.getTime()).toBe(slotOf(tick.id, 'from-dbos'))
      expect(tick.context).toEqual(context)
    }
  })

  it('a schedule Perdure creates for the 5.3.0 application fires on its executor, and the 5.3.0 client lists it', async () => {
    const { official, client, sql } = peers()
    const context = { from: 'perdure', at: new Date(0) }
    await client.createSchedule({
      scheduleName: 'from-perdure', workflowName: 'dbosTick', schedule: '* * * * * *', context, applicationName: DBOS_APP.name,
    })
    try {
      const listed = (await official.listSchedules({ applicationName: DBOS_APP.name })).find((s) => s.scheduleName === 'from-perdure')
      expect(listed).toMatchObject({ workflowName: 'dbosTick', status: 'ACTIVE', context, applicationName: DBOS_APP.name })
      const done = await waitFor('two runs on the 5.3.0 executor', async () => {
        const rows = await sql<SlotRow[]>`
          SELECT workflow_uuid, status, application_name FROM dbos.workflow_status
          WHERE schedule_name = 'from-perdure' AND status = 'SUCCESS' ORDER BY workflow_uuid`
        return rows.length >= 2 ? rows : undefined
      }, SCHEDULE_MS)
      for (const row of done) {
        expect(row.application_name).toBe(DBOS_APP.name)
        const result = await official.retrieveWorkflow<{ slot: Date; context: unknown }>(row.workflow_uuid).getResult()
        expect(result.slot.getTime()).toBe(slotOf(row.workflow_uuid, 'from-perdure'))
        expect(result.context).toEqual(context)
      }
    } finally {
      await client.deleteSchedule('from-perdure')
    }
  })

  it('an unclaimed schedule both executors fire runs each slot once, on one of them', async () => {
    const { client, sql } = peers()
    // A client without an application name leaves the schedule unclaimed: every application runs it.
    await client.createSchedule({ scheduleName: 'shared', workflowName: 'sharedTick', schedule: '* * * * * *', context: 's' })
    expect((await client.getSchedule('shared'))?.applicationName).toBeUndefined()
    const fired = () => sql<SlotRow[]>`
      SELECT workflow_uuid, status, application_name FROM dbos.workflow_status
      WHERE schedule_name = 'shared' ORDER BY workflow_uuid`
    try {
      await waitFor('six finished slots', async () => {
        const rows = await fired()
        return rows.filter((r) => r.status === 'SUCCESS').length >= 6 ? true : undefined
      }, SCHEDULE_MS)
    } finally {
      await client.pauseSchedule('shared')
    }
    await delay(2500)
    const rows = await waitFor('every slot to finish', async () => {
      const all = await fired()
      return all.every((r) => r.status === 'SUCCESS') ? all : undefined
    }, RESULT_MS)
    await client.deleteSchedule('shared')
    const slots = rows.map((r) => slotOf(r.workflow_uuid, 'shared'))
    const gaps = slots.slice(1).map((slot, i) => slot - slots[i]!)
    // Consecutive seconds from the first slot fired: neither executor skipped one, neither ran one twice.
    expect(gaps.filter((g) => g !== 1000)).toEqual([])
    const here = rows.filter((r) => r.application_name === PERDURE_APP.name).map((r) => r.workflow_uuid)
    const there = rows.filter((r) => r.application_name === DBOS_APP.name)
    expect(here.length + there.length).toBe(rows.length)
    expect(ticksOf('shared').map((t) => t.id).sort()).toEqual(here)
  })
}

export function scheduleChecks(peers: () => Peers): void {
  it("20: the 5.3.0 client lists Perdure's queues with their mapped limits", async () => {
    const { official } = peers()
    const queues = await official.listQueues()
    const limited = queues.find((queue) => queue.name === 'limited')
    expect(limited).toMatchObject({ concurrency: 4, workerConcurrency: 2, rateLimit: { limitPerPeriod: 10, periodSec: 2 } })
    expect(queues.map((queue) => queue.name)).toContain('q')
  })

  it("20: the 5.3.0 client lists Perdure's .nightly schedule; pauseSchedule stops its runs", async () => {
    const { official, sql } = peers()
    const schedules = await official.listSchedules()
    expect(schedules.find((s) => s.scheduleName === '.nightly')).toMatchObject({
      workflowName: 'nightly', schedule: '* * * * * *', status: 'ACTIVE',
    })
    const fired = async () => {
      const rows = await sql<{ workflow_uuid: string; status: string }[]>`
        SELECT workflow_uuid, status FROM dbos.workflow_status WHERE schedule_name = '.nightly' ORDER BY workflow_uuid`
      return rows
    }
    const done = await waitFor('a finished run', async () => (await fired()).find((r) => r.status === 'SUCCESS'))
    expect(done.workflow_uuid).toMatch(/^sched-\.nightly-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/)
    await official.pauseSchedule('.nightly')
    // Perdure notices within its 1 s re-read; a slot already sleeping may still fire once.
    await delay(2500)
    const settled = (await fired()).length
    await delay(2000)
    expect((await fired()).length).toBe(settled)
    expect((await official.getSchedule('.nightly'))?.status).toBe('PAUSED')
  })

  it('22: three debounce calls within 500 ms give one run, with the last argument', async () => {
    const first = await debouncer.debounce('u1', 1000, 'x1')
    await delay(150)
    const second = await debouncer.debounce('u1', 1000, 'x2')
    await delay(150)
    const third = await debouncer.debounce('u1', 1000, 'x3')
    expect(new Set([first, second, third].map((h) => h.workflowID)).size).toBe(1)
    expect(await within(RESULT_MS, third.getResult(), 'the debounced run')).toBe('x3')
    expect(runs.debounced).toBe(1)
  })

  it('22: a 5.3.0 DebouncerClient call with the same key joins the Perdure debounced workflow', async () => {
    const { official } = peers()
    const before = runs.debounced ?? 0
    const handle = await debouncer.debounce('u2', 1000, 'from perdure')
    const joined = await new DebouncerClient(official, { workflowName: 'debounced' }).debounce('u2', 1000, 'from 5.3.0')
    expect(joined.workflowID).toBe(handle.workflowID)
    expect(await within(RESULT_MS, handle.getResult(), 'the debounced run')).toBe('from 5.3.0')
    expect(runs.debounced).toBe(before + 1)
  })

  // Last: these wait out the executors' 30 s re-read, which the pause check above must not (it needs the 1 s one).
  runtimeScheduleChecks(peers)
}
