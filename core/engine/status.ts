import type { Serialization } from '../serialization/serializer.ts'
import type { StatusRow } from '../sysdb/system-database.ts'

/** The guide's WorkflowStatus. */
export interface WorkflowStatus {
  readonly workflowID: string
  readonly status: string
  readonly workflowName: string
  readonly workflowClassName: string
  readonly workflowConfigName?: string
  readonly queueName?: string
  readonly authenticatedUser?: string
  readonly assumedRole?: string
  readonly authenticatedRoles?: string[]
  readonly input?: unknown[]
  readonly output?: unknown
  readonly error?: unknown
  readonly executorId?: string
  readonly applicationVersion?: string
  readonly applicationID?: string
  readonly recoveryAttempts?: number
  readonly createdAt: number
  readonly updatedAt?: number
  readonly timeoutMS?: number
  readonly deadlineEpochMS?: number
  readonly dequeuedAt?: number
  readonly deduplicationID?: string
  readonly priority: number
  readonly queuePartitionKey?: string
  readonly forkedFrom?: string
  readonly parentWorkflowID?: string
}

const num = (x: unknown): number | undefined => (x === null || x === undefined ? undefined : Number(x))
const str = (x: string | null | undefined): string | undefined => (x === null || x === undefined ? undefined : x)

function roles(text: string | null): string[] | undefined {
  if (!text) return undefined
  try {
    const parsed = JSON.parse(text)
    return Array.isArray(parsed) ? parsed.map(String) : undefined
  } catch {
    return undefined
  }
}

/** Maps a status row to a WorkflowStatus, decoding payloads safely (introspection never throws on data). */
export async function toWorkflowStatus(
  row: StatusRow,
  serialization: Serialization,
  load: { input: boolean; output: boolean } = { input: true, output: true },
): Promise<WorkflowStatus> {
  const fmt = row.serialization
  return {
    workflowID: row.workflow_uuid,
    status: row.status,
    workflowName: row.name ?? '',
    workflowClassName: row.class_name ?? '',
    workflowConfigName: str(row.config_name),
    queueName: str(row.queue_name),
    authenticatedUser: str(row.authenticated_user),
    assumedRole: str(row.assumed_role),
    authenticatedRoles: roles(row.authenticated_roles),
    input: load.input && row.inputs !== null ? await serialization.safeDecodeArgs(row.inputs, fmt) : undefined,
    output: load.output && row.output !== null ? await serialization.safeDecode(row.output, fmt) : undefined,
    error: load.output && row.error !== null ? await serialization.safeDecodeError(row.error, fmt) : undefined,
    executorId: str(row.executor_id),
    applicationVersion: str(row.application_version),
    applicationID: str(row.application_id),
    recoveryAttempts: num(row.recovery_attempts),
    createdAt: Number(row.created_at),
    updatedAt: num(row.updated_at),
    timeoutMS: num(row.workflow_timeout_ms),
    deadlineEpochMS: num(row.workflow_deadline_epoch_ms),
    dequeuedAt: num(row.started_at_epoch_ms),
    deduplicationID: str(row.deduplication_id),
    priority: Number(row.priority ?? 0),
    queuePartitionKey: str(row.queue_partition_key),
    forkedFrom: str(row.forked_from),
    parentWorkflowID: str(row.parent_workflow_id),
  }
}
