import * as v from 'valibot'

// Request bodies of the admin endpoints (spec §9), in their snake_case wire form. Optional fields also
// accept null, which JSON encoders of other languages write for "absent".

const STATUSES = [
  'PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED',
] as const

const count = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(0, 'must not be negative'),
)
const positive = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(1, 'must be at least 1'),
)
const text = v.string('must be a string')
const id = v.pipe(text, v.minLength(1, 'must not be empty'))
const time = v.pipe(
  text,
  v.check((t) => !Number.isNaN(Date.parse(t)), 'must be a date-time string such as 2025-01-31T12:00:00Z'),
)
const flag = v.boolean('must be true or false')
const status = v.picklist(STATUSES, `must be one of ${STATUSES.join(', ')}`)

/** `POST /dbos-workflow-recovery`: the executor IDs whose pending workflows to recover. */
export const recoveryBody = v.array(id, 'must be a JSON array of executor IDs')

/** `POST /workflows/:id/fork`. */
export const forkBody = v.object({
  start_step: count,
  new_workflow_id: v.nullish(id),
  application_version: v.nullish(id),
  timeout_ms: v.nullish(positive),
})

/** `POST /workflows`: listing filters. */
export const listWorkflowsBody = v.object({
  workflow_uuids: v.nullish(v.array(text, 'must be an array of workflow IDs')),
  workflow_name: v.nullish(text),
  authenticated_user: v.nullish(text),
  start_time: v.nullish(time),
  end_time: v.nullish(time),
  status: v.nullish(status),
  application_version: v.nullish(text),
  fork_from: v.nullish(text),
  parent_workflow_id: v.nullish(text),
  limit: v.nullish(count),
  offset: v.nullish(count),
  sort_desc: v.nullish(flag),
  workflow_id_prefix: v.nullish(text),
  load_input: v.nullish(flag),
  load_output: v.nullish(flag),
})

/** `POST /queues`: filters of the queued-workflow listing. */
export const listQueuedBody = v.object({
  workflow_name: v.nullish(text),
  start_time: v.nullish(time),
  end_time: v.nullish(time),
  status: v.nullish(status),
  fork_from: v.nullish(text),
  parent_workflow_id: v.nullish(text),
  queue_name: v.nullish(text),
  limit: v.nullish(count),
  offset: v.nullish(count),
  sort_desc: v.nullish(flag),
  load_input: v.nullish(flag),
})

/** `POST /dbos-garbage-collect`. */
export const garbageCollectBody = v.object({
  cutoff_epoch_timestamp_ms: v.nullish(count),
  rows_threshold: v.nullish(positive),
})

/** `POST /dbos-global-timeout`. */
export const globalTimeoutBody = v.object({
  cutoff_epoch_timestamp_ms: count,
})

/** One line per problem, each naming its field: `limit: must not be negative (got -1)`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((issue) => {
    const path = v.getDotPath(issue) ?? '(body)'
    // An object schema reports a missing key with its own message; say what is wrong instead.
    if (issue.type === 'object' && issue.received === 'undefined' && path !== '(body)') return `${path}: is required`
    return `${path}: ${issue.message} (got ${issue.received})`
  }).join('; ')
}
