import { PORTABLE } from '../serialization/serializer.ts'
import { readEvent, upsertEvent } from '../sysdb/messages.ts'
import type { Engine } from './engine.ts'
import { valueFormat } from './messages.ts'
import { recordedValue } from './operations.ts'
import { EVENTS_CHANNEL } from './signals.ts'
import { durableDeadline } from './sleep.ts'
import type { Execution } from './workflow-context.ts'

const POLL_MS = 1000

/** `DBOS.setEvent` at operation `id`: the value, its history entry and the checkpoint commit together. */
export async function setEvent(engine: Engine, exec: Execution, id: number, key: string, value: unknown): Promise<void> {
  const op = engine.recorded(exec, id, 'DBOS.setEvent')
  if (op) {
    await recordedValue(engine, op)
    return
  }
  const { db, s, serialization, runtime } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(value, format, 'value')
  const started = runtime.timer.now()
  await db.transaction(async (tx) => {
    await upsertEvent(tx, s, { workflowID: exec.workflowID, functionID: id, key, value: text, format })
    await engine.checkpointIn(tx, exec, {
      functionID: id, name: 'DBOS.setEvent', output: null, error: null, childWorkflowID: null,
      startedAt: started, completedAt: runtime.timer.now(), serialization: PORTABLE,
    })
  })
  engine.published(EVENTS_CHANNEL, `${exec.workflowID}::${key}`)
}

/** Waits for an event until `deadline`; the raw stored value, or undefined on timeout. */
async function waitForEvent(
  engine: Engine, workflowID: string, key: string, deadline: number, exec: Execution | undefined,
): Promise<{ value: string; serialization: string | null } | undefined> {
  const { db, s, runtime } = engine.settings
  for (;;) {
    if (exec) engine.throwIfStopped(exec)
    const remaining = deadline - runtime.timer.now()
    const wait = engine.signals.wait(EVENTS_CHANNEL, `${workflowID}::${key}`, Math.min(POLL_MS, remaining), exec?.abort.signal)
    const row = await readEvent(db, s, workflowID, key).catch((e: unknown) => {
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
  const { serialization, runtime } = engine.settings
  if (!exec || id === undefined) {
    const row = await waitForEvent(engine, workflowID, key, runtime.timer.now() + timeoutSeconds * 1000, undefined)
    return row ? ((await serialization.decode(row.value, row.serialization)) as T) : null
  }
  const op = engine.recorded(exec, id, 'DBOS.getEvent')
  if (op) return op.output === null && op.error === null ? null : ((await recordedValue(engine, op)) as T)
  const started = runtime.timer.now()
  const deadline = await durableDeadline(engine, exec, id + 1, timeoutSeconds * 1000, false)
  const row = await waitForEvent(engine, workflowID, key, deadline, exec)
  await engine.checkpoint(exec, {
    functionID: id, name: 'DBOS.getEvent', output: row?.value ?? null, error: null, childWorkflowID: null,
    startedAt: started, completedAt: runtime.timer.now(), serialization: row?.serialization ?? null,
  })
  return row ? ((await serialization.decode(row.value, row.serialization)) as T) : null
}
