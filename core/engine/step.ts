import {
  DBOSMaxStepRetriesError, DBOSStepNondeterminismError, DBOSUnexpectedStepError, DBOSWorkflowConflictError, ensureError,
} from '../errors.ts'
import { isSystemOutage } from '../internal/retry.ts'
import { type Engine, sleepFor } from './engine.ts'
import { recordedValue } from './operations.ts'
import type { Execution, StepStatus } from './workflow-context.ts'

/** The guide's StepConfig. */
export interface StepConfig {
  /** The step's durable name; defaults to the function's name. */
  name?: string
  /** Retry failures (default false). */
  retriesAllowed?: boolean
  /** Seconds before the first retry (default 1). */
  intervalSeconds?: number
  /** Attempts before giving up with DBOSMaxStepRetriesError (default 3). */
  maxAttempts?: number
  /** Multiplier of the interval after each retry (default 2). */
  backoffRate?: number
}

const MAX_INTERVAL_MS = 3_600_000

/**
 * Runs `fn` as step `id` of `exec`: replays the recorded outcome if there is one, otherwise runs it (with
 * retries when allowed) and checkpoints the outcome in one round trip before returning.
 */
export async function runStepAt<T>(
  engine: Engine,
  exec: Execution,
  id: number,
  name: string,
  fn: () => Promise<T> | T,
  config: StepConfig,
): Promise<T> {
  const op = engine.recorded(exec, id, name)
  if (op) return (await recordedValue(engine, op)) as T

  const { serialization, runtime, context } = engine.settings
  const retries = config.retriesAllowed === true
  const maxAttempts = retries ? Math.max(1, config.maxAttempts ?? 3) : 1
  let interval = (config.intervalSeconds ?? 1) * 1000
  const backoff = config.backoffRate ?? 2
  const errors: Error[] = []
  const startedAt = runtime.timer.now()
  const endSpan = engine.settings.tracing.startStep(exec.span, exec.workflowID, id, name)
  try {
    const value = await attempts()
    endSpan()
    return value
  } catch (e) {
    endSpan(e)
    throw e
  }

  async function attempts(): Promise<T> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      engine.throwIfStopped(exec)
      // currentAttempt counts from 1, as DBOS 5.3 counts it (the guide's text says from 0).
      const status: StepStatus = retries ? { stepID: id, currentAttempt: attempt + 1, maxAttempts } : { stepID: id }
      let output: string
      let value: T
      try {
        value = await context.run({ kind: 'step', exec, status }, () => fn())
        output = await serialization.encode(value, serialization.appFormat)
      } catch (e) {
        if (exec.abort.signal.aborted) engine.throwIfStopped(exec)
        if (isEngineError(e)) throw e
        errors.push(ensureError(e))
        if (attempt + 1 < maxAttempts) {
          engine.settings.logger.warn(`Step ${name} of workflow ${exec.workflowID} failed (attempt ${attempt + 1} of ${maxAttempts}): ${ensureError(e).message}`)
          await sleepFor(runtime, Math.min(interval, MAX_INTERVAL_MS), exec.abort.signal).catch(() => engine.throwIfStopped(exec))
          interval *= backoff
        }
        continue
      }
      // Record step output before returning: a crash after this line must replay, not re-execute. A failure
      // here is the engine's (database, ownership), never the step's: it is not retried as a step attempt.
      await engine.checkpoint(exec, {
        functionID: id, name, output, error: null, childWorkflowID: null,
        startedAt, completedAt: runtime.timer.now(), serialization: serialization.appFormat,
      })
      return value
    }
    const failure = retries ? new DBOSMaxStepRetriesError(name, maxAttempts, errors) : errors[0]!
    await recordStepError(engine, exec, id, name, failure, startedAt)
    throw failure
  }
}

async function recordStepError(engine: Engine, exec: Execution, id: number, name: string, failure: Error, startedAt: number) {
  const { serialization, runtime } = engine.settings
  let error: string
  try {
    error = await serialization.encodeError(failure, serialization.appFormat)
  } catch {
    // An error that cannot be serialized is not recorded (docs/sysdb.md §3.9): a replay runs the step again.
    return
  }
  await engine.checkpoint(exec, {
    functionID: id, name, output: null, error, childWorkflowID: null,
    startedAt, completedAt: runtime.timer.now(), serialization: serialization.appFormat,
  })
}

/**
 * Errors raised by the engine itself (ownership, nondeterminism) are not step failures to retry. Nor is the
 * system database going away under a DBOS call in the step: recorded, it would fail the workflow for good;
 * thrown on, the workflow is replayed once the database is back and the step runs again.
 */
function isEngineError(e: unknown): boolean {
  return isSystemOutage(e) || e instanceof DBOSWorkflowConflictError || e instanceof DBOSStepNondeterminismError ||
    e instanceof DBOSUnexpectedStepError
}
