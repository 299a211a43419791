import { DBOSError } from '../errors.ts'
import { checkText } from '../internal/input-checks.ts'
import { type EnqueueByName, prepareEnqueue } from '../management/enqueue.ts'
import { asDuplicate } from '../queue/enqueue.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

/** A debounced workflow to extend (DBOS 5.3's DebounceParams, for a DebouncerClient). */
export interface DebounceParams {
  workflowName: string
  /** '' for a function outside any class. */
  workflowClassName: string
  queueName: string
  deduplicationID: string
  delayUntilEpochMS: number
  /** The new arguments, already serialized in `serialization`. */
  input: string | null
  serialization: string | null
  applicationName?: string
}

/** What extending found (DBOS 5.3's DebounceResult): the workflow extended, or else who holds the key. */
export interface DebounceResult {
  bouncedWorkflowID: string | null
  holderWorkflowID: string | null
  holderIsDebounced: boolean
  holderWorkflowName: string | null
  holderWorkflowClassName: string | null
  holderApplicationName: string | null
}

/**
 * Extends the DELAYED debounced workflow holding `deduplicationID` on the queue to `delayUntilEpochMS` (never
 * past its debounce deadline) and gives it the new arguments, for application `applicationName` (its own rows
 * and unclaimed ones, which it claims). When nothing was extended, reports the key's holder, if any, so the
 * caller can enqueue a fresh workflow or report the conflict.
 */
export async function debounceDelayedWorkflow(sys: SystemDatabase, p: DebounceParams): Promise<DebounceResult> {
  checkText('workflowName', p.workflowName)
  checkText('queueName', p.queueName)
  checkText('deduplicationID', p.deduplicationID)
  if (p.input === null || p.serialization === null) {
    throw new TypeError('debounceDelayedWorkflow: input and serialization are required (the serialized arguments and their format)')
  }
  const acting = p.applicationName === undefined ? sys : sys.forApplication(p.applicationName)
  const target = { name: p.workflowName, className: p.workflowClassName || null, queueName: p.queueName, deduplicationID: p.deduplicationID }
  const bounced = await acting.transaction((tx) => tx.bounceDebounced(target, p.delayUntilEpochMS, p.serialization!, p.input!))
  const none = { holderIsDebounced: false, holderWorkflowName: null, holderWorkflowClassName: null, holderApplicationName: null }
  if (bounced !== undefined) return { bouncedWorkflowID: bounced, holderWorkflowID: null, ...none }
  const holder = await sys.readDedupHolder(p.queueName, p.deduplicationID)
  if (!holder) return { bouncedWorkflowID: null, holderWorkflowID: null, ...none }
  return {
    bouncedWorkflowID: null,
    holderWorkflowID: holder.workflow_uuid,
    holderIsDebounced: holder.is_debounced,
    holderWorkflowName: holder.name,
    holderWorkflowClassName: holder.class_name,
    holderApplicationName: holder.application_name,
  }
}

/** An enqueue of a debounced workflow: DELAYED for `delaySeconds`, for application `applicationName` if given. */
export interface DebouncedEnqueue extends EnqueueByName {
  delaySeconds: number
  applicationName?: string
}

/**
 * Enqueues a fresh debounced workflow, DELAYED until `delaySeconds` from `now` or its debounce deadline, whichever
 * comes first; a later debounce of the same key extends it. Returns its workflow ID.
 * @throws DBOSQueueDuplicatedError when another workflow took the key first (the caller then extends that one);
 *   DBOSError when delaySeconds is not positive
 */
export async function enqueueDebounced(
  sys: SystemDatabase, o: DebouncedEnqueue, debounceDeadlineEpochMS: number | undefined, format: string,
  encode: () => Promise<string>, now: number,
): Promise<string> {
  if (typeof o.delaySeconds !== 'number' || !Number.isFinite(o.delaySeconds) || o.delaySeconds <= 0) {
    throw new DBOSError('delaySeconds must be greater than 0')
  }
  const acting = o.applicationName === undefined ? sys : sys.forApplication(o.applicationName)
  const { row, params } = await prepareEnqueue(acting, o, format, encode)
  const deadline = debounceDeadlineEpochMS ?? null
  const delayUntil = Math.ceil(now + o.delaySeconds * 1000)
  try {
    await acting.insertDebounced(row, deadline === null ? delayUntil : Math.min(delayUntil, deadline), deadline)
  } catch (e) {
    throw asDuplicate(e, row.workflowID, params)
  }
  return row.workflowID
}
