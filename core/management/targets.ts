import { checkLookupID } from '../internal/input-checks.ts'

/**
 * The workflows a management operation acts on: one ID (`DBOS.cancelWorkflow(id)`) or a list
 * (`DBOSClient.cancelWorkflows(ids)`). The key names the argument in the error a bad ID gets.
 */
export type Targets = { workflowID: string } | { workflowIDs: readonly string[] }

/** The IDs of `targets`, each checked (no NUL, not too long for its index); a bad one is named in the error. */
export function targetIDs(targets: Targets): string[] {
  if ('workflowID' in targets) {
    checkLookupID('workflowID', targets.workflowID)
    return [targets.workflowID]
  }
  const ids: unknown = targets.workflowIDs
  if (!Array.isArray(ids)) throw new TypeError('workflowIDs must be an array of workflow IDs')
  ids.forEach((id, i) => checkLookupID(`workflowIDs[${i}]`, id))
  return ids as string[]
}
