import type { Engine } from '../engine/engine.ts'
import type { Signals } from '../engine/signals.ts'
import type { LocalEffects } from '../management/control.ts'
import { executorHost, type ScheduleHost } from '../management/schedules.ts'
import type { TimerPort } from '../ports/timer.ts'
import { refreshSchedules } from '../scheduler/scheduler.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/**
 * What the dashboard needs, without an engine: it also runs alone (`perdure dashboard --db`) on a system
 * database another process writes, Perdure's or an official DBOS app's. Each is looked up per request, since
 * a launched process's change across shutdown and relaunch.
 */
export interface DashboardDeps {
  /** The system database: every read and action goes through it. */
  sys(): SystemDatabase
  /** Decodes stored inputs, outputs, errors, events and stream values for display. */
  serialization(): Serialization
  /** Schedules the stream tail's polls and heartbeats. */
  timer(): TimerPort
  /** Wake-ups of the engine in this process, so a stream tail sees a local write at once rather than at its next poll. */
  signals?(): Signals
  /**
   * The engine's local effects of cancel, resume and fork (a cancelled run here stops at once; a requeued one is
   * dispatched now). Absent when nothing runs workflows in this process: the application's own polls find them.
   */
  effects?(): LocalEffects
  /**
   * The executor a schedule triggered here runs under (its version when the schedule's owner registered none; a
   * run dispatched at once). Absent, a triggered run is only enqueued, for the application's executors to run.
   */
  scheduleHost?(): ScheduleHost
  /** Tells this process's scheduler that a schedule changed, so it takes effect here at once rather than at its next poll. */
  schedulesChanged?(): Promise<void>
  /** Where a failure the page cannot be told about in detail is reported. */
  logError?(message: string): void
}

/** The dependencies of a dashboard inside a launched process, over its engine. */
export function dashboardDepsOf(engine: () => Engine): DashboardDeps {
  return {
    sys: () => engine().settings.sys,
    serialization: () => engine().settings.serialization,
    timer: () => engine().settings.runtime.timer,
    signals: () => engine().signals,
    effects: () => engine(),
    scheduleHost: () => executorHost(engine()),
    schedulesChanged: () => refreshSchedules(engine()),
    logError: (message) => engine().settings.logger.error(message),
  }
}
