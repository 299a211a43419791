import type { Hono } from 'hono'
import { DBOSWorkflowCancelledError } from '../../errors.ts'
import { cancelWorkflows } from '../../sysdb/management.ts'
import { recoverPending } from '../../sysdb/workflow-status.ts'
import type { AdminDeps } from '../app.ts'
import { activeCreatedBy, garbageCollect } from '../../sysdb/retention.ts'
import { readBody } from '../request.ts'
import { garbageCollectBody, globalTimeoutBody, recoveryBody } from '../schemas.ts'

/** Recovery of other executors' workflows, and the retention operations (spec §3.6, §4.5). */
export function registerRecoveryRoutes(app: Hono, deps: AdminDeps): void {
  app.post('/dbos-workflow-recovery', async (c) => {
    const executorIDs = await readBody(c, recoveryBody)
    const engine = deps.engine()
    const { db, s, appVersion, appName, logger } = engine.settings
    logger.info(`Recovering workflows of executors ${executorIDs.join(', ') || '(none)'}`)
    const recovered: string[] = []
    for (const executorID of executorIDs) {
      recovered.push(...await recoverPending(db, s, executorID, appVersion, appName ? [appName] : undefined))
    }
    // Recovered rows go back to their own queue (or the internal one): wake every queue served here, and
    // tell the other executors of this version, which may claim them too.
    if (recovered.length > 0) for (const q of deps.dispatcher().queues()) deps.dispatcher().enqueued(q.name)
    return c.json(recovered)
  })

  app.post('/dbos-garbage-collect', async (c) => {
    const body = await readBody(c, garbageCollectBody)
    const { db, s, appName, logger } = deps.engine().settings
    const deleted = await garbageCollect(
      db, s, appName, body.cutoff_epoch_timestamp_ms ?? undefined, body.rows_threshold ?? undefined,
    )
    logger.info(`Garbage collection deleted ${deleted} finished workflow(s)`)
    return c.body(null, 204)
  })

  app.post('/dbos-global-timeout', async (c) => {
    const body = await readBody(c, globalTimeoutBody)
    const engine = deps.engine()
    const { db, s, appName, logger } = engine.settings
    const ids = await activeCreatedBy(db, s, appName, body.cutoff_epoch_timestamp_ms)
    const cancelled = await cancelWorkflows(db, s, ids)
    // Runs here stop at their next step; runs elsewhere notice within a second (their watchdog).
    for (const id of cancelled) engine.abortExecution(id, new DBOSWorkflowCancelledError(id))
    logger.info(`Global timeout cancelled ${cancelled.length} workflow(s) created at or before ${body.cutoff_epoch_timestamp_ms}`)
    return c.body(null, 204)
  })
}
