import type { Execution } from './workflow-context.ts'

/**
 * The next operation ID of a workflow execution. Taken synchronously, before the operation's first await, so
 * that concurrent operations get IDs in call order and a replay assigns the same IDs again.
 */
export function nextOperationID(exec: Execution): number {
  return exec.nextID++
}

/**
 * Two consecutive operation IDs, for the operations that wait with a durable timeout (`DBOS.recv`, `DBOS.getEvent`
 * from a workflow): the first records the outcome, the second the deadline. Returns the first.
 */
export function nextOperationPair(exec: Execution): number {
  const id = exec.nextID
  exec.nextID += 2
  return id
}

/** A new workflow's ID: the caller's, or a random UUID. */
export function newWorkflowID(given: string | undefined): string {
  return given ?? crypto.randomUUID()
}
