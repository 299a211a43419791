import { clientError } from '../admin/request.ts'
import { toWorkflowStatus } from '../engine/status.ts'
import { DBOSError, DBOSInvalidArgumentError } from '../errors.ts'
import { checkKey, checkListFilters, checkLookupID } from '../internal/input-checks.ts'
import { listWorkflowSteps, readWorkflowRow } from '../management/inspect.ts'
import { type GetWorkflowsInput, parseListInput } from '../management/list-input.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import { displayText } from '../admin/workflow-json.ts'
import type { ListPage } from './views/list.ts'
import type { QueueStats } from './views/queues.ts'
import type { WorkflowPage } from './views/workflow.ts'

/** Rows per page of the workflow list. */
export const PAGE_SIZE = 50
/** Queue counts stop here: a deep backlog is shown as `n+` rather than read in full every few seconds. */
const COUNT_CAP = 10_000
/** Minutes of throughput the queues view charts. */
const CHART_MINUTES = 15
/** How far back the throughput read looks for workflows created before the chart's window that ended in it. */
const LOOKBACK_MS = 60 * 60_000
/** Finished workflows read per queue for the chart at most. */
const CHART_ROWS = 20_000

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
  return { row: found.row, extra: found.extra, status, steps: steps ?? [], now }
}

/** An event's latest value as display text, or undefined when the workflow has not published it. */
export async function readEventText(
  sys: SystemDatabase, serialization: Serialization, id: string, key: string,
): Promise<{ text: string } | undefined> {
  checked(() => {
    checkLookupID('workflow ID', id)
    checkKey('event key', key)
  })
  const row = await sys.readEvent(id, key)
  if (!row) return undefined
  return { text: displayText(await serialization.safeDecode(row.value, row.serialization)) }
}

async function countOf(sys: SystemDatabase, queueName: string, status: GetWorkflowsInput['status']): Promise<number> {
  const filters = { queueName, status, limit: COUNT_CAP, loadInput: false, loadOutput: false }
  return (await sys.listWorkflows(filters)).length
}

const FINISHED = new Set(['SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'])

/** Workflows of a queue that finished in each of the last CHART_MINUTES minutes, oldest first. */
async function perMinute(sys: SystemDatabase, queueName: string, now: number): Promise<number[]> {
  const buckets = new Array<number>(CHART_MINUTES).fill(0)
  const since = now - LOOKBACK_MS
  const rows = await sys.listWorkflows({
    queueName, startTime: new Date(since).toISOString(), limit: CHART_ROWS, sortDesc: true, loadInput: false, loadOutput: false,
  })
  const thisMinute = Math.floor(now / 60_000)
  for (const r of rows) {
    if (!FINISHED.has(r.status)) continue
    const ago = thisMinute - Math.floor(Number(r.updated_at) / 60_000)
    if (ago >= 0 && ago < CHART_MINUTES) buckets[CHART_MINUTES - 1 - ago]!++
  }
  return buckets
}

/** Every registered queue of the application with its counts and recent throughput, by name. */
export async function readQueueStats(sys: SystemDatabase, now: number): Promise<QueueStats[]> {
  const rows = (await sys.readQueueRows()).sort((a, b) => a.name.localeCompare(b.name))
  const stats: QueueStats[] = []
  // One queue after another: PGlite runs one statement at a time anyway, and Postgres's pool stays free.
  for (const row of rows) {
    stats.push({
      row,
      enqueued: await countOf(sys, row.name, 'ENQUEUED'),
      running: await countOf(sys, row.name, 'PENDING'),
      delayed: await countOf(sys, row.name, 'DELAYED'),
      cap: COUNT_CAP,
      perMinute: await perMinute(sys, row.name, now),
    })
  }
  return stats
}
