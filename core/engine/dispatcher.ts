import { loadOperations } from '../sysdb/operation-outputs.ts'
import { type ClaimedRow, claimUnlimited } from '../sysdb/queues.ts'
import { INTERNAL_QUEUE } from '../sysdb/sql.ts'
import { deadLetter, writeOutcomes } from '../sysdb/workflow-status.ts'
import type { Engine } from './engine.ts'
import type { Registry } from './registry.ts'

const POLL_MS = 1000
const CLAIM_BATCH = 100

/**
 * Claims queued work and runs it here. For now it serves the internal queue, where recovery, resume and
 * fork put workflows. Woken at once by local enqueues; otherwise it polls.
 */
export class Dispatcher {
  readonly #engine: Engine
  readonly #registry: Registry
  readonly #isLatestVersion: boolean
  #stopped = false
  #wake: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor(engine: Engine, registry: Registry, isLatestVersion: boolean) {
    this.#engine = engine
    this.#registry = registry
    this.#isLatestVersion = isLatestVersion
  }

  start(): void {
    this.#loop = this.#run()
  }

  /** Polls again now instead of at the next interval. */
  wake(): void {
    this.#wake?.()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.wake()
    await this.#loop
  }

  async #run(): Promise<void> {
    const { logger, runtime } = this.#engine.settings
    while (!this.#stopped) {
      let full = false
      try {
        full = await this.#pollOnce(INTERNAL_QUEUE)
      } catch (e) {
        if (this.#stopped) break
        // A failed poll is retried at the next interval; the rows stay ENQUEUED meanwhile.
        logger.warn(`Queue dispatch failed, retrying: ${(e as Error).message}`)
      }
      if (this.#stopped) break
      if (full) continue
      await new Promise<void>((resolve) => {
        const cancel = runtime.timer.schedule(POLL_MS, () => resolve())
        this.#wake = () => {
          cancel()
          resolve()
        }
      })
      this.#wake = undefined
    }
  }

  /** Claims one batch and dispatches it; true if the batch was full (more may be waiting). */
  async #pollOnce(queueName: string): Promise<boolean> {
    const { db, s, executorID, appVersion, appName } = this.#engine.settings
    const token = crypto.randomUUID()
    const rows = await claimUnlimited(db, s, {
      queueName, max: CLAIM_BATCH, token, executorID, version: appVersion,
      isLatestVersion: this.#isLatestVersion, appNames: appName ? [appName] : undefined, appName,
      rateLimited: false,
    })
    for (const row of rows) await this.#dispatch(row, token)
    return rows.length === CLAIM_BATCH
  }

  async #dispatch(row: ClaimedRow, token: string): Promise<void> {
    const engine = this.#engine
    const { db, s, logger, serialization } = engine.settings
    const reg = this.#registry.find(row.class_name, row.name ?? '')
    if (!reg) {
      // Left PENDING: an executor that knows the function can recover it.
      logger.error(`Cannot run workflow ${row.workflow_uuid}: no workflow named '${row.name}' is registered in this process`)
      return
    }
    const attempts = Number(row.recovery_attempts)
    if (attempts > reg.maxRecoveryAttempts + 1) {
      logger.error(`Workflow ${row.workflow_uuid} exceeded ${reg.maxRecoveryAttempts} recovery attempts; it is dead-lettered`)
      await deadLetter(db, s, row.workflow_uuid, attempts)
      return
    }
    const format = row.serialization ?? serialization.appFormat
    let args: unknown[]
    try {
      args = await serialization.decodeArgs(row.inputs, row.serialization)
    } catch (e) {
      const error = await serialization.encodeError(e, format)
      await writeOutcomes(db, s, [{ workflowID: row.workflow_uuid, token, status: 'ERROR', output: null, error }])
      return
    }
    const ops = await loadOperations(db, s, row.workflow_uuid)
    const recorded = new Map(ops.map((op) => [Number(op.function_id), op]))
    engine.launch(engine.execution(row.workflow_uuid, token, format, row.workflow_deadline_epoch_ms === null ? undefined : Number(row.workflow_deadline_epoch_ms), recorded), reg, args)
  }
}
