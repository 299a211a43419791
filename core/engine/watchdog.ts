import type { Engine } from './engine.ts'

const INTERVAL_MS = 1000
const SWEEP_BATCH = 1000

/**
 * Enforces durable timeouts and notices cancellations made elsewhere. Every second it cancels the
 * workflows whose deadline passed (docs/sysdb.md §4.1, any executor's) and checks whether any workflow running here
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
    const { sys, runtime } = this.#engine.settings
    const cancelled = await sys.cancelExpired(runtime.timer.now(), workflowID, SWEEP_BATCH)
    this.#engine.workflowsCancelled(cancelled)
    return cancelled.length
  }

  async #checkCancelled(): Promise<void> {
    const ids = this.#engine.activeIDs()
    if (ids.length === 0) return
    this.#engine.workflowsCancelled(await this.#engine.settings.sys.cancelledAmong(ids))
  }
}
