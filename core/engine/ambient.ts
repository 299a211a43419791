import type { ContextStorage } from '../ports/context.ts'
import { currentRuntime } from '../runtime.ts'

/**
 * What `DBOS.withNextWorkflowID`, `withWorkflowQueue`, `withWorkflowTimeout` and `withAuthedContext` set for the
 * code they call: it follows that code's async continuations, workflows started there included.
 */
export interface Ambient {
  /** Taken by the first workflow started (set to undefined), so it cannot name a later one too. */
  readonly nextWorkflowID?: { id: string | undefined }
  readonly queueName?: string
  readonly timeoutMS?: number | null
  readonly authenticatedUser?: string
  readonly authenticatedRoles?: readonly string[]
}

let storage: ContextStorage<Ambient> | undefined

/** The settings of the innermost `with…` block around the caller, if any. */
export function ambient(): Ambient | undefined {
  return storage?.getStore()
}

/** Runs `fn` with `changes` over the settings of the enclosing block. */
export function withAmbient<R>(changes: Ambient, fn: () => Promise<R>): Promise<R> {
  storage ??= currentRuntime().createContext<Ambient>()
  return storage.run({ ...ambient(), ...changes }, fn)
}

/** The start options a workflow started here gets from its `with…` blocks; takes the assigned next ID. */
export function ambientStart(): { workflowID?: string; queueName?: string; timeoutMS?: number | null } {
  const a = ambient()
  if (!a) return {}
  const id = a.nextWorkflowID?.id
  if (a.nextWorkflowID) (a.nextWorkflowID as { id: string | undefined }).id = undefined
  return {
    ...(id !== undefined ? { workflowID: id } : {}),
    ...(a.queueName !== undefined ? { queueName: a.queueName } : {}),
    ...(a.timeoutMS !== undefined ? { timeoutMS: a.timeoutMS } : {}),
  }
}
