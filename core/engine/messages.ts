import { DBOSNonExistentWorkflowError, DBOSWorkflowConflictError } from '../errors.ts'
import { sqlState } from '../ports/database.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import { consumeMessage, hasMessage, insertMessage, NULL_TOPIC } from '../sysdb/messages.ts'
import { checkOwner } from '../sysdb/operation-outputs.ts'
import type { Engine } from './engine.ts'
import { recordedValue, recordOperation } from './operations.ts'
import { MESSAGES_CHANNEL } from './signals.ts'
import { durableDeadline } from './sleep.ts'
import type { Execution } from './workflow-context.ts'

const POLL_MS = 1000

/** Values sent by a workflow use its row format when that is portable, else the app format (spec §2.4). */
export function valueFormat(engine: Engine, exec: Execution | undefined): string {
  return exec?.format === PORTABLE ? PORTABLE : engine.settings.serialization.appFormat
}

function missing(destinationID: string): DBOSNonExistentWorkflowError {
  return new DBOSNonExistentWorkflowError(`Sent to non-existent destination workflow UUID: ${destinationID}`)
}

/**
 * `DBOS.send` from workflow code, operation `id`: the message and the checkpoint commit together, so it is
 * sent exactly once however often the workflow is replayed.
 */
export async function sendFromWorkflow(
  engine: Engine, exec: Execution, id: number, destinationID: string, message: unknown, topic: string | undefined,
): Promise<void> {
  const op = engine.recorded(exec, id, 'DBOS.send')
  if (op) {
    await recordedValue(engine, op)
    return
  }
  const { db, s, serialization, runtime } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(message, format, 'message')
  const started = runtime.timer.now()
  try {
    await db.transaction(async (tx) => {
      await insertMessage(tx, s, { destinationID, topic, message: text, format, messageID: crypto.randomUUID() })
      await engine.checkpointIn(tx, exec, {
        functionID: id, name: 'DBOS.send', output: null, error: null, childWorkflowID: null,
        startedAt: started, completedAt: runtime.timer.now(), serialization: PORTABLE,
      })
    })
  } catch (e) {
    if (sqlState(e) !== '23503') throw e
    // Part of the history: a replay must fail the same way rather than try again.
    const error = missing(destinationID)
    await recordOperation(engine, exec, id, 'DBOS.send', undefined, started, { error })
    throw error
  }
  engine.signals.signal(MESSAGES_CHANNEL, `${destinationID}::${topic ?? NULL_TOPIC}`)
}

/**
 * `DBOS.send` from a step (at least once, with the owner check) or from outside any workflow (exactly once
 * with an idempotency key: the message ID is derived from it).
 */
export async function sendPlain(
  engine: Engine, exec: Execution | undefined, destinationID: string, message: unknown, topic: string | undefined,
  idempotencyKey: string | undefined,
): Promise<void> {
  const { db, s, serialization } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(message, format, 'message')
  const messageID = idempotencyKey ? `${idempotencyKey}::${destinationID}` : crypto.randomUUID()
  const m = { destinationID, topic, message: text, format, messageID }
  try {
    if (!exec) await insertMessage(db, s, m)
    else {
      await db.transaction(async (tx) => {
        if (!(await checkOwner(tx, s, exec.workflowID, exec.token))) throw new DBOSWorkflowConflictError(exec.workflowID)
        await insertMessage(tx, s, m)
      })
    }
  } catch (e) {
    throw sqlState(e) === '23503' ? missing(destinationID) : e
  }
  engine.signals.signal(MESSAGES_CHANNEL, `${destinationID}::${topic ?? NULL_TOPIC}`)
}

/**
 * `DBOS.recv` at operations `id` (the message) and `id + 1` (its durable timeout): waits for the next
 * message on the topic, consumes it and records it in one transaction; null on timeout.
 */
export async function recv<T>(engine: Engine, exec: Execution, id: number, topic: string | undefined, timeoutSeconds: number): Promise<T | null> {
  const op = engine.recorded(exec, id, 'DBOS.recv')
  if (op) return op.output === null && op.error === null ? null : ((await recordedValue(engine, op)) as T)
  const { db, s, serialization, runtime } = engine.settings
  const t = topic ?? NULL_TOPIC
  const started = runtime.timer.now()
  const deadline = await durableDeadline(engine, exec, id + 1, timeoutSeconds * 1000, false)
  for (;;) {
    engine.throwIfStopped(exec)
    const remaining = deadline - runtime.timer.now()
    const wait = engine.signals.wait(MESSAGES_CHANNEL, `${exec.workflowID}::${t}`, Math.min(POLL_MS, remaining), exec.abort.signal)
    const ready = await hasMessage(db, s, exec.workflowID, t).catch((e: unknown) => {
      wait.cancel()
      throw e
    })
    if (ready || remaining <= 0) {
      wait.cancel()
      break
    }
    await wait.done
  }
  engine.throwIfStopped(exec)
  const consumed = await db.transaction(async (tx) => {
    const m = await consumeMessage(tx, s, exec.workflowID, t, id)
    await engine.checkpointIn(tx, exec, {
      functionID: id, name: 'DBOS.recv', output: m?.message ?? null, error: null, childWorkflowID: null,
      startedAt: started, completedAt: runtime.timer.now(), serialization: m?.serialization ?? null,
    })
    return m
  })
  return consumed ? ((await serialization.decode(consumed.message, consumed.serialization)) as T) : null
}
