import * as v from 'valibot'
import { DBOSInvalidArgumentError } from '../errors.ts'
import { checkKey, checkLookupID, checkText, MAX_NAME_BYTES } from '../internal/input-checks.ts'

const checkVersion = (field: string, value: unknown) => checkText(field, value, MAX_NAME_BYTES)

// Request bodies of the admin endpoints (docs/sysdb.md §9), in their snake_case wire form. Optional fields also
// accept null, which JSON encoders of other languages write for "absent".

const STATUSES = [
  'PENDING', 'SUCCESS', 'ERROR', 'ENQUEUED', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'DELAYED', 'RETRIES_EXCEEDED',
] as const

/** Largest value of a Postgres integer column (step IDs) and a sensible ceiling for limits and offsets. */
export const MAX_INT32 = 2_147_483_647

const integer = (min: number, max: number, minMessage: string) => v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(min, minMessage),
  v.maxValue(max, `must be at most ${max}`),
)
/** A row count, offset or step number. */
const count = integer(0, MAX_INT32, 'must not be negative')
const positiveCount = integer(1, MAX_INT32, 'must be at least 1')
/** Epoch milliseconds and durations: whole numbers JavaScript holds exactly (bigint columns hold them all). */
const millis = integer(0, Number.MAX_SAFE_INTEGER, 'must not be negative')
const positiveMillis = integer(1, Number.MAX_SAFE_INTEGER, 'must be at least 1')
/**
 * A string that passes one of the API's input checks (internal/input-checks.ts, the one source of the rules and
 * byte limits): the issue carries that check's rule, and describeIssues names the field.
 */
const checkedBy = (check: (field: string, value: unknown) => void) => v.pipe(
  v.string('must be a string'),
  v.rawCheck<string>(({ dataset, addIssue }) => {
    if (!dataset.typed) return
    try {
      check('value', dataset.value)
    } catch (e) {
      if (!(e instanceof DBOSInvalidArgumentError)) throw e
      addIssue({ message: e.rule })
    }
  }),
)
/** Postgres text cannot hold NUL; refusing it here names the field instead of failing in the database. */
const text = checkedBy(checkText)
/** An ID or key that will be written and indexed. */
const id = v.pipe(checkedBy(checkKey), v.minLength(1, 'must not be empty'))
/** A workflow ID that is only looked up: no length limit, so a long ID written elsewhere stays reachable. */
const lookupID = v.pipe(checkedBy(checkLookupID), v.minLength(1, 'must not be empty'))
/** An application version, stored with every row and indexed. */
const version = v.pipe(checkedBy(checkVersion), v.minLength(1, 'must not be empty'))
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
  application_version: v.nullish(version),
  timeout_ms: v.nullish(positiveMillis),
})

/** `POST /workflows/:id/delete`: with `delete_children`, its descendants go too. */
export const deleteBody = v.object({
  delete_children: v.nullish(flag),
})

/** The `:id` of a `/workflows/:id/...` path. */
export const workflowIDParam = lookupID

/** `POST /workflows`: listing filters. */
export const listWorkflowsBody = v.object({
  workflow_uuids: v.nullish(v.pipe(
    v.array(text, 'must be an array of workflow IDs'),
    v.maxLength(10_000, 'must list at most 10000 IDs'),
  )),
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
  cutoff_epoch_timestamp_ms: v.nullish(millis),
  rows_threshold: v.nullish(positiveCount),
})

/** `POST /dbos-global-timeout`. */
export const globalTimeoutBody = v.object({
  cutoff_epoch_timestamp_ms: millis,
})

/** One line per problem, each naming its field: `limit: must not be negative (got -1)`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues.map((issue) => {
    const path = v.getDotPath(issue) ?? '(body)'
    // An object schema reports a missing key with its own message; say what is wrong instead.
    if (issue.type === 'object' && issue.received === 'undefined' && path !== '(body)') return `${path}: is required`
    // A value as received can be a megabyte of text: show its start.
    const got = issue.received.length > 80 ? `${issue.received.slice(0, 80)}…` : issue.received
    return `${path}: ${issue.message} (got ${got})`
  }).join('; ')
}
