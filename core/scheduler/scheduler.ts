import type { Cron } from 'croner'
import { type Engine, sleepFor } from '../engine/engine.ts'
import type { Registry } from '../engine/registry.ts'
import { nextSlot, parseCrontab } from './crontab.ts'
import { CODE_SCHEDULE_PREFIX } from '../sysdb/schedules.ts'
import type { ScheduleRow } from '../sysdb/system-database.ts'
import { declaredSchedules } from './schedules.ts'
import { enqueueScheduledRun, executorHost } from '../management/schedules.ts'

/** Re-read `workflow_schedules` this often during the first minute after launch, then every 30 s. */
const FAST_POLL_MS = 1000
const FAST_POLL_WINDOW_MS = 60_000
const SLOW_POLL_MS = 30_000
const MAX_JITTER_MS = 10_000
/**
 * Never sleep longer than this in one timer: long timeouts overflow (about 24.8 days) and a suspended
 * machine or a clock jump would otherwise be noticed only when the timer fires.
 */
const MAX_SLEEP_MS = 30_000
const RETRY_MS = 1000
/**
 * In the default mode, a slot that is already this late is given up (the process was suspended, or the
 * database was away): slots pass unfired while the schedule is not active, instead of firing in a burst.
 */
const LATE_SLOT_MS = 10_000

/** What the scheduler needs to know about this process. */
export interface SchedulerOptions {
  /** The latest application version deletes code schedules that are no longer declared. */
  isLatestVersion: boolean
}

/** The scheduler of each running engine, so that a schedule changed in this process takes effect here at once. */
const running = new WeakMap<Engine, Scheduler>()

/**
 * Re-reads the schedule rows now in the scheduler of `engine` (if it runs one), rather than at its next poll.
 * A failed read is left to that poll: the change itself is already stored.
 */
export async function refreshSchedules(engine: Engine): Promise<void> {
  await running.get(engine)?.refresh().catch(() => {})
}

interface Loop {
  /** The definition the loop runs; a different one in the row restarts it. */
  readonly definition: string
  readonly abort: AbortController
}

/**
 * Fires scheduled workflows (docs/sysdb.md §7.2). At launch `publish()` stores the declared schedules; `start()` then
 * polls `workflow_schedules` and runs one loop per active row whose workflow is registered here, declared in
 * code or made at run time (createSchedule, by any DBOS or Perdure process). Each loop
 * enqueues the workflow of every slot under the deterministic ID `sched-<schedule_name>-<ISO slot>`, so every
 * executor may fire the same slot and it still runs once.
 * @example
 * const scheduler = new Scheduler(engine, registry, { isLatestVersion })
 * await scheduler.publish()
 * scheduler.start()
 * // …
 * await scheduler.stop()
 */
export class Scheduler {
  readonly #engine: Engine
  readonly #registry: Registry
  readonly #options: SchedulerOptions
  readonly #abort = new AbortController()
  readonly #loops = new Map<string, Loop>()
  /** Every loop still running, stopped ones included until their current insert settles. */
  readonly #running = new Set<Promise<void>>()
  /** Definitions already reported as unusable, so the poll does not repeat the warning every second. */
  readonly #reported = new Set<string>()
  #poller: Promise<void> | undefined
  #startedAt = 0
  /** Refreshes run one at a time, so an older read never overrides a newer one. */
  #refreshing: Promise<void> = Promise.resolve()

  constructor(engine: Engine, registry: Registry, options: SchedulerOptions) {
    this.#engine = engine
    this.#registry = registry
    this.#options = options
  }

  /** Upserts the declared schedules as `workflow_schedules` rows (one transaction). */
  async publish(): Promise<void> {
    const { sys, serialization } = this.#engine.settings
    const context = await serialization.encode(null, serialization.appFormat)
    const schedules = declaredSchedules().map((d) => ({
      scheduleName: d.scheduleName,
      workflowName: d.reg.name,
      workflowClassName: d.reg.className,
      crontab: d.crontab,
      automaticBackfill: d.mode === 'ExactlyOncePerInterval',
      queueName: d.queueName,
    }))
    await sys.publishSchedules(schedules, this.#options.isLatestVersion, context)
  }

  /** Starts polling the schedule rows and firing them. */
  start(): void {
    this.#startedAt = this.#engine.settings.runtime.timer.now()
    this.#poller = this.#poll()
    running.set(this.#engine, this)
  }

  /** Matches the loops to the rows now. */
  async refresh(): Promise<void> {
    const next = this.#refreshing.then(() => this.#refresh())
    this.#refreshing = next.catch(() => {})
    await next
  }

  /** Stops every loop and waits for inserts in flight; call before the database closes. */
  async stop(): Promise<void> {
    if (running.get(this.#engine) === this) running.delete(this.#engine)
    this.#abort.abort()
    for (const loop of this.#loops.values()) loop.abort.abort()
    this.#loops.clear()
    await this.#poller
    await Promise.all(this.#running)
  }

  async #poll(): Promise<void> {
    const { runtime, logger } = this.#engine.settings
    const signal = this.#abort.signal
    while (!signal.aborted) {
      try {
        await this.refresh()
      } catch (e) {
        // Loops already running keep firing; the next poll tries again.
        if (!signal.aborted) logger.warn(`Reading scheduled workflows failed, retrying: ${(e as Error).message}`)
      }
      const sinceStart = runtime.timer.now() - this.#startedAt
      const interval = sinceStart < FAST_POLL_WINDOW_MS ? FAST_POLL_MS : SLOW_POLL_MS
      if (!(await this.#sleep(interval, signal))) return
    }
  }

  /** Matches the loops to the rows: starts new ones, stops paused or deleted ones, restarts changed ones. */
  async #refresh(): Promise<void> {
    const rows = await this.#engine.settings.sys.readSchedules()
    if (this.#abort.signal.aborted) return
    const wanted = new Map<string, { row: ScheduleRow; definition: string }>()
    for (const row of rows) {
      if (row.status !== 'ACTIVE') continue
      if (!this.#registry.find(row.workflow_class_name || null, row.workflow_name)) continue
      const definition = JSON.stringify([
        row.schedule, row.automatic_backfill, row.cron_timezone, row.queue_name, row.workflow_name,
        row.workflow_class_name, row.application_name, row.context,
      ])
      wanted.set(row.schedule_name, { row, definition })
    }
    for (const [name, loop] of this.#loops) {
      if (wanted.get(name)?.definition === loop.definition) continue
      loop.abort.abort()
      this.#loops.delete(name)
    }
    for (const [name, { row, definition }] of wanted) {
      if (this.#loops.has(name)) continue
      const cron = this.#cronOf(row, definition)
      if (!cron) continue
      const loop: Loop = { definition, abort: new AbortController() }
      this.#loops.set(name, loop)
      const running = this.#runLoop(row, cron, loop.abort.signal)
      this.#running.add(running)
      void running.finally(() => this.#running.delete(running))
    }
  }

  #cronOf(row: ScheduleRow, definition: string): Cron | undefined {
    try {
      return parseCrontab(row.schedule, row.cron_timezone)
    } catch (e) {
      // A row edited by another tool can hold anything; it is skipped until its definition changes.
      if (!this.#reported.has(definition)) {
        this.#reported.add(definition)
        this.#engine.settings.logger.error(`Schedule ${row.schedule_name} is not fired: ${(e as Error).message}`)
      }
      return undefined
    }
  }

  /** One schedule: sleep until each slot (plus jitter), enqueue its workflow, record it as fired. */
  async #runLoop(row: ScheduleRow, cron: Cron, signal: AbortSignal): Promise<void> {
    const { runtime, logger } = this.#engine.settings
    const backfill = row.automatic_backfill
    let previous = runtime.timer.now()
    if (backfill && row.last_fired_at !== null) {
      // ExactlyOncePerInterval: start from the last slot fired, so every slot since then is enqueued now.
      const last = Date.parse(row.last_fired_at)
      if (!Number.isNaN(last)) previous = Math.min(previous, last)
    }
    try {
      while (!signal.aborted) {
        const slot = nextSlot(cron, previous)
        if (slot === null) return
        const now = runtime.timer.now()
        if (!backfill && slot < now - LATE_SLOT_MS) {
          logger.warn(`Schedule ${row.schedule_name} skipped slots it could not fire in time; resuming from now`)
          previous = now
          continue
        }
        // Jitter spreads the executors' inserts for one slot; only the first one creates the workflow.
        const ahead = slot - now
        const jitter = ahead > 0 ? Math.random() * Math.min(ahead / 10, MAX_JITTER_MS) : 0
        if (!(await this.#sleepUntil(slot + jitter, signal))) return
        if (!(await this.#fire(row, slot, signal))) return
        previous = slot
      }
    } catch (e) {
      if (!signal.aborted) logger.error(`Schedule ${row.schedule_name} stopped: ${(e as Error).message}`)
    }
  }

  /** Fires one slot, retrying while the database is away; false if the loop was stopped meanwhile. */
  async #fire(row: ScheduleRow, slot: number, signal: AbortSignal): Promise<boolean> {
    const { runtime, logger } = this.#engine.settings
    for (;;) {
      try {
        await this.#enqueueSlot(row, slot)
        return true
      } catch (e) {
        if (signal.aborted) return false
        logger.warn(`Schedule ${row.schedule_name} could not fire ${new Date(slot).toISOString()}, retrying: ${(e as Error).message}`)
      }
      if (!(await this.#sleep(RETRY_MS, signal))) return false
      // The default mode gives a slot up once it is late; the backfill mode keeps trying it.
      if (!row.automatic_backfill && slot < runtime.timer.now() - LATE_SLOT_MS) return true
    }
  }

  async #enqueueSlot(row: ScheduleRow, slot: number): Promise<void> {
    const engine = this.#engine
    const { sys, serialization, runtime } = engine.settings
    const iso = new Date(slot).toISOString()
    // A schedule declared in code passes the enqueue time; one made with createSchedule, its context.
    const second = row.schedule_id.startsWith(CODE_SCHEDULE_PREFIX)
      ? new Date(runtime.timer.now())
      : await serialization.decode(row.context, null)
    await enqueueScheduledRun(executorHost(engine), row, `sched-${row.schedule_name}-${iso}`, new Date(slot), second)
    await sys.advanceLastFired(row.schedule_name, iso)
  }

  /** Sleeps in bounded steps until `target` (epoch ms); false if stopped first. */
  async #sleepUntil(target: number, signal: AbortSignal): Promise<boolean> {
    const { timer } = this.#engine.settings.runtime
    for (let left = target - timer.now(); left > 0; left = target - timer.now()) {
      if (!(await this.#sleep(Math.min(left, MAX_SLEEP_MS), signal))) return false
    }
    return !signal.aborted
  }

  /** An unref'd, abortable sleep; false if stopped first. */
  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleepFor(this.#engine.settings.runtime, ms, signal)
      return true
    } catch {
      // The only rejection is the abort itself: the scheduler or this loop was stopped.
      return false
    }
  }
}
