import { DBOSStreamTimeoutError } from '../errors.ts'
import { checkDuration } from '../internal/input-checks.ts'
import type { Engine } from './engine.ts'
import { recordedValue, recordOperation } from './operations.ts'
import { checkStreamRead, engineReader, nextValue, type ReadGuard, shutdownGuard } from './streams.ts'
import type { Execution } from './workflow-context.ts'

const NAME = 'DBOS.readStreamOffset'

/**
 * The one value at `offset` of a stream, waited for. From workflow code (`exec` and operation `id`) the value,
 * or the timeout, is recorded so a replay returns or throws the same.
 * @throws DBOSStreamTimeoutError when `timeoutSeconds` pass first, or the stream ends before `offset`
 */
export async function readStreamOffset<T>(
  engine: Engine, at: { exec: Execution; id: number } | undefined, workflowID: string, key: string, offset: number,
  timeoutSeconds?: number,
): Promise<T> {
  if (at) {
    const op = engine.recorded(at.exec, at.id, NAME)
    if (op) return (await recordedValue(engine, op)) as T
  }
  checkStreamRead(workflowID, key, offset)
  if (timeoutSeconds !== undefined) checkDuration('timeoutSeconds', timeoutSeconds, 'seconds')
  const { runtime } = engine.settings
  const started = runtime.timer.now()
  const base: ReadGuard = at
    ? { signal: at.exec.abort.signal, check: () => engine.throwIfStopped(at.exec) }
    : shutdownGuard(engine)
  const timeoutMS = timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000
  const timer = new AbortController()
  const cancel = timeoutMS === undefined ? () => {} : runtime.timer.schedule(timeoutMS, () => timer.abort())
  const guard: ReadGuard = {
    signal: AbortSignal.any([base.signal, timer.signal]),
    check: () => {
      base.check()
      if (timer.signal.aborted) throw new DBOSStreamTimeoutError(workflowID, key, timeoutMS)
    },
  }
  let value: unknown
  try {
    const next = await nextValue(engineReader(engine), workflowID, key, offset, guard)
    if (next.done) throw new DBOSStreamTimeoutError(workflowID, key)
    value = next.value
  } catch (e) {
    if (at && e instanceof DBOSStreamTimeoutError) await recordOperation(engine, at.exec, at.id, NAME, undefined, started, { error: e })
    throw e
  } finally {
    cancel()
  }
  if (at) await recordOperation(engine, at.exec, at.id, NAME, value, started)
  return value as T
}
