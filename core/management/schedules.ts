import * as v from 'valibot'
import type { Engine } from '../engine/engine.ts'
import { DBOSError } from '../errors.ts'
import { checkText, MAX_KEY_BYTES, MAX_NAME_BYTES } from '../internal/input-checks.ts'
import { nextSlot, parseCrontab } from '../scheduler/crontab.ts'
import type { Serialization } from '../serialization/serializer.ts'
import { INTERNAL_QUEUE, type ScheduleRow, type ScheduleUpdate, type SystemDatabase } from '../sysdb/system-database.ts'

/**
 * A workflow a schedule made at run time fires: it receives the slot's time and the schedule's context.
 * `any`, as in DBOS 5.3, so that a workflow typing its context precisely still fits.
 */
export type ScheduledWorkflowFn = (scheduledDate: Date, context: any) => Promise<void>

/** Options of `createSchedule`. */
export interface ScheduleOptions {
  /** After downtime, fire every slot missed since the last one fired (default false: they pass). */
  automaticBackfill?: boolean
  /** IANA zone the crontab is read in; the executor's local time when absent. */
  cronTimezone?: string
  /** Enqueue each run on this queue instead of the internal one. */
  queueName?: string
}

/** A stored schedule, as `listSchedules` and `getSchedule` return it. */
export interface WorkflowSchedule {
  scheduleId: string
  scheduleName: string
  workflowName: string
  workflowClassName: string
  schedule: string
  /** 'ACTIVE' or 'PAUSED'. */
  status: string
  context: unknown
  /** The ISO time of the latest slot fired. */
  lastFiredAt: string | null
  automaticBackfill: boolean
  cronTimezone: string | null
  queueName: string | null
  /** The owner; absent for a schedule every application on the database runs. */
  applicationName?: string
}

/** One schedule to create or apply, its workflow named. */
export interface ScheduleDefinition {
  scheduleName: string
  workflowName: string
  workflowClassName?: string
  schedule: string
  context?: unknown
  automaticBackfill?: boolean
  cronTimezone?: string | null
  queueName?: string | null
  /** The owner; null leaves it unclaimed (every application on the database runs it). */
  applicationName: string | null
}

/** Filters of `listSchedules`: each takes one value or several, matching any of them. */
export interface ScheduleListFilters {
  applicationName?: string | string[]
  status?: string | string[]
  workflowName?: string | string[]
  scheduleNamePrefix?: string | string[]
}

/** The changes `updateSchedule` takes: an absent key keeps its field, null clears a nullable one. */
export interface ScheduleChanges {
  schedule?: string
  context?: unknown
  automaticBackfill?: boolean
  cronTimezone?: string | null
  queueName?: string | null
}

/** What the schedule operations need from the process calling them (an executor or a client). */
export interface ScheduleHost {
  sys: SystemDatabase
  serialization: Serialization
  now(): number
  /** The version a run gets when its owner has registered none; null lets any version run it. */
  fallbackVersion: string | null
  applicationID: string
  /** An executor dispatches a run it enqueued at once, rather than at its next poll. */
  onEnqueue?(queueName: string): void
}

const text = v.optional(v.union([v.string(), v.array(v.string())]))
// Strict: a misspelt filter would otherwise be dropped and the listing silently widened.
const filtersSchema = v.strictObject({ applicationName: text, status: text, workflowName: text, scheduleNamePrefix: text })
const nullableText = v.optional(v.nullable(v.string()))
const changesSchema = v.strictObject({
  schedule: v.optional(v.string()),
  context: v.optional(v.unknown()),
  automaticBackfill: v.optional(v.boolean()),
  cronTimezone: nullableText,
  queueName: nullableText,
})

const optionsSchema = v.strictObject({
  automaticBackfill: v.optional(v.boolean()),
  cronTimezone: v.optional(v.string()),
  queueName: v.optional(v.string()),
})

/** Checks `createSchedule`'s options: an unknown one is an error rather than ignored. */
export function scheduleOptions(options: unknown): ScheduleOptions {
  return parse(optionsSchema, options, 'schedule options')
}

/** The host of a launched executor: its runs get its version when their owner has none. */
export function executorHost(engine: Engine): ScheduleHost {
  const { sys, serialization, runtime, appVersion } = engine.settings
  return {
    sys,
    serialization,
    now: () => runtime.timer.now(),
    fallbackVersion: appVersion,
    applicationID: runtime.env('DBOS__APPID') ?? '',
    onEnqueue: (queueName) => engine.onEnqueue(queueName),
  }
}

function parse<T>(schema: v.GenericSchema<unknown, T>, input: unknown, what: string): T {
  const result = v.safeParse(schema, input ?? {})
  if (result.success) return result.output
  const problems = result.issues.map((i) => `${v.getDotPath(i) ?? '(input)'}: ${i.message}`)
  throw new DBOSError(`Invalid ${what}: ${problems.join('; ')}`)
}

/** Throws DBOSError unless `zone` is an IANA time zone this runtime knows. */
function checkTimezone(zone: unknown): void {
  if (zone === undefined || zone === null) return
  try {
    if (typeof zone !== 'string' || zone === '') throw new RangeError('not a zone name')
    new Intl.DateTimeFormat(undefined, { timeZone: zone })
  } catch {
    throw new DBOSError(`Invalid timezone: '${String(zone)}'`)
  }
}

function checkQueueName(queueName: unknown): void {
  if (queueName === undefined || queueName === null) return
  if (typeof queueName !== 'string' || queueName === '') {
    throw new DBOSError(`Invalid queueName ${JSON.stringify(queueName)}: give a queue's name, or omit it`)
  }
  checkText('queueName', queueName, MAX_NAME_BYTES)
}

function checkScheduleName(name: unknown): asserts name is string {
  checkText('scheduleName', name, MAX_KEY_BYTES)
  if (name === '') throw new DBOSError('Invalid scheduleName: it must not be empty')
}

async function rowOf(host: ScheduleHost, d: ScheduleDefinition): Promise<ScheduleRow> {
  if (!d || typeof d !== 'object') throw new DBOSError('A schedule needs { scheduleName, schedule, … }')
  checkScheduleName(d.scheduleName)
  checkText('workflowName', d.workflowName, MAX_KEY_BYTES)
  if (d.workflowClassName !== undefined) checkText('workflowClassName', d.workflowClassName, MAX_NAME_BYTES)
  checkTimezone(d.cronTimezone)
  parseCrontab(d.schedule, d.cronTimezone)
  checkQueueName(d.queueName)
  if (d.automaticBackfill !== undefined && typeof d.automaticBackfill !== 'boolean') {
    throw new DBOSError('Invalid automaticBackfill: true or false')
  }
  return {
    schedule_id: crypto.randomUUID(),
    schedule_name: d.scheduleName,
    workflow_name: d.workflowName,
    workflow_class_name: d.workflowClassName ?? '',
    schedule: d.schedule,
    status: 'ACTIVE',
    context: await host.serialization.encode(d.context, host.serialization.appFormat, 'context'),
    last_fired_at: null,
    automatic_backfill: d.automaticBackfill ?? false,
    cron_timezone: d.cronTimezone ?? null,
    queue_name: d.queueName ?? null,
    application_name: d.applicationName,
  }
}

/**
 * Stores a new, active schedule. Throws DBOSError for an invalid crontab, time zone or queue name, and
 * DBOSConflictingRegistrationError if the name is taken.
 */
export async function createSchedule(host: ScheduleHost, d: ScheduleDefinition): Promise<void> {
  await host.sys.insertSchedule(await rowOf(host, d))
}

/**
 * Creates or redefines several schedules at once (all or none): an existing schedule keeps its status and
 * the slot it last fired, so applying the same set again changes nothing.
 */
export async function applySchedules(host: ScheduleHost, ds: readonly ScheduleDefinition[]): Promise<void> {
  if (!Array.isArray(ds)) throw new DBOSError('applySchedules takes an array of schedules')
  const rows: ScheduleRow[] = []
  for (const d of ds) rows.push(await rowOf(host, d))
  const names = rows.map((r) => r.schedule_name)
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice !== undefined) throw new DBOSError(`applySchedules was given schedule '${twice}' twice`)
  await host.sys.applySchedules(rows)
}

/** The schedule a row holds, its context decoded. */
async function scheduleOf(host: ScheduleHost, row: ScheduleRow): Promise<WorkflowSchedule> {
  return {
    scheduleId: row.schedule_id,
    scheduleName: row.schedule_name,
    workflowName: row.workflow_name,
    workflowClassName: row.workflow_class_name ?? '',
    schedule: row.schedule,
    status: row.status,
    context: await host.serialization.safeDecode(row.context, null),
    lastFiredAt: row.last_fired_at ?? null,
    automaticBackfill: Boolean(row.automatic_backfill),
    cronTimezone: row.cron_timezone ?? null,
    queueName: row.queue_name ?? null,
    ...(row.application_name !== null ? { applicationName: row.application_name } : {}),
  }
}

const listOf = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value]

/**
 * Schedules matching the filters, by name. Without `applicationName`, this process's application's and the
 * unclaimed ones (every schedule, for a process without a name).
 */
export async function listSchedules(host: ScheduleHost, filters: ScheduleListFilters = {}): Promise<WorkflowSchedule[]> {
  const f = parse(filtersSchema, filters, 'schedule listing filter')
  // An empty name is no name: no application can be configured with it, so it filters nothing.
  const apps = listOf(f.applicationName ?? host.sys.appName ?? undefined)?.filter((name) => name !== '')
  const rows = await host.sys.listSchedules({
    status: listOf(f.status),
    workflowName: listOf(f.workflowName),
    scheduleNamePrefix: listOf(f.scheduleNamePrefix),
    applicationNames: apps && apps.length > 0 ? apps : null,
  })
  return await Promise.all(rows.map((row) => scheduleOf(host, row)))
}

/** The schedule of that name, or null. */
export async function getSchedule(host: ScheduleHost, name: string): Promise<WorkflowSchedule | null> {
  checkText('scheduleName', name)
  const row = await host.sys.readSchedule(name)
  return row ? await scheduleOf(host, row) : null
}

/** Deletes a schedule; its runs already enqueued stay. An unknown name is no error. */
export async function deleteSchedule(host: ScheduleHost, name: string): Promise<void> {
  checkText('scheduleName', name)
  await host.sys.deleteSchedule(name)
}

/** Pauses (`PAUSED`) or resumes (`ACTIVE`) a schedule for every executor. An unknown name is no error. */
export async function setScheduleStatus(host: ScheduleHost, name: string, status: 'ACTIVE' | 'PAUSED'): Promise<void> {
  checkText('scheduleName', name)
  await host.sys.setScheduleStatus(name, status)
}

/** Changes a schedule's definition. Throws DBOSError for bad changes or an unknown name. */
export async function updateSchedule(host: ScheduleHost, name: string, changes: ScheduleChanges): Promise<void> {
  checkText('scheduleName', name)
  const c = parse(changesSchema, changes, 'schedule update')
  if (c.schedule !== undefined) parseCrontab(c.schedule, c.cronTimezone)
  checkTimezone(c.cronTimezone)
  checkQueueName(c.queueName)
  const update: ScheduleUpdate = {}
  if (c.schedule !== undefined) update.schedule = c.schedule
  // `context: undefined` given explicitly is a context: a schedule may carry none.
  if ('context' in c) update.context = await host.serialization.encode(c.context, host.serialization.appFormat, 'context')
  if (c.automaticBackfill !== undefined) update.automatic_backfill = c.automaticBackfill
  if (c.cronTimezone !== undefined) update.cron_timezone = c.cronTimezone
  if (c.queueName !== undefined) update.queue_name = c.queueName
  if (!(await host.sys.updateSchedule(name, update))) throw new DBOSError(`Schedule '${name}' not found`)
}

async function scheduleRow(host: ScheduleHost, name: string): Promise<ScheduleRow> {
  checkText('scheduleName', name)
  const row = await host.sys.readSchedule(name)
  if (!row) throw new DBOSError(`Schedule "${name}" not found`)
  return row
}

/**
 * Enqueues one run of a schedule's workflow with `(slot, context)` under `workflowID`, for the schedule's
 * owner at its latest version; an existing workflow of that ID is left as it is.
 */
export async function enqueueScheduledRun(host: ScheduleHost, row: ScheduleRow, workflowID: string, slot: Date, context: unknown): Promise<void> {
  const { sys, serialization } = host
  const queueName = row.queue_name || INTERNAL_QUEUE
  const format = serialization.appFormat
  const created = await sys.insertScheduledWorkflow({
    workflowID,
    name: row.workflow_name,
    className: row.workflow_class_name || null,
    queueName,
    scheduleName: row.schedule_name,
    applicationName: row.application_name ?? sys.appName,
    fallbackVersion: host.fallbackVersion,
    applicationID: host.applicationID,
    serialization: format,
    inputs: await serialization.encodeArgs([slot, context], format),
    token: crypto.randomUUID(),
  })
  if (created) host.onEnqueue?.(queueName)
}

/** Runs a schedule's workflow now, outside its crontab; returns the new workflow's ID. */
export async function triggerSchedule(host: ScheduleHost, name: string): Promise<string> {
  const row = await scheduleRow(host, name)
  const context = await host.serialization.decode(row.context, null)
  const now = new Date(host.now())
  const workflowID = `sched-${name}-trigger-${now.toISOString()}`
  await enqueueScheduledRun(host, row, workflowID, now, context)
  return workflowID
}

/**
 * Enqueues every slot of a schedule after `start` and before `end`, under the same IDs its executors fire
 * them with, so a slot already fired (or backfilled) is not run again; returns every slot's workflow ID.
 */
export async function backfillSchedule(host: ScheduleHost, name: string, start: Date, end: Date): Promise<string[]> {
  for (const [field, value] of [['start', start], ['end', end]] as const) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new DBOSError(`backfillSchedule: ${field} must be a valid Date`)
  }
  const row = await scheduleRow(host, name)
  const context = await host.serialization.decode(row.context, null)
  const cron = parseCrontab(row.schedule, row.cron_timezone)
  const ids: string[] = []
  for (let slot = nextSlot(cron, start.getTime()); slot !== null && slot < end.getTime(); slot = nextSlot(cron, slot)) {
    const when = new Date(slot)
    const workflowID = `sched-${name}-${when.toISOString()}`
    await enqueueScheduledRun(host, row, workflowID, when, context)
    ids.push(workflowID)
  }
  return ids
}
