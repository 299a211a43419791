import { clientError } from '../admin/request.ts'
import { toWorkflowStatus } from '../engine/status.ts'
import { isCloseMarker } from '../engine/streams.ts'
import { DBOSError, DBOSInvalidArgumentError } from '../errors.ts'
import { checkListFilters } from '../internal/input-checks.ts'
import { listWorkflowSteps, readWorkflowRow } from '../management/inspect.ts'
import { type GetWorkflowsInput, parseListInput } from '../management/list-input.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import { displayText } from '../admin/workflow-json.ts'
import type { ListPage } from './views/list.ts'
import type { QueueStats } from './views/queues.ts'
import type { Activity, WorkflowPage } from './views/workflow.ts'

/** Rows per page of the workflow list. */
export const PAGE_SIZE = 50
/** Minutes of throughput the queues view charts. */
const CHART_MINUTES = 15
/** Events, streams and messages shown on a workflow's page at most, each. */
export const ACTIVITY_LIMIT = 100
/** Steps shown on a workflow's timeline at most: a page of a very long workflow stays quick to render. */
export const STEP_LIMIT = 500

/** Runs input checks; the problem they name is the client's, answered 400. */
function checked<T>(run: () => T): T {
  try {
    return run()
  } catch (e) {
    if (e instanceof DBOSInvalidArgumentError || e instanceof DBOSError) throw clientError(400, e.message)
    throw e
  }
}

/** The list's filters from the fragment's query (`status`, `name`, `queue`, `prefix`, `from`, `to`, `offset`). */
export function listFilters(query: Record<string, string | undefined>): GetWorkflowsInput {
  const text = (name: string) => (query[name] === undefined || query[name] === '' ? undefined : query[name])
  const offset = text('offset')
  if (offset !== undefined && !/^(0|[1-9][0-9]{0,8})$/.test(offset)) throw clientError(400, 'offset: must be a whole number')
  return checked(() => {
    const input = parseListInput({
      status: text('status'),
      workflowName: text('name'),
      queueName: text('queue'),
      workflow_id_prefix: text('prefix'),
      startTime: text('from'),
      endTime: text('to'),
      offset: offset === undefined ? 0 : Number(offset),
      limit: PAGE_SIZE + 1,
      sortDesc: true,
      loadInput: false,
      loadOutput: false,
    })
    checkListFilters('filters', input)
    return input
  })
}

/** One page of the list, newest first; one row more than a page is read to know whether another follows. */
export async function readListPage(sys: SystemDatabase, input: GetWorkflowsInput, now: number): Promise<ListPage> {
  const found = await sys.listWorkflows(input)
  return { rows: found.slice(0, PAGE_SIZE), offset: input.offset ?? 0, pageSize: PAGE_SIZE, more: found.length > PAGE_SIZE, now }
}

/** A workflow's page data, or undefined when there is no such workflow. */
export async function readWorkflowPage(
  sys: SystemDatabase, serialization: Serialization, id: string, now: number,
): Promise<WorkflowPage | undefined> {
  const found = await checked(() => readWorkflowRow(sys, id))
  if (!found) return undefined
  const steps = await listWorkflowSteps(sys, serialization, id)
  const status = await toWorkflowStatus(found.row, serialization)
  const activity = await readActivity(sys, serialization, id)
  const all = steps ?? []
  return {
    row: found.row, extra: found.extra, status, steps: all.slice(0, STEP_LIMIT), stepLimit: STEP_LIMIT,
    moreSteps: all.length > STEP_LIMIT, activity, now,
  }
}

/** A stored value as display text, decoded as the application encoded it. */
async function shown(serialization: Serialization, value: string, format: string | null): Promise<string> {
  return displayText(await serialization.safeDecode(value, format))
}

/** A workflow's events, streams and messages; one row more than shown is read of each, to say that more exist. */
async function readActivity(sys: SystemDatabase, serialization: Serialization, id: string): Promise<Activity> {
  const read = ACTIVITY_LIMIT + 1
  const events = await sys.listEvents(id, read)
  const streams = await sys.listStreamSummaries(id, read)
  const messages = await sys.listMessages(id, read)
  return {
    limit: ACTIVITY_LIMIT,
    events: await Promise.all(events.slice(0, ACTIVITY_LIMIT).map(async (e) => ({
      key: e.key, text: await shown(serialization, e.value, e.serialization),
    }))),
    moreEvents: events.length > ACTIVITY_LIMIT,
    streams: streams.slice(0, ACTIVITY_LIMIT).map((st) => {
      const closed = isCloseMarker(st.lastValue, st.lastSerialization)
      return { key: st.key, values: closed ? st.count - 1 : st.count, closed }
    }),
    moreStreams: streams.length > ACTIVITY_LIMIT,
    messages: await Promise.all(messages.slice(0, ACTIVITY_LIMIT).map(async (m) => ({
      topic: m.topic, consumed: m.consumed, consumedBy: m.consumedBy, createdAt: m.createdAt,
      text: await shown(serialization, m.message, m.serialization),
    }))),
    moreMessages: messages.length > ACTIVITY_LIMIT,
  }
}

/**
 * Workflows of each queue that finished in each of the last CHART_MINUTES minutes, oldest first, counted by the
 * database; the minutes are `now`'s, the clock the page's times are read against.
 */
async function perMinute(sys: SystemDatabase, now: number): Promise<Map<string, number[]>> {
  const thisMinute = Math.floor(now / 60_000)
  const first = thisMinute - CHART_MINUTES + 1
  const charts = new Map<string, number[]>()
  for (const f of await sys.countFinishedPerMinute(first * 60_000)) {
    const i = f.minute - first
    if (i < 0 || i >= CHART_MINUTES) continue
    const buckets = charts.get(f.queueName) ?? new Array<number>(CHART_MINUTES).fill(0)
    buckets[i] = (buckets[i] ?? 0) + f.count
    charts.set(f.queueName, buckets)
  }
  return charts
}

/** Every registered queue of the application with its counts and recent throughput, by name. */
export async function readQueueStats(sys: SystemDatabase, now: number): Promise<QueueStats[]> {
  const rows = (await sys.readQueueRows()).sort((a, b) => a.name.localeCompare(b.name))
  const counts = new Map<string, number>()
  for (const c of await sys.countQueueStatuses()) counts.set(`${c.status} ${c.queueName}`, c.count)
  const charts = await perMinute(sys, now)
  const count = (status: string, queue: string) => counts.get(`${status} ${queue}`) ?? 0
  return rows.map((row) => ({
    row,
    enqueued: count('ENQUEUED', row.name),
    running: count('PENDING', row.name),
    delayed: count('DELAYED', row.name),
    perMinute: charts.get(row.name) ?? new Array<number>(CHART_MINUTES).fill(0),
  }))
}
