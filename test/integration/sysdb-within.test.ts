// A SystemDatabase view bound to a transaction someone else owns (`within`): a group of statements it runs as one
// (a module's own "transaction") is a savepoint in that transaction, so a throw undoes the group and nothing else,
// and it cannot change the isolation level of a transaction already open.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { launchedSystem } from '../../core/dbos.ts'
import type { ScheduleRow } from '../../core/sysdb/system-database.ts'

const { DBOS } = perdure

const row = (name: string): ScheduleRow => ({
  schedule_id: `id-${name}`, schedule_name: name, workflow_name: 'w', workflow_class_name: '', schedule: '0 0 1 1 *',
  status: 'ACTIVE', context: 'null', last_fired_at: null, automatic_backfill: false, cron_timezone: null,
  queue_name: null, application_name: 'within-app',
})

describeEachDatabase('SystemDatabase.within', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'within-app', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('a nested group that throws is rolled back to its savepoint; the rest of the transaction commits', async () => {
    const { db: port, engine } = launchedSystem()!
    const sys = engine.settings.sys
    const failed = new Error('the group fails')
    await port.transaction(async (q) => {
      const view = sys.within(q)
      await view.insertSchedule(row('kept-before'))
      const e = await view.transaction(async (tx) => {
        await tx.insertSchedule(row('undone'))
        await tx.transaction(async (inner) => inner.insertSchedule(row('undone-inner')))
        throw failed
      }).catch((err: unknown) => err)
      expect(e).toBe(failed)
      await view.transaction(async (tx) => tx.insertSchedule(row('kept-after')))
      // A taken name throws inside insertSchedule's own group, after which the transaction is still usable.
      expect(await view.insertSchedule(row('kept-before')).catch((err: unknown) => (err as Error).name)).toBe('DBOSConflictingRegistrationError')
      await view.insertSchedule(row('kept-last'))
    })
    const names = (await sys.listSchedules({ applicationNames: null })).map((r) => r.schedule_name)
    expect(names).toEqual(['kept-after', 'kept-before', 'kept-last'])
  })

  it('an isolation level asked of a view is refused: its transaction is already open', async () => {
    const { db: port, engine } = launchedSystem()!
    const sys = engine.settings.sys
    const e = await port.transaction(async (q) => {
      return await sys.within(q).transaction(async () => 'ran', 'serializable').catch((err: unknown) => err as Error)
    })
    expect(e).toBeInstanceOf(Error)
    expect((e as Error).message).toContain('isolation')
  })
})
