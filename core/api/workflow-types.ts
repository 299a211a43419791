// Workflow-level types DBOS 5.3 exports: status strings, the ID reuse policy, input validation, step listing.

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
