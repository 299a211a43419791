// Workflow-level types DBOS 5.3 exports: status strings, input validation, listing and enqueue options.

/** The statuses a workflow row can have, by name. */
export const StatusString = {
  /** Running, or waiting to be recovered. */
  PENDING: 'PENDING',
  /** Finished with a return value. */
  SUCCESS: 'SUCCESS',
  /** Finished with an error. */
  ERROR: 'ERROR',
  /** Dead-lettered after too many execution or recovery attempts. */
  MAX_RECOVERY_ATTEMPTS_EXCEEDED: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
  /** Being, or has been, cancelled. */
  CANCELLED: 'CANCELLED',
  /** On a queue, not started yet. */
  ENQUEUED: 'ENQUEUED',
  /** On a queue, waiting for its delay to end before it can start. */
  DELAYED: 'DELAYED',
} as const

/** One of the statuses of StatusString. */
export type WorkflowStatusString =
  | 'PENDING'
  | 'SUCCESS'
  | 'ERROR'
  | 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'
  | 'CANCELLED'
  | 'ENQUEUED'
  | 'DELAYED'

/** On a workflow ID already in use: 'return-existing' attaches to that workflow, 'reject' throws DBOSWorkflowIDInUseError. */
export type WorkflowIDReusePolicy = 'return-existing' | 'reject'

/**
 * A validator of workflow arguments: anything with a `parse` method (a Zod schema, an AJV wrapper...). It receives
 * the arguments as an array, throws when they are invalid, and returns the (possibly transformed) array.
 */
export interface InputSchema {
  parse(input: unknown): unknown
}

/** Paging of `listWorkflowSteps`. */
export interface ListWorkflowStepsOptions {
  limit?: number
  offset?: number
}

/**
 * A workflow to enqueue by name, without its function: it may run in another process, or another language,
 * that shares the system database.
 */
export interface EnqueueWorkflowOptions {
  /** The queue to put the workflow on. */
  queueName: string
  /** The registered name of the workflow function. */
  workflowName: string
  /** The class of the workflow method, if any. */
  workflowClassName?: string
  /** The name of the ConfiguredInstance the method runs on, if any. */
  workflowConfigName?: string
  /** The workflow's ID, for idempotency; a new UUID when unset. */
  workflowID?: string
  /** What to do when `workflowID` is already in use (default 'return-existing'). */
  workflowIDReusePolicy?: WorkflowIDReusePolicy
  /** The application version that may run it; when unset, only executors of the latest version dequeue it. */
  appVersion?: string
  /** Timeout in milliseconds, counted from when the workflow is dequeued. */
  workflowTimeoutMS?: number
  /** Deduplication ID, unique across the queue (all partitions); no deduplication when unset. */
  deduplicationID?: string
  /** How the arguments are stored. */
  serializationType?: 'portable' | 'native'
  /** Priority on the queue, 0 … 2,147,483,647; 0 (the default) runs first. */
  priority?: number
  /** The partition key, for a partitioned queue. */
  queuePartitionKey?: string
  /** Seconds before the workflow may start. */
  delaySeconds?: number
  /** Key-value attributes attached to the workflow. */
  attributes?: Record<string, unknown>
  /** The authenticated user recorded on the workflow (default: the caller's). */
  authenticatedUser?: string
  /** The authenticated roles recorded on the workflow (default: the caller's). */
  authenticatedRoles?: string[]
  /** The application that owns and runs the workflow (default: the enqueuer's; with neither, any application may). */
  applicationName?: string
}
