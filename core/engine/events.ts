import { DBOSInvalidWorkflowTransitionError } from '../errors.ts'
import { checkKey, checkLookupID, checkText, checkTimeoutSeconds } from '../internal/input-checks.ts'
import type { Engine } from './engine.ts'
import { valueFormat } from './messages.ts'
import { recordedValue } from './operations.ts'
import { EVENTS_CHANNEL } from './signals.ts'
import { durableDeadline } from './sleep.ts'
import type { Execution } from './workflow-context.ts'
import { engineReader, type ReadGuard, type ReaderContext } from './streams.ts'

const POLL_MS = 1000

/** `DBOS.setEvent` at operation `id`: the value, its history entry and the checkpoint commit together. */
export async function setEvent(engine: Engine, exec: Execution, id: number, key: string, value: unknown): Promise<void> {
  const op = engine.recorded(exec, id, 'DBOS.setEvent')
  if (op) {
    await recordedValue(engine, op)
    return
  }
  // Checked only when the operation was not recorded: a workflow recorded under looser rules still replays.
  checkKey('key', key)
  const { sys, serialization, runtime } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(value, format, 'value')
  const started = runtime.timer.now()
  await sys.transaction(async (tx) => {
    await tx.upsertEvent({ workflowID: exec.workflowID, functionID: id, key, value: text, format })
    await engine.checkpointWriteIn(tx, exec, id, 'DBOS.setEvent', started)
  })
  engine.published(EVENTS_CHANNEL, `${exec.workflowID}::${key}`)
}

/** Checks getEvent's arguments (DBOS.getEvent, DBOSClient.getEvent): a NaN timeout would wait forever. */
export function checkEventRead(workflowID: unknown, key: unknown, timeoutSeconds: unknown): void {
  checkLookupID('workflowID', workflowID)
  checkText('key', key)
  checkTimeoutSeconds('timeoutSeconds', timeoutSeconds)
}

/** Waits for an event until `deadline`; the raw stored value, or undefined on timeout. */
export async function waitForEvent(
  ctx: ReaderContext, workflowID: string, key: string, deadline: number, guard: ReadGuard | undefined, now: () => number,
): Promise<{ value: string; serialization: string | null } | undefined> {
  for (;;) {
    guard?.check()
    const remaining = deadline - now()
    const wait = ctx.signals.wait(EVENTS_CHANNEL, `${workflowID}::${key}`, Math.min(POLL_MS, remaining), guard?.signal)
    const row = await ctx.sys.readEvent(workflowID, key).catch((e: unknown) => {
      wait.cancel()
      throw e
    })
    if (row || remaining <= 0) {
      wait.cancel()
      return row
    }
    await wait.done
  }
}

/**
 * `DBOS.getEvent`. In workflow code it uses operations `id` (the value read, recorded so replay sees the same
 * value even if the event changes later) and `id + 1` (its durable timeout); elsewhere it just waits.
 */
export async function getEvent<T>(
  engine: Engine, exec: Execution | undefined, id: number | undefined, workflowID: string, key: string, timeoutSeconds: number,
): Promise<T | null> {
  const { serialization, runtime, context } = engine.settings
  if (!exec || id === undefined) {
    // Only a workflow records the value it read; DBOS 5.3 refuses the call in a step, so code written for it fails alike.
    if (context.getStore()?.kind === 'step') {
      throw new DBOSInvalidWorkflowTransitionError('Invalid call to `DBOS.getEvent` inside a `step` or `transaction`')
    }
    checkEventRead(workflowID, key, timeoutSeconds)
    const now = () => runtime.timer.now()
    const row = await waitForEvent(engineReader(engine), workflowID, key, now() + timeoutSeconds * 1000, undefined, now)
    return row ? ((await serialization.decode(row.value, row.serialization)) as T) : null
  }
  const op = engine.recorded(exec, id, 'DBOS.getEvent')
  if (op) return op.output === null && op.error === null ? null : ((await recordedValue(engine, op)) as T)
  // Checked only when the operation was not recorded: a workflow recorded under looser rules still replays.
  checkEventRead(workflowID, key, timeoutSeconds)
  const started = runtime.timer.now()
  const deadline = await durableDeadline(engine, exec, id + 1, timeoutSeconds * 1000, false)
  const row = await waitForEvent(engineReader(engine), workflowID, key, deadline, {
    check: () => engine.throwIfStopped(exec),
    signal: exec.abort.signal,
  }, () => runtime.timer.now())
  await engine.checkpoint(exec, {
    functionID: id, name: 'DBOS.getEvent', output: row?.value ?? null, error: null, childWorkflowID: null,
    startedAt: started, completedAt: runtime.timer.now(), serialization: row?.serialization ?? null,
  })
  return row ? ((await serialization.decode(row.value, row.serialization)) as T) : null
}
