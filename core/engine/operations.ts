import type { RecordedOperation } from '../sysdb/system-database.ts'
import type { Engine } from './engine.ts'
import type { Execution } from './workflow-context.ts'

/** Decodes a recorded operation: its output, or its error thrown. */
export async function recordedValue(engine: Engine, op: RecordedOperation): Promise<unknown> {
  const { serialization } = engine.settings
  if (op.error !== null) throw await serialization.decodeError(op.error, op.serialization)
  return op.output === null ? undefined : await serialization.decode(op.output, op.serialization)
}

/**
 * Records an operation's output (or error) in the app format. Must complete before the operation returns:
 * a crash after this point replays the recorded value instead of running the operation again.
 */
export async function recordOperation(
  engine: Engine,
  exec: Execution,
  id: number,
  name: string,
  value: unknown,
  startedAt: number,
  extra: { error?: unknown; child?: string } = {},
): Promise<void> {
  const { serialization } = engine.settings
  const format = serialization.appFormat
  const failed = 'error' in extra
  await engine.checkpoint(exec, {
    functionID: id,
    name,
    output: failed ? null : await serialization.encode(value, format),
    error: failed ? await serialization.encodeError(extra.error, format) : null,
    childWorkflowID: extra.child ?? null,
    startedAt,
    completedAt: engine.settings.runtime.timer.now(),
    serialization: format,
  })
}
