import * as v from 'valibot'
import type { WorkflowStatus } from '../engine/status.ts'
import type { StepInfo } from '../engine/steps-info.ts'
import { isCloseMarker } from '../engine/streams.ts'
import { checkKey, checkLookupID } from '../internal/input-checks.ts'
import { userQueues } from '../management/control.ts'
import { getWorkflowStatus, listWorkflows, listWorkflowSteps } from '../management/inspect.ts'
import type { GetWorkflowsInput } from '../management/list-input.ts'
import { limitsOfRow } from '../sysdb/queues.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import type { McpDeps } from './deps.ts'
import { iso, type McpTool, tool, ToolError } from './tool.ts'

const STATUSES = ['PENDING', 'ENQUEUED', 'DELAYED', 'SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'] as const
const MAX_LIST = 500
const MAX_STREAM_VALUES = 1000

const time = v.pipe(v.string(), v.check((t) => !Number.isNaN(Date.parse(t)), 'must be an RFC 3339 timestamp'))
const count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max))
const workflowID = v.pipe(v.string(), v.minLength(1, 'must not be empty'))
const TIME = { type: 'string', format: 'date-time' }
const WORKFLOW_ID = { type: 'string', description: 'The workflow ID' }

/** A workflow as the tools answer it: WorkflowStatus with its times (but the epoch deadline) in RFC 3339. */
function workflowJSON(w: WorkflowStatus): Record<string, unknown> {
  return { ...w, createdAt: iso(w.createdAt), updatedAt: iso(w.updatedAt), dequeuedAt: iso(w.dequeuedAt) }
}

function stepJSON(s: StepInfo): Record<string, unknown> {
  const { startedAtEpochMs, completedAtEpochMs, ...rest } = s
  return { ...rest, startedAt: iso(startedAtEpochMs), completedAt: iso(completedAtEpochMs) }
}

/** The workflow's status; a tool error naming the ID when there is none. */
export async function existing(deps: McpDeps, id: string): Promise<WorkflowStatus> {
  const status = await getWorkflowStatus(deps.sys(), deps.serialization(), id)
  if (!status) throw new ToolError(`No workflow with ID ${JSON.stringify(id)}`)
  return status
}

const listArgs = v.strictObject({
  status: v.optional(v.picklist(STATUSES)),
  name: v.optional(v.string()),
  queue: v.optional(v.string()),
  id_prefix: v.optional(v.string()),
  created_after: v.optional(time),
  created_before: v.optional(time),
  limit: v.optional(v.pipe(count(MAX_LIST), v.minValue(1))),
  offset: v.optional(count(Number.MAX_SAFE_INTEGER)),
  oldest_first: v.optional(v.boolean()),
})

const streamArgs = v.strictObject({
  workflow_id: workflowID,
  key: v.string(),
  offset: v.optional(count(2147483647)),
  limit: v.optional(v.pipe(count(MAX_STREAM_VALUES), v.minValue(1))),
})

/** The tools that only read. */
export const READ_TOOLS: readonly McpTool[] = [
  tool({
    name: 'list_workflows',
    description: 'Lists workflows, newest first, with optional filters. Returns a JSON array of workflow statuses ' +
      '(workflowID, status, workflowName, queueName, createdAt, updatedAt, executorId, applicationVersion, ' +
      'parentWorkflowID, forkedFrom, ...) without inputs and outputs: get_workflow shows those.',
    inputSchema: {
      type: 'object',
      properties: {
        status: { type: 'string', enum: STATUSES, description: 'Only workflows with this status' },
        name: { type: 'string', description: 'Only workflows of this workflow function name' },
        queue: { type: 'string', description: 'Only workflows enqueued on this queue' },
        id_prefix: { type: 'string', description: 'Only workflows whose ID starts with this' },
        created_after: { ...TIME, description: 'Only workflows created at or after this time (RFC 3339)' },
        created_before: { ...TIME, description: 'Only workflows created at or before this time (RFC 3339)' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_LIST, description: 'At most this many (default 50)' },
        offset: { type: 'integer', minimum: 0, description: 'Skip this many first (paging)' },
        oldest_first: { type: 'boolean', description: 'Oldest first instead of newest first' },
      },
      additionalProperties: false,
    },
    args: listArgs,
    write: false,
    async run(deps, a: v.InferOutput<typeof listArgs>) {
      const input: GetWorkflowsInput = {
        status: a.status, workflowName: a.name, queueName: a.queue, workflow_id_prefix: a.id_prefix,
        startTime: a.created_after, endTime: a.created_before, limit: a.limit ?? 50, offset: a.offset,
        sortDesc: a.oldest_first !== true, loadInput: false, loadOutput: false,
      }
      const defined = Object.fromEntries(Object.entries(input).filter(([, x]) => x !== undefined))
      return (await listWorkflows(deps.sys(), deps.serialization(), defined)).map(workflowJSON)
    },
  }),
  tool({
    name: 'get_workflow',
    description: 'Shows one workflow. Returns its JSON status: workflowID, status, workflowName, input (the ' +
      'arguments), output or error, queueName, times, executorId, applicationVersion, recoveryAttempts, ' +
      'parentWorkflowID, forkedFrom.',
    inputSchema: { type: 'object', properties: { workflow_id: WORKFLOW_ID }, required: ['workflow_id'], additionalProperties: false },
    args: v.strictObject({ workflow_id: workflowID }),
    write: false,
    async run(deps, a) {
      return workflowJSON(await existing(deps, a.workflow_id))
    },
  }),
  tool({
    name: 'list_steps',
    description: "Lists a workflow's recorded steps in order. Returns a JSON array of steps: functionID, name, " +
      'output, error, childWorkflowID (for a child workflow started there), startedAt and completedAt.',
    inputSchema: { type: 'object', properties: { workflow_id: WORKFLOW_ID }, required: ['workflow_id'], additionalProperties: false },
    args: v.strictObject({ workflow_id: workflowID }),
    write: false,
    async run(deps, a) {
      const steps = await listWorkflowSteps(deps.sys(), deps.serialization(), a.workflow_id)
      if (!steps) throw new ToolError(`No workflow with ID ${JSON.stringify(a.workflow_id)}`)
      return steps.map(stepJSON)
    },
  }),
  tool({
    name: 'get_event',
    description: 'Reads the latest value a workflow published under an event key (DBOS.setEvent). Returns JSON ' +
      '{ key, set: true, value } or, when the workflow has not set that key, { key, set: false }.',
    inputSchema: {
      type: 'object',
      properties: { workflow_id: WORKFLOW_ID, key: { type: 'string', description: 'The event key' } },
      required: ['workflow_id', 'key'],
      additionalProperties: false,
    },
    args: v.strictObject({ workflow_id: workflowID, key: v.string() }),
    write: false,
    async run(deps, a) {
      checkLookupID('workflow_id', a.workflow_id)
      checkKey('key', a.key)
      const row = await deps.sys().readEvent(a.workflow_id, a.key)
      if (!row) return { key: a.key, set: false }
      return { key: a.key, set: true, value: await deps.serialization().safeDecode(row.value, row.serialization) }
    },
  }),
  tool({
    name: 'read_stream',
    description: 'Reads the values written so far to a workflow\'s stream (DBOS.writeStream), from an offset, ' +
      'without waiting for more. Returns JSON { values, nextOffset, state }: state is "closed" (the stream was ' +
      'closed), "ended" (its workflow finished without closing it) or "open" (more may come: read again from nextOffset).',
    inputSchema: {
      type: 'object',
      properties: {
        workflow_id: WORKFLOW_ID,
        key: { type: 'string', description: 'The stream key' },
        offset: { type: 'integer', minimum: 0, description: 'The first value to read (default 0)' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_STREAM_VALUES, description: 'At most this many values (default 100)' },
      },
      required: ['workflow_id', 'key'],
      additionalProperties: false,
    },
    args: streamArgs,
    write: false,
    async run(deps, a: v.InferOutput<typeof streamArgs>) {
      checkLookupID('workflow_id', a.workflow_id)
      checkKey('key', a.key)
      const values: unknown[] = []
      let offset = a.offset ?? 0
      const limit = a.limit ?? 100
      // One value past the limit tells whether the stream closes right after the values answered.
      const range = await deps.sys().readStreamRange(a.workflow_id, a.key, offset, limit + 1)
      if (!range) throw new ToolError(`No workflow with ID ${JSON.stringify(a.workflow_id)}`)
      for (const row of range.values) {
        if (row.offset !== offset) break
        if (isCloseMarker(row.value, row.serialization)) return { values, nextOffset: offset, state: 'closed' }
        if (values.length === limit) return { values, nextOffset: offset, state: 'open' }
        values.push(await deps.serialization().safeDecode(row.value, row.serialization))
        offset++
      }
      const active = range.status === 'PENDING' || range.status === 'ENQUEUED' || range.status === 'DELAYED'
      return { values, nextOffset: offset, state: active ? 'open' : 'ended' }
    },
  }),
  tool({
    name: 'list_queues',
    description: 'Lists the queues the application declared. Returns a JSON array of { name, limits (concurrency, ' +
      'workerConcurrency, rateLimit, partition limits), enqueued, running }.',
    inputSchema: { type: 'object', properties: {}, additionalProperties: false },
    args: v.strictObject({}),
    write: false,
    async run(deps) {
      const sys = deps.sys()
      const rows = userQueues(await sys.readQueueRows()).sort((a, b) => a.name.localeCompare(b.name))
      // One counting query for every queue, as the dashboard does.
      const counts = await sys.countQueueStatuses()
      const countOf = (name: string, status: 'ENQUEUED' | 'PENDING') =>
        counts.find((c) => c.queueName === name && c.status === status)?.count ?? 0
      return rows.map((row) => ({
        name: row.name,
        limits: limitsOfRow(row),
        enqueued: countOf(row.name, 'ENQUEUED'),
        running: countOf(row.name, 'PENDING'),
      }))
    },
  }),
]
