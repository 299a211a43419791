// Checklist items 20 and 22 (spec §11): Perdure's queue and schedule declarations as the 5.3.0 client lists and
// pauses them, and the debouncer's rows, which a 5.3.0 DebouncerClient must join. Run these first: Perdure
// re-reads schedules every second only during the first minute after launch, every 30 s after that.
import { DebouncerClient } from '@dbos-inc/dbos-sdk'
import { expect, it } from '../harness.ts'
import { debouncer, runs } from './perdure-app.ts'
import type { Peers } from './peers.ts'
import { delay, waitFor, within } from './world.ts'

const RESULT_MS = 15_000

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
}
