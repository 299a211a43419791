import { DBOSInvalidWorkflowTransitionError } from '../errors.ts'
import { checkText, MAX_KEY_BYTES } from '../internal/input-checks.ts'
import type { Execution } from './workflow-context.ts'

const PREFIX = 'DBOS.patch-'

/** The step name a patch leaves in history; it is indexed, so the name is checked against the key limit. */
function marker(patchName: string): string {
  return `${PREFIX}${patchName}`
}

function requirePatching(exec: Execution): void {
  if (!exec.engine.settings.config.enablePatching) {
    throw new DBOSInvalidWorkflowTransitionError('Patching is not enabled: set enablePatching: true in DBOS.setConfig to use DBOS.patch')
  }
}

/**
 * `DBOS.patch` at the execution's next operation: true for an execution that reaches it after the patch was
 * deployed (it records the marker there), false for one replaying history from before it, which has another
 * operation at that ID and follows the old code path.
 */
export async function patch(exec: Execution, patchName: string): Promise<boolean> {
  checkText('patchName', patchName, MAX_KEY_BYTES - PREFIX.length)
  requirePatching(exec)
  const id = exec.nextID
  const op = exec.recorded.get(id)
  if (op) {
    if (op.function_name !== marker(patchName)) return false
    exec.nextID++
    return true
  }
  exec.nextID++
  const now = exec.engine.settings.runtime.timer.now()
  await exec.engine.checkpoint(exec, {
    functionID: id, name: marker(patchName), output: null, error: null, childWorkflowID: null,
    startedAt: now, completedAt: now, serialization: null,
  })
  return true
}

/**
 * `DBOS.deprecatePatch`: steps over the marker `DBOS.patch` left at the next operation, if there is one, and
 * never writes one, so executions from before and after the patch both replay. Always true.
 */
export function deprecatePatch(exec: Execution, patchName: string): boolean {
  requirePatching(exec)
  if (exec.recorded.get(exec.nextID)?.function_name === marker(patchName)) exec.nextID++
  return true
}
