import type { Hono } from 'hono'
import { cancelWorkflows } from '../../management/control.ts'
import type { AdminDeps } from '../app.ts'
import { readBody } from '../request.ts'
import { garbageCollectBody, globalTimeoutBody, recoveryBody } from '../schemas.ts'

/** Recovery of other executors' workflows, and the retention operations (docs/sysdb.md §3.6, §4.5). */
export function registerRecoveryRoutes(app: Hono, deps: AdminDeps): void {
  app.post('/dbos-workflow-recovery', async (c) => {
    const executorIDs = await readBody(c, recoveryBody)
    const engine = deps.engine()
    const { sys, appVersion, logger } = engine.settings
    logger.info(`Recovering workflows of executors ${executorIDs.join(', ') || '(none)'}`)
    const recovered: string[] = []
    for (const executorID of executorIDs) recovered.push(...await sys.recoverPending(executorID, appVersion))
    // Recovered rows go back to their own queue (or the internal one): wake every queue served here, and
    // tell the other executors of this version, which may claim them too.
    if (recovered.length > 0) for (const q of deps.dispatcher().queues()) deps.dispatcher().enqueued(q.name)
    return c.json(recovered)
  })

  app.post('/dbos-garbage-collect', async (c) => {
    const body = await readBody(c, garbageCollectBody)
    const { sys, logger } = deps.engine().settings
    const deleted = await sys.garbageCollect(body.cutoff_epoch_timestamp_ms ?? undefined, body.rows_threshold ?? undefined)
    logger.info(`Garbage collection deleted ${deleted} finished workflow(s)`)
    return c.body(null, 204)
  })

  app.post('/dbos-global-timeout', async (c) => {
    const body = await readBody(c, globalTimeoutBody)
    const engine = deps.engine()
    const { sys, logger } = engine.settings
    const ids = await sys.activeCreatedBy(body.cutoff_epoch_timestamp_ms)
    // Runs here stop at their next step; runs elsewhere notice within a second (their watchdog).
    const cancelled = await cancelWorkflows(sys, { workflowIDs: ids }, engine)
    logger.info(`Global timeout cancelled ${cancelled.length} workflow(s) created at or before ${body.cutoff_epoch_timestamp_ms}`)
    return c.body(null, 204)
  })
}
