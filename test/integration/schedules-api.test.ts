// DBOS 5.3's schedule API on DBOS and DBOSClient: schedules made at run time, stored in `workflow_schedules` as
// 5.3 stores them, fired by the scheduler with (slot, context) under `sched-<name>-<ISO slot>`, paused and
// resumed through the row, triggered and backfilled on demand; and the errors 5.3 gives for bad input.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { rawSql } from '../support/raw-sql.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS, DBOSClient, DBOSError, DBOSConflictingRegistrationError, DBOSNotRegisteredError } = perdure

const APP = 'schedules-api'
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Every run of `ticked` in this process. */
const runs: { id: string; slot: Date; context: unknown }[] = []
const ticked = DBOS.registerWorkflow(async (slot: Date, context: unknown) => {
  runs.push({ id: DBOS.workflowID!, slot, context })
}, { name: 'ticked' })
const runsOf = (name: string) => runs.filter((r) => r.id.startsWith(`sched-${name}-`))

/** Schedule operations from inside a workflow: the ones 5.3 records as steps, and one it refuses there. */
const manageFromWorkflow = DBOS.registerWorkflow(async (name: string) => {
  await DBOS.createSchedule({ scheduleName: name, workflowFn: ticked, schedule: '0 0 1 1 *' })
  await DBOS.pauseSchedule(name)
  const listed = await DBOS.listSchedules({ scheduleNamePrefix: name })
  let refused = ''
  try {
    await DBOS.triggerSchedule(name)
  } catch (e) {
    refused = `${(e as Error).name}: ${(e as Error).message}`
  }
  return { statuses: listed.map((s) => s.status), refused }
}, { name: 'manageFromWorkflow' })

/** Creates one schedule and pauses it, each a recorded operation. */
const createAndPause = DBOS.registerWorkflow(async (name: string) => {
  await DBOS.createSchedule({ scheduleName: name, workflowFn: ticked, schedule: '0 0 1 1 *' })
  await DBOS.pauseSchedule(name)
  return 'done'
}, { name: 'createAndPause' })

/** The slot time of a `sched-<name>-<ISO>` workflow ID. */
function slotOf(id: string, name: string): number {
  const iso = id.slice(`sched-${name}-`.length)
  expect(new Date(iso).toISOString()).toBe(iso)
  return Date.parse(iso)
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

describeEachDatabase('the schedule API of DBOS 5.3', (db) => {
  let url = ''
  let client: Awaited<ReturnType<typeof DBOSClient.create>> | undefined
  const theClient = () => client!

  beforeAll(async () => {
    url = db.persistent()
    DBOS.setConfig({ name: APP, systemDatabaseUrl: url, applicationVersion: 'v1', logLevel: 'warn' })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: APP })
  })
  afterAll(async () => {
    await client?.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('createSchedule stores the row as 5.3 does; getSchedule and listSchedules read it back', async () => {
    const context = { to: 'ops', at: new Date(0) }
    await DBOS.createSchedule({
      scheduleName: 'nightly', workflowFn: ticked, schedule: '0 3 * * *', context,
      options: { cronTimezone: 'Europe/Paris', automaticBackfill: true },
    })
    const { query, s } = rawSql()
    const [row] = await query(`SELECT * FROM ${s}.workflow_schedules WHERE schedule_name = 'nightly'`)
    expect(row).toMatchObject({
      schedule_name: 'nightly', workflow_name: 'ticked', workflow_class_name: '', schedule: '0 3 * * *',
      status: 'ACTIVE', last_fired_at: null, automatic_backfill: true, cron_timezone: 'Europe/Paris',
      queue_name: null, application_name: APP,
    })
    expect(row!.schedule_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(JSON.parse(row!.context as string)).toMatchObject({ __dbos_serializer: 'superjson' })
    const got = await DBOS.getSchedule('nightly')
    expect(got).toEqual({
      scheduleId: row!.schedule_id, scheduleName: 'nightly', workflowName: 'ticked', workflowClassName: '',
      schedule: '0 3 * * *', status: 'ACTIVE', context, lastFiredAt: null, automaticBackfill: true,
      cronTimezone: 'Europe/Paris', queueName: null, applicationName: APP,
    })
    expect(await theClient().getSchedule('nightly')).toEqual(got)
    expect(await DBOS.getSchedule('no-such-schedule')).toBeNull()
    await DBOS.createSchedule({ scheduleName: 'weekly', workflowFn: ticked, schedule: '0 3 * * 1' })
    await DBOS.pauseSchedule('weekly')
    const names = async (filters?: Parameters<typeof DBOS.listSchedules>[0]) =>
      (await DBOS.listSchedules(filters)).map((x) => x.scheduleName)
    expect(await names()).toEqual(['nightly', 'weekly'])
    expect(await names({ status: 'PAUSED' })).toEqual(['weekly'])
    expect(await names({ status: ['ACTIVE', 'PAUSED'], scheduleNamePrefix: ['week', 'nig'] })).toEqual(['nightly', 'weekly'])
    expect(await names({ workflowName: 'other' })).toEqual([])
    expect(await names({ applicationName: 'another-app' })).toEqual([])
    await DBOS.deleteSchedule('nightly')
    await DBOS.deleteSchedule('weekly')
    expect(await names()).toEqual([])
  })

  it('fires every slot once with (slot, context); pause stops it on every executor, resume restarts it', async () => {
    await DBOS.createSchedule({ scheduleName: 'every-second', workflowFn: ticked, schedule: '* * * * * *', context: { n: 1 } })
    await waitFor('two runs', async () => (runsOf('every-second').length >= 2 ? true : undefined))
    await DBOS.pauseSchedule('every-second')
    expect((await DBOS.getSchedule('every-second'))?.status).toBe('PAUSED')
    // The scheduler re-reads the rows every second; a slot already sleeping may still fire once.
    await sleep(2_500)
    const settled = runsOf('every-second').length
    await sleep(2_000)
    expect(runsOf('every-second').length).toBe(settled)
    await DBOS.resumeSchedule('every-second')
    await waitFor('a run after resume', async () => (runsOf('every-second').length > settled ? true : undefined))
    await DBOS.deleteSchedule('every-second')
    const mine = runsOf('every-second')
    expect(new Set(mine.map((r) => r.id)).size).toBe(mine.length)
    for (const run of mine) {
      expect(run.slot.getTime()).toBe(slotOf(run.id, 'every-second'))
      expect(run.context).toEqual({ n: 1 })
    }
    const { query, s } = rawSql()
    const rows = await query<{ schedule_name: string; application_name: string }>(
      `SELECT DISTINCT schedule_name, application_name FROM ${s}.workflow_status WHERE workflow_uuid LIKE 'sched-every-second-%'`,
    )
    expect(rows).toEqual([{ schedule_name: 'every-second', application_name: APP }])
  })

  it("a row whose queue_name is '' (written by another tool) fires on the internal queue", async () => {
    const { query, s } = rawSql()
    await DBOS.createSchedule({ scheduleName: 'empty-queue', workflowFn: ticked, schedule: '* * * * * *' })
    await query(`UPDATE ${s}.workflow_schedules SET queue_name = '' WHERE schedule_name = 'empty-queue'`)
    // Slots fired before the update may have used the internal queue anyway: wait for one after it.
    const after = runsOf('empty-queue').length
    await waitFor('a run on the internal queue', async () => (runsOf('empty-queue').length >= after + 2 ? true : undefined))
    await DBOS.deleteSchedule('empty-queue')
    const stranded = await query(`SELECT workflow_uuid FROM ${s}.workflow_status WHERE queue_name = ''`)
    expect(stranded).toEqual([])
  })

  it('updateSchedule changes only the fields given, null clears one, and a changed context reaches the runs', async () => {
    await DBOS.createSchedule({
      scheduleName: 'updated', workflowFn: ticked, schedule: '0 0 1 1 *', context: 'old',
      options: { queueName: 'some-queue', cronTimezone: 'UTC' },
    })
    await DBOS.pauseSchedule('updated')
    await DBOS.updateSchedule('updated', { schedule: '* * * * * *', queueName: null, context: 'new' })
    const after = await DBOS.getSchedule('updated')
    expect(after).toMatchObject({ schedule: '* * * * * *', queueName: null, cronTimezone: 'UTC', context: 'new', status: 'PAUSED' })
    await DBOS.updateSchedule('updated', {})
    await DBOS.resumeSchedule('updated')
    await waitFor('a run of the updated schedule', async () => (runsOf('updated').length >= 1 ? true : undefined))
    expect(runsOf('updated')[0]!.context).toBe('new')
    await DBOS.deleteSchedule('updated')
  })

  it('applySchedules upserts all or nothing, keeping status and last fired slot', async () => {
    const list = [
      { scheduleName: 'a1', workflowFn: ticked, schedule: '0 0 1 1 *' },
      { scheduleName: 'a2', workflowFn: ticked, schedule: '0 0 1 1 *', context: 2, queueName: 'q2' },
    ]
    await DBOS.applySchedules(list)
    await DBOS.pauseSchedule('a1')
    const before = await DBOS.getSchedule('a1')
    await DBOS.applySchedules([{ ...list[0]!, schedule: '0 0 2 1 *' }, list[1]!])
    expect(await DBOS.getSchedule('a1')).toEqual({ ...before, schedule: '0 0 2 1 *' })
    // One bad schedule: nothing of the batch is written.
    const bad = await rejection(DBOS.applySchedules([{ scheduleName: 'a3', workflowFn: ticked, schedule: '0 0 1 1 *' },
      { scheduleName: 'a4', workflowFn: ticked, schedule: 'not a crontab' }]))
    expect(bad).toBeInstanceOf(DBOSError)
    expect(await DBOS.getSchedule('a3')).toBeNull()
    await theClient().applySchedules([{ scheduleName: 'a5', workflowName: 'ticked', schedule: '0 0 1 1 *' }])
    expect((await DBOS.listSchedules({ scheduleNamePrefix: 'a' })).map((x) => x.scheduleName)).toEqual(['a1', 'a2', 'a5'])
    for (const name of ['a1', 'a2', 'a5']) await DBOS.deleteSchedule(name)
  })

  it('triggerSchedule runs the workflow now; backfillSchedule enqueues the slots of [start, end) once', async () => {
    await DBOS.createSchedule({ scheduleName: 'on-demand', workflowFn: ticked, schedule: '*/10 * * * * *', context: 'c' })
    await DBOS.pauseSchedule('on-demand')
    const before = Date.now()
    const triggered = await DBOS.triggerSchedule('on-demand')
    expect(triggered.workflowID).toMatch(/^sched-on-demand-trigger-\d{4}-\d\d-\d\dT/)
    await triggered.getResult()
    const run = runs.find((r) => r.id === triggered.workflowID)!
    expect(run.context).toBe('c')
    expect(run.slot.getTime()).toBeGreaterThanOrEqual(before - 1)

    const start = new Date(Date.UTC(2024, 0, 1, 0, 0, 0))
    const end = new Date(Date.UTC(2024, 0, 1, 0, 0, 40))
    const handles = await DBOS.backfillSchedule('on-demand', start, end)
    // Slots strictly after start and before end.
    expect(handles.map((h) => h.workflowID)).toEqual(['10', '20', '30'].map((sec) => `sched-on-demand-2024-01-01T00:00:${sec}.000Z`))
    await Promise.all(handles.map((h) => h.getResult()))
    // Again, from the client: the same IDs, nothing runs twice.
    const again = await theClient().backfillSchedule('on-demand', start, end)
    expect(again.map((h) => h.workflowID)).toEqual(handles.map((h) => h.workflowID))
    await Promise.all(again.map((h) => h.getResult()))
    expect(runs.filter((r) => r.id.startsWith('sched-on-demand-2024-')).length).toBe(3)
    const viaClient = await theClient().triggerSchedule('on-demand')
    await viaClient.getResult()
    expect(runs.some((r) => r.id === viaClient.workflowID)).toBe(true)
    await DBOS.deleteSchedule('on-demand')
  })

  it('DBOSClient manages the same rows, owned by its application or by one it names', async () => {
    const c = theClient()
    await c.createSchedule({ scheduleName: 'from-client', workflowName: 'ticked', schedule: '* * * * * *', context: [1] })
    expect((await DBOS.getSchedule('from-client'))?.applicationName).toBe(APP)
    await waitFor('a run of the client schedule', async () => (runsOf('from-client').length >= 1 ? true : undefined))
    expect(runsOf('from-client')[0]!.context).toEqual([1])
    await c.pauseSchedule('from-client')
    await c.updateSchedule('from-client', { automaticBackfill: true })
    expect(await c.getSchedule('from-client')).toMatchObject({ status: 'PAUSED', automaticBackfill: true })
    await c.resumeSchedule('from-client')
    await c.deleteSchedule('from-client')
    expect(await c.listSchedules()).toEqual([])

    // Another application's schedule: not fired or listed here by default, and its name is taken.
    await c.createSchedule({ scheduleName: 'theirs', workflowName: 'ticked', schedule: '* * * * * *', applicationName: 'another-app' })
    expect((await DBOS.listSchedules()).map((x) => x.scheduleName)).toEqual([])
    expect((await DBOS.listSchedules({ applicationName: 'another-app' })).map((x) => x.scheduleName)).toEqual(['theirs'])
    const taken = await rejection(DBOS.createSchedule({ scheduleName: 'theirs', workflowFn: ticked, schedule: '0 0 1 1 *' }))
    expect(taken).toBeInstanceOf(DBOSConflictingRegistrationError)
    expect(taken.message).toContain("already registered by application 'another-app'")
    await sleep(1_500)
    expect(runsOf('theirs')).toEqual([])
    await c.deleteSchedule('theirs')
  })

  it('in a workflow, create, pause and list are recorded steps; trigger is refused', async () => {
    const handle = await DBOS.startWorkflow(manageFromWorkflow)('in-workflow')
    const result = await handle.getResult()
    expect(result.statuses).toEqual(['PAUSED'])
    expect(result.refused).toBe('DBOSError: triggerSchedule cannot be called from within a workflow')
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    expect(steps?.map((st) => st.name)).toEqual(['DBOS.createSchedule', 'DBOS.pauseSchedule', 'DBOS.listSchedules'])
    await DBOS.deleteSchedule('in-workflow')
  })

  it('in a workflow, a schedule write commits with its checkpoint: a lost checkpoint loses the write, so recovery redoes it', async () => {
    const { query, s } = rawSql()
    // The checkpoint's insert fails once, as if the process died between the write and the checkpoint.
    await query(`CREATE FUNCTION ${s}.lose_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'checkpoint lost'; END $$`)
    await query(`CREATE TRIGGER lose_checkpoint BEFORE INSERT ON ${s}.operation_outputs FOR EACH ROW
      WHEN (NEW.function_name = 'DBOS.createSchedule') EXECUTE FUNCTION ${s}.lose_checkpoint()`)
    const handle = await DBOS.startWorkflow(createAndPause)('lost-checkpoint')
    await rejection(handle.getResult())
    await query(`DROP TRIGGER lose_checkpoint ON ${s}.operation_outputs`)
    await query(`DROP FUNCTION ${s}.lose_checkpoint()`)
    expect(await DBOS.getSchedule('lost-checkpoint')).toBeNull()
    // The run died there: back to PENDING, as a crash would have left it, for resume to run it again.
    await query(`UPDATE ${s}.workflow_status SET status = 'PENDING', error = NULL WHERE workflow_uuid = $1`, [handle.workflowID])
    await DBOS.resumeWorkflow(handle.workflowID)
    await waitFor('the resumed run', async () => ((await DBOS.getWorkflowStatus(handle.workflowID))?.status === 'SUCCESS' ? true : undefined))
    expect((await DBOS.getSchedule('lost-checkpoint'))?.status).toBe('PAUSED')
    await DBOS.deleteSchedule('lost-checkpoint')
  })

  it('bad input gets 5.3 error classes: unknown schedule, bad crontab or zone, unregistered workflow, taken name', async () => {
    // Unknown names: reading gives null, pausing, resuming and deleting do nothing, the rest throw DBOSError.
    await DBOS.pauseSchedule('missing')
    await DBOS.resumeSchedule('missing')
    await DBOS.deleteSchedule('missing')
    // Thunks: each call starts only when awaited, so no rejection waits unhandled.
    for (const call of [
      () => DBOS.updateSchedule('missing', { schedule: '* * * * *' }), () => DBOS.updateSchedule('missing', {}),
      () => DBOS.triggerSchedule('missing'), () => DBOS.backfillSchedule('missing', new Date(0), new Date(1000)),
      () => theClient().triggerSchedule('missing'), () => theClient().updateSchedule('missing', {}),
    ]) {
      const e = await rejection(call())
      expect(e).toBeInstanceOf(DBOSError)
      expect(e.message).toMatch(/Schedule .missing. not found/)
    }
    const bad = [
      () => DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: 'every minute' }),
      () => DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: '61 * * * *' }),
      () => DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: '* * * * *', options: { cronTimezone: 'Mars/Olympus' } }),
      () => DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: '* * * * *', options: { queueName: '' } }),
      () => DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: '* * * * *', options: { every: 1 } as never }),
      () => DBOS.createSchedule({ scheduleName: '', workflowFn: ticked, schedule: '* * * * *' }),
      () => theClient().createSchedule({ scheduleName: 'b', workflowName: 'ticked', schedule: '* * * 13 *' }),
      () => DBOS.updateSchedule('b', { schedule: 'nope' }),
      () => DBOS.listSchedules({ stauts: 'ACTIVE' } as never),
    ]
    for (const call of bad) expect(await rejection(call())).toBeInstanceOf(DBOSError)
    expect((await rejection(DBOS.createSchedule({ scheduleName: 'b', workflowFn: ticked, schedule: '* * * * *', options: { cronTimezone: 'Mars/Olympus' } }))).message)
      .toBe("Invalid timezone: 'Mars/Olympus'")
    const plain = async (_slot: Date, _context: unknown) => {}
    expect(await rejection(DBOS.createSchedule({ scheduleName: 'b', workflowFn: plain, schedule: '* * * * *' })))
      .toBeInstanceOf(DBOSNotRegisteredError)
    expect(await rejection(DBOS.applySchedules([{ scheduleName: 'b', workflowFn: plain, schedule: '* * * * *' }])))
      .toBeInstanceOf(DBOSNotRegisteredError)
    const e = await rejection(DBOS.backfillSchedule('x', new Date('nope'), new Date()))
    expect(e).toBeInstanceOf(DBOSError)
    expect(await DBOS.listSchedules()).toEqual([])

    await DBOS.createSchedule({ scheduleName: 'dup', workflowFn: ticked, schedule: '0 0 1 1 *' })
    const dup = await rejection(theClient().createSchedule({ scheduleName: 'dup', workflowName: 'ticked', schedule: '0 0 1 1 *' }))
    expect(dup).toBeInstanceOf(DBOSConflictingRegistrationError)
    expect(dup.message).toBe("Schedule 'dup' already exists")
    await DBOS.deleteSchedule('dup')
  })
})
