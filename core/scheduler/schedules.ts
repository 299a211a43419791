import { DBOSConflictingRegistrationError, DBOSError } from '../errors.ts'
import type { WorkflowRegistration } from '../engine/registry.ts'
import { parseCrontab } from './crontab.ts'

/**
 * `ExactlyOncePerIntervalWhenActive` (default): slots pass unfired while no process runs the schedule.
 * `ExactlyOncePerInterval`: at start, every slot missed since the last one fired is enqueued (backfill).
 */
export type ScheduleMode = 'ExactlyOncePerIntervalWhenActive' | 'ExactlyOncePerInterval'

/** Options of `DBOS.registerScheduled` (docs/sysdb.md §7.2). */
export interface ScheduleConfig {
  /** 5 fields, or 6 with leading seconds, e.g. `'*\/30 * * * * *'`; evaluated in local time. */
  crontab: string
  mode?: ScheduleMode
  /** Enqueue each run on this queue instead of the internal one. */
  queueName?: string
}

/** A schedule declared in code, published at launch as a `workflow_schedules` row. */
export interface ScheduleDeclaration {
  /** `<className>.<workflowName>`, e.g. `.nightly` for a free function. */
  readonly scheduleName: string
  readonly reg: WorkflowRegistration
  readonly crontab: string
  readonly mode: ScheduleMode
  readonly queueName: string | null
}

const MODES: readonly ScheduleMode[] = ['ExactlyOncePerIntervalWhenActive', 'ExactlyOncePerInterval']

const declared = new Map<string, ScheduleDeclaration>()
let frozen = false

/** The schedule name of a workflow (docs/sysdb.md §7.2): `<className>.<functionName>`. */
export function scheduleNameOf(reg: WorkflowRegistration): string {
  return `${reg.className}.${reg.name}`
}

/**
 * Declares that `reg` runs on a crontab; checked now, stored at the next launch. Throws DBOSError for an
 * invalid crontab, mode or queue name, and DBOSConflictingRegistrationError for a second schedule.
 */
export function declareSchedule(reg: WorkflowRegistration, config: ScheduleConfig): ScheduleDeclaration {
  const scheduleName = scheduleNameOf(reg)
  if (!config || typeof config !== 'object') {
    throw new DBOSError(`registerScheduled(${scheduleName}) needs a config such as { crontab: '0 * * * *' }`)
  }
  if ('instanceMethod' in reg && reg.instanceMethod) {
    throw new DBOSError(`Workflow ${scheduleName} is a ConfiguredInstance method; only static methods and functions can be scheduled`)
  }
  parseCrontab(config.crontab)
  const mode = config.mode ?? 'ExactlyOncePerIntervalWhenActive'
  if (!MODES.includes(mode)) {
    throw new DBOSError(`Invalid schedule mode '${String(mode)}' for ${scheduleName}: use ${MODES.join(' or ')}`)
  }
  const queueName = config.queueName ?? null
  if (queueName !== null && (typeof queueName !== 'string' || queueName.length === 0)) {
    throw new DBOSError(`Invalid queueName for schedule ${scheduleName}: give a queue's name, or omit it`)
  }
  if (frozen) {
    throw new DBOSError(`Schedule ${scheduleName} was declared after DBOS.launch(): declare schedules before launch`)
  }
  if (declared.has(scheduleName)) {
    throw new DBOSConflictingRegistrationError(`Workflow ${scheduleName} already has a schedule; a workflow has at most one`)
  }
  const declaration: ScheduleDeclaration = { scheduleName, reg, crontab: config.crontab, mode, queueName }
  declared.set(scheduleName, declaration)
  return declaration
}

/** Every schedule declared in this process. */
export function declaredSchedules(): ScheduleDeclaration[] {
  return [...declared.values()]
}

/** While a scheduler runs, declarations are refused: they would never be published. */
export function freezeSchedules(value: boolean): void {
  frozen = value
}
