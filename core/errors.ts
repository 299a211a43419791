import {
  QueryTimeout, QueueDedupIDDuplicated, StepNondeterminism, StreamNondeterminism, StreamTimeout, UnexpectedStep, WorkflowIDInUse,
} from './error-codes.ts'

/**
 * Every public error class. Codes and names follow the DBOS system-database contract (docs/sysdb.md §10):
 * `name` is always the class name so that a serialized error keeps its type.
 */

/** Base class of every Perdure error; `dbosErrorCode` identifies the kind. */
export class DBOSError extends Error {
  override name = 'DBOSError'
  readonly dbosErrorCode: number
  constructor(message: string, code = 1, options?: { cause?: unknown }) {
    super(message, options)
    this.dbosErrorCode = code
  }
}

/**
 * Launch, connection, migration or configuration failure. The second argument is the underlying error (kept as
 * `error` and as `cause`), or `{ cause }`.
 */
export class DBOSInitializationError extends DBOSError {
  override name = 'DBOSInitializationError'
  readonly error?: Error
  constructor(message: string, error?: Error | { cause?: unknown }) {
    super(message, 3, error instanceof Error ? { cause: error } : error)
    if (error instanceof Error) this.error = error
  }
}

/** The owner check failed: another execution now owns the workflow. */
export class DBOSWorkflowConflictError extends DBOSError {
  override name = 'DBOSWorkflowConflictError'
  readonly workflowID: string
  constructor(workflowID: string) {
    super(`Workflow ${workflowID} is no longer owned by this execution`, 5)
    this.workflowID = workflowID
  }
}

/** An unregistered function, class or instance. */
export class DBOSNotRegisteredError extends DBOSError {
  override name = 'DBOSNotRegisteredError'
  constructor(name: string, message?: string) {
    super(message ?? `Workflow function ${name} is not registered`, 6)
  }
}

/** A workflow that was expected to exist does not. */
export class DBOSNonExistentWorkflowError extends DBOSError {
  override name = 'DBOSNonExistentWorkflowError'
  constructor(message: string) {
    super(message, 16)
  }
}

/** The workflow was dead-lettered after too many recovery attempts. */
export class DBOSMaxRecoveryAttemptsExceededError extends DBOSError {
  override name = 'DBOSMaxRecoveryAttemptsExceededError'
  readonly workflowID: string
  readonly maxRetries?: number
  constructor(workflowID: string, maxRetries?: number) {
    super(
      `Workflow ${workflowID} has exceeded its maximum ${maxRetries === undefined ? 'number of' : `of ${maxRetries}`} ` +
        'execution or recovery attempts. Further attempts to execute or recover it will fail.',
      18,
    )
    this.workflowID = workflowID
    this.maxRetries = maxRetries
  }
}

/** A DBOS method was called before `DBOS.launch()` (or after `shutdown()`). */
export class DBOSExecutorNotInitializedError extends DBOSError {
  override name = 'DBOSExecutorNotInitializedError'
  constructor(message = 'DBOS not initialized: call DBOS.launch() first') {
    super(message, 20)
  }
}

/** An operation was called from the wrong context (e.g. `recv` outside a workflow). */
export class DBOSInvalidWorkflowTransitionError extends DBOSError {
  override name = 'DBOSInvalidWorkflowTransitionError'
  constructor(message = 'Invalid workflow state') {
    super(message, 21)
  }
}

/** A workflow ID was reused with a different function, class or configuration. */
export class DBOSConflictingWorkflowError extends DBOSError {
  override name = 'DBOSConflictingWorkflowError'
  constructor(workflowID: string, detail: string) {
    super(`Conflicting workflow invocation with the same ID (${workflowID}): ${detail}`, 22)
  }
}

/** A step failed on every allowed attempt; `errors` holds each attempt's error. */
export class DBOSMaxStepRetriesError extends DBOSError {
  override name = 'DBOSMaxStepRetriesError'
  readonly stepName: string
  readonly maxAttempts: number
  readonly errors: Error[]
  constructor(stepName: string, maxAttempts: number, errors: Error[]) {
    const detail = errors.map((e, i) => `Attempt ${i + 1}: ${e.message}`).join('; ')
    super(`Step ${stepName} has exceeded its maximum of ${maxAttempts} retries. ${detail}`, 23)
    this.stepName = stepName
    this.maxAttempts = maxAttempts
    this.errors = errors
  }
}

/** The running workflow saw its own cancellation. */
export class DBOSWorkflowCancelledError extends DBOSError {
  override name = 'DBOSWorkflowCancelledError'
  readonly workflowID: string
  constructor(workflowID: string) {
    super(`Workflow ${workflowID} has been cancelled`, 24)
    this.workflowID = workflowID
  }
}

/** A duplicate registration, or a name owned by another application. */
export class DBOSConflictingRegistrationError extends DBOSError {
  override name = 'DBOSConflictingRegistrationError'
  constructor(message: string) {
    super(message, 25)
  }
}

/** Replay found a different operation recorded at this step ID: the workflow is not deterministic. */
export class DBOSUnexpectedStepError extends DBOSError {
  override name = 'DBOSUnexpectedStepError'
  readonly workflowID: string
  readonly stepID: number
  readonly expectedName: string
  readonly recordedName: string
  constructor(workflowID: string, stepID: number, expectedName: string, recordedName: string) {
    const hint = recordedName.startsWith('DBOS.patch')
      ? 'Check that your patches are compatible with the recorded history.'
      : 'Check that your workflow is deterministic.'
    super(
      `During execution of workflow ${workflowID} step ${stepID}, function ${recordedName} was recorded when ${expectedName} was expected. ${hint}`,
      UnexpectedStep,
    )
    this.workflowID = workflowID
    this.stepID = stepID
    this.expectedName = expectedName
    this.recordedName = recordedName
  }
}

/** An awaited workflow (not the caller's own) was cancelled. */
export class DBOSAwaitedWorkflowCancelledError extends DBOSError {
  override name = 'DBOSAwaitedWorkflowCancelledError'
  readonly workflowID: string
  constructor(workflowID: string) {
    super(`Awaited ${workflowID} was cancelled`, 27)
    this.workflowID = workflowID
  }
}

/** An enqueue collided with an active workflow holding the same deduplication ID. */
export class DBOSQueueDuplicatedError extends DBOSError {
  override name = 'DBOSQueueDuplicatedError'
  readonly workflowID: string
  readonly queue: string
  readonly deduplicationID: string
  constructor(workflowID: string, queue: string, deduplicationID: string) {
    super(
      `Workflow ${workflowID} was deduplicated due to an existing workflow in queue ${queue} with deduplication ID ${deduplicationID}.`,
      QueueDedupIDDuplicated,
    )
    this.workflowID = workflowID
    this.queue = queue
    this.deduplicationID = deduplicationID
  }
}

/** A queue priority outside `min` … `max`. */
export class DBOSInvalidQueuePriorityError extends DBOSError {
  override name = 'DBOSInvalidQueuePriorityError'
  readonly priority: number
  readonly min: number
  readonly max: number
  constructor(priority: number, min: number, max: number) {
    super(`Invalid priority ${priority}. Priority must be between ${min} and ${max}.`, 29)
    this.priority = priority
    this.min = min
    this.max = max
  }
}

/** An awaited workflow was dead-lettered. */
export class DBOSAwaitedWorkflowExceededMaxRecoveryAttempts extends DBOSError {
  override name = 'DBOSAwaitedWorkflowExceededMaxRecoveryAttempts'
  readonly workflowID: string
  constructor(workflowID: string) {
    super(`Awaited ${workflowID} exceeded its maximum recovery attempts`, 30)
    this.workflowID = workflowID
  }
}

/** A second, different write at a step ID by the same execution. */
export class DBOSStepNondeterminismError extends DBOSError {
  override name = 'DBOSStepNondeterminismError'
  readonly workflowID: string
  readonly stepID: number
  constructor(workflowID: string, stepID: number) {
    super(
      `Workflow ${workflowID} wrote step ${stepID} twice. Check that your workflow is deterministic.`,
      StepNondeterminism,
    )
    this.workflowID = workflowID
    this.stepID = stepID
  }
}

/**
 * A value passed to the API breaks a rule (a NUL byte, an ID too long to index, NaN, a negative timeout...).
 * Thrown before anything is written; `field` names the argument or option and `rule` says what it must be.
 * A DBOSError, which DBOS Transact throws for the same mistakes.
 */
export class DBOSInvalidArgumentError extends DBOSError {
  override name = 'DBOSInvalidArgumentError'
  readonly field: string
  readonly rule: string
  constructor(field: string, rule: string, got: string) {
    super(`Invalid ${field}: ${rule} (got ${got})`)
    this.field = field
    this.rule = rule
  }
}

/** Returns the `dbosErrorCode` of a Perdure error, or undefined for anything else. */
export function getDBOSErrorCode(e: unknown): number | undefined {
  if (e && typeof e === 'object' && 'dbosErrorCode' in e) {
    const code = (e as { dbosErrorCode: unknown }).dbosErrorCode
    return typeof code === 'number' ? code : undefined
  }
  return undefined
}

/** A workflow error revived from `portable_json`: it keeps the stored name, code and data. */
export class PortableWorkflowError extends Error {
  readonly code?: unknown
  readonly data?: unknown
  constructor(message: string, name: string, code?: unknown, data?: unknown) {
    super(message)
    this.name = name
    if (code !== undefined) this.code = code
    if (data !== undefined) this.data = data
  }
}

/** Normalises anything thrown into an Error. */
export function ensureError(e: unknown): Error {
  if (e instanceof Error) return e
  return new Error(typeof e === 'string' ? e : `Non-Error value thrown: ${String(e)}`, { cause: e })
}

/** Workflow arguments cannot be serialized. */
export class DBOSInvalidWorkflowInputError extends DBOSError {
  override name = 'DBOSInvalidWorkflowInputError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 32, options)
  }
}

/**
 * No stream value arrived in time, or the stream ended before the requested offset (no `timeoutMS`). A replayed
 * one is revived as a PortableWorkflowError: match it with isStreamTimeoutError.
 */
export class DBOSStreamTimeoutError extends DBOSError {
  override name = 'DBOSStreamTimeoutError'
  readonly workflowID: string
  readonly key: string
  readonly timeoutMS?: number
  constructor(workflowID: string, key: string, timeoutMS?: number) {
    super(
      timeoutMS === undefined
        ? `Stream ${key} of workflow ${workflowID} ended before the requested offset`
        : `No value arrived on stream ${key} of workflow ${workflowID} within ${timeoutMS} ms`,
      StreamTimeout,
    )
    this.workflowID = workflowID
    this.key = key
    if (timeoutMS !== undefined) this.timeoutMS = timeoutMS
  }
}

/** A workflow read streams concurrently, so replay could not assign the same IDs. */
export class DBOSStreamNondeterminismError extends DBOSError {
  override name = 'DBOSStreamNondeterminismError'
  readonly workflowID: string
  readonly key?: string
  constructor(workflowID: string, key?: string) {
    super(
      `Workflow ${workflowID} reads streams concurrently${key === undefined ? '' : ` (stream ${key})`}; ` +
        'read one stream at a time so replay stays deterministic',
      StreamNondeterminism,
    )
    this.workflowID = workflowID
    if (key !== undefined) this.key = key
  }
}

/** One attempt of a step ran longer than its `timeoutMS`. */
export class DBOSStepTimeoutError extends DBOSError {
  override name = 'DBOSStepTimeoutError'
  readonly stepName: string
  readonly timeoutMS: number
  constructor(stepName: string, timeoutMS: number) {
    super(`Step ${stepName} timed out after ${timeoutMS}ms`, 31)
    this.stepName = stepName
    this.timeoutMS = timeoutMS
  }
}

/** A read-only (observability) query was cancelled by its statement timeout. */
export class DBOSQueryTimeoutError extends DBOSError {
  override name = 'DBOSQueryTimeoutError'
  readonly timeoutMS: number
  constructor(timeoutMS: number) {
    super(`This query was cancelled after exceeding its ${timeoutMS}ms statement timeout.`, QueryTimeout)
    this.timeoutMS = timeoutMS
  }
}

/**
 * A start with `workflowIDReusePolicy: 'reject'` found its workflow ID in use. A replayed one is revived as a
 * PortableWorkflowError: match it with isWorkflowIDInUseError.
 */
export class DBOSWorkflowIDInUseError extends DBOSError {
  override name = 'DBOSWorkflowIDInUseError'
  readonly workflowID: string
  readonly status: string
  readonly workflowName: string
  constructor(workflowID: string, status: string, workflowName: string) {
    super(`Workflow ID ${workflowID} is already in use by workflow ${workflowName} with status ${status}.`, WorkflowIDInUse)
    this.workflowID = workflowID
    this.status = status
    this.workflowName = workflowName
  }
}

/** Whether `e` is a stream-read timeout: a DBOSStreamTimeoutError, or one revived from a portable record. */
export function isStreamTimeoutError(e: unknown): boolean {
  return isKind(e, StreamTimeout, 'DBOSStreamTimeoutError')
}

/** Whether `e` is a workflow-ID-in-use rejection: a DBOSWorkflowIDInUseError, or one revived from a portable record. */
export function isWorkflowIDInUseError(e: unknown): boolean {
  return isKind(e, WorkflowIDInUse, 'DBOSWorkflowIDInUseError')
}

// A revived error keeps only its class name, so `instanceof` and the code cannot identify it.
function isKind(e: unknown, code: number, name: string): boolean {
  if (e instanceof Error && getDBOSErrorCode(e) === code) return true
  return e instanceof PortableWorkflowError && e.name === name
}
