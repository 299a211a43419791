import type { StepInfo } from '../engine/steps-info.ts'
import { toWorkflowStatus } from '../engine/status.ts'
import { errorToRecord } from '../serialization/error-codec.ts'
import { portableStringify } from '../serialization/portable-json.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { ExtraColumns, StatusRow } from '../sysdb/system-database.ts'

/** The admin API's workflow object (docs/sysdb.md §9): PascalCase keys, numbers as decimal strings, absent keys omitted. */
export interface WorkflowJSON {
  WorkflowUUID: string
  Status: string
  WorkflowName: string
  WorkflowClassName?: string
  WorkflowConfigName?: string
  AuthenticatedUser?: string
  AssumedRole?: string
  AuthenticatedRoles?: string
  Input?: string
  Output?: string
  Error?: string
  CreatedAt: string
  UpdatedAt?: string
  QueueName?: string
  ApplicationVersion?: string
  ExecutorID?: string
  WorkflowTimeoutMS?: string
  WorkflowDeadlineEpochMS?: string
  DeduplicationID?: string
  Priority: string
  QueuePartitionKey?: string
  DequeuedAt?: string
  ForkedFrom?: string
  WasForkedFrom: boolean
  ParentWorkflowID?: string
  DelayUntilEpochMS?: string
  CompletedAt?: string
  Attributes?: string
  ScheduleName?: string
  ApplicationName?: string
}

/** The admin API's step object (docs/sysdb.md §9). */
export interface StepJSON {
  function_id: number
  function_name: string
  output?: string
  error?: string
  child_workflow_id?: string
  started_at_epoch_ms?: string
  completed_at_epoch_ms?: string
}

/**
 * A value as display text: its JSON with the portable replacer (dates as ISO strings, bigints as digits),
 * where DBOS shows `util.inspect` output (docs/sysdb.md §12.9).
 */
export function displayText(value: unknown): string {
  try {
    return portableStringify(value)
  } catch {
    // A display string must never fail a listing (e.g. a Map with object keys).
    return String(value)
  }
}

/** An error as the JSON text of its serialize-error record. */
export function errorText(error: unknown): string {
  try {
    return JSON.stringify(errorToRecord(error))
  } catch {
    // Same reason as displayText: a property JSON cannot hold (a bigint code) must not fail the listing.
    return JSON.stringify({ name: (error as Error)?.name, message: (error as Error)?.message })
  }
}

const text = (s: string | null | undefined): string | undefined => (s ? s : undefined)
const digits = (n: number | string | null | undefined): string | undefined =>
  n === null || n === undefined ? undefined : String(n)

/** Builds a workflow object from a status row (payloads decoded as far as `load` asks) and its extra columns. */
export async function workflowJSON(
  row: StatusRow,
  extra: ExtraColumns | undefined,
  serialization: Serialization,
  load: { input: boolean; output: boolean },
): Promise<WorkflowJSON> {
  const status = await toWorkflowStatus(row, serialization, load)
  const json: WorkflowJSON = {
    WorkflowUUID: status.workflowID,
    Status: status.status,
    WorkflowName: status.workflowName,
    WorkflowClassName: text(status.workflowClassName),
    WorkflowConfigName: text(status.workflowConfigName),
    AuthenticatedUser: text(status.authenticatedUser),
    AssumedRole: text(status.assumedRole),
    AuthenticatedRoles: status.authenticatedRoles?.length ? JSON.stringify(status.authenticatedRoles) : undefined,
    Input: status.input === undefined ? undefined : displayText(status.input),
    Output: load.output && row.output !== null ? displayText(status.output) : undefined,
    Error: status.error === undefined ? undefined : errorText(status.error),
    CreatedAt: String(row.created_at),
    UpdatedAt: digits(row.updated_at),
    QueueName: text(status.queueName),
    ApplicationVersion: text(status.applicationVersion),
    ExecutorID: text(status.executorId),
    WorkflowTimeoutMS: digits(row.workflow_timeout_ms),
    WorkflowDeadlineEpochMS: digits(row.workflow_deadline_epoch_ms),
    DeduplicationID: text(status.deduplicationID),
    Priority: String(row.priority ?? 0),
    QueuePartitionKey: text(status.queuePartitionKey),
    DequeuedAt: digits(row.started_at_epoch_ms),
    ForkedFrom: text(status.forkedFrom),
    WasForkedFrom: extra?.was_forked_from ?? false,
    ParentWorkflowID: text(status.parentWorkflowID),
    DelayUntilEpochMS: digits(extra?.delay_until_epoch_ms),
    CompletedAt: digits(extra?.completed_at),
    Attributes: text(extra?.attributes),
    ScheduleName: text(extra?.schedule_name),
    ApplicationName: text(extra?.application_name),
  }
  return omitUndefined(json)
}

/** Builds a step object. */
export function stepJSON(step: StepInfo): StepJSON {
  return omitUndefined({
    function_id: step.functionID,
    function_name: step.name,
    output: step.output === null || step.output === undefined ? undefined : displayText(step.output),
    error: step.error === null ? undefined : errorText(step.error),
    child_workflow_id: step.childWorkflowID ?? undefined,
    started_at_epoch_ms: digits(step.startedAtEpochMs),
    completed_at_epoch_ms: digits(step.completedAtEpochMs),
  })
}

// JSON.stringify drops undefined members anyway; doing it here keeps the objects equal to what clients see.
function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
