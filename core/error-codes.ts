// The `dbosErrorCode` values DBOS 5.3 exports by name (as members of its `Error` namespace); the other codes
// are written where their classes are, in errors.ts.

/** A replayed step's recorded name differs from the one the code asks for (DBOSUnexpectedStepError). */
export const UnexpectedStep = 26
/** An enqueue met a queued workflow with the same deduplication ID (DBOSQueueDuplicatedError). */
export const QueueDedupIDDuplicated = 28
/** No stream value arrived in time (DBOSStreamTimeoutError). */
export const StreamTimeout = 33
/** Concurrent stream reads in one workflow (DBOSStreamNondeterminismError). */
export const StreamNondeterminism = 34
/** A read-only query exceeded its statement timeout (DBOSQueryTimeoutError). */
export const QueryTimeout = 35
/** A start with `workflowIDReusePolicy: 'reject'` found its ID taken (DBOSWorkflowIDInUseError). */
export const WorkflowIDInUse = 36
/** One execution recorded a step ID twice, differently (DBOSStepNondeterminismError). */
export const StepNondeterminism = 37
