import { DBOSWorkflowCancelledError } from '../errors.ts'
import { NOW_MS, scope } from '../sysdb/sql.ts'
import type { Engine } from './engine.ts'

const INTERVAL_MS = 1000
const SWEEP_BATCH = 1000

/**
 * Enforces durable timeouts and notices cancellations made elsewhere. Every second it cancels the
 * workflows whose deadline passed (spec §4.1, any executor's) and checks whether any workflow running here
 * was cancelled; either way the local execution stops at its next step.
 */
export class Watchdog {
  readonly #engine: Engine
  #stopped = false
  #cancelTimer: (() => void) | undefined
  #running: Promise<void> = Promise.resolve()

  constructor(engine: Engine) {
    this.#engine = engine
  }

  start(): void {
    this.#schedule()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#cancelTimer?.()
    await this.#running
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#cancelTimer = this.#engine.settings.runtime.timer.schedule(INTERVAL_MS, () => {
      this.#running = this.#tick().finally(() => this.#schedule())
    })
  }

  async #tick(): Promise<void> {
    const { logger } = this.#engine.settings
    try {
      while (!this.#stopped && (await this.sweep()) === SWEEP_BATCH) {
        // A full batch: more deadlines may have passed; sweep again at once.
      }
      if (!this.#stopped) await this.#checkCancelled()
    } catch (e) {
      if (!this.#stopped) logger.warn(`Timeout sweep failed: ${(e as Error).message}`)
    }
  }

  /** Cancels workflows past their deadline (optionally just one); returns how many it cancelled. */
  async sweep(workflowID?: string): Promise<number> {
    const { db, s, appName, runtime } = this.#engine.settings
    // The status literals stay inline so the planner can use idx_workflow_status_deadline.
    const rows = await db.query<{ workflow_uuid: string }>(
      `WITH expired AS MATERIALIZED (
         SELECT workflow_uuid FROM ${s}.workflow_status
         WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL
           AND workflow_deadline_epoch_ms <= $1 AND ${scope('application_name', '$2')}
           AND ($3::text IS NULL OR workflow_uuid = $3)
         ORDER BY workflow_deadline_epoch_ms LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)
       UPDATE ${s}.workflow_status ws
       SET status = 'CANCELLED', owner_xid = NULL, queue_name = NULL, deduplication_id = NULL,
           started_at_epoch_ms = NULL, updated_at = ${NOW_MS}, completed_at = ${NOW_MS}
       FROM expired WHERE ws.workflow_uuid = expired.workflow_uuid
       RETURNING ws.workflow_uuid`,
      [runtime.timer.now(), appName ? [appName] : null, workflowID ?? null],
    )
    for (const { workflow_uuid } of rows) {
      this.#engine.abortExecution(workflow_uuid, new DBOSWorkflowCancelledError(workflow_uuid))
    }
    return rows.length
  }

  async #checkCancelled(): Promise<void> {
    const ids = this.#engine.activeIDs()
    if (ids.length === 0) return
    const { db, s } = this.#engine.settings
    const rows = await db.query<{ workflow_uuid: string }>(
      `SELECT workflow_uuid FROM ${s}.workflow_status WHERE workflow_uuid = ANY($1::text[]) AND status = 'CANCELLED'`,
      [ids],
    )
    for (const { workflow_uuid } of rows) {
      this.#engine.abortExecution(workflow_uuid, new DBOSWorkflowCancelledError(workflow_uuid))
    }
  }
}
