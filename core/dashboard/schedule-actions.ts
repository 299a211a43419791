import { clientError } from '../admin/request.ts'
import { getSchedule, listSchedules, type ScheduleHost, setScheduleStatus, triggerSchedule, type WorkflowSchedule } from '../management/schedules.ts'
import type { DashboardDeps } from './deps.ts'

/**
 * The host the dashboard's schedule operations run under: the engine's in a launched process; otherwise a
 * client's, whose triggered runs wait in their queue for the schedule's application (any version of it, when
 * it registered none).
 */
function hostOf(deps: DashboardDeps): ScheduleHost {
  if (deps.scheduleHost) return deps.scheduleHost()
  const timer = deps.timer()
  return { sys: deps.sys(), serialization: deps.serialization(), now: () => timer.now(), fallbackVersion: null, applicationID: '' }
}

/** This application's schedules and the unclaimed ones (every schedule, for a dashboard of no application), by name. */
export async function readSchedules(deps: DashboardDeps): Promise<WorkflowSchedule[]> {
  return await listSchedules(hostOf(deps))
}

/** The operations' own checks let an unknown name pass silently: the page is told instead. */
async function known(host: ScheduleHost, name: string): Promise<void> {
  if (!(await getSchedule(host, name))) throw clientError(404, `Schedule ${name} not found`)
}

/** Pauses or resumes a schedule for every executor, this process's at once. */
export async function setStatus(deps: DashboardDeps, name: string, status: 'ACTIVE' | 'PAUSED'): Promise<void> {
  const host = hostOf(deps)
  await known(host, name)
  await setScheduleStatus(host, name, status)
  await deps.schedulesChanged?.()
}

/** Enqueues one run of a schedule's workflow now; returns its workflow ID. */
export async function trigger(deps: DashboardDeps, name: string): Promise<string> {
  const host = hostOf(deps)
  await known(host, name)
  return await triggerSchedule(host, name)
}
