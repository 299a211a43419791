import { DBOSNonExistentWorkflowError, DBOSStepNondeterminismError, DBOSWorkflowConflictError } from '../errors.ts'
import { checkKey, checkLookupID, checkText, checkTimeoutSeconds } from '../internal/input-checks.ts'
import { sqlState } from '../ports/database.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import { NULL_TOPIC } from '../sysdb/system-database.ts'
import type { Engine } from './engine.ts'
import { recordedValue, recordOperation } from './operations.ts'
import { MESSAGES_CHANNEL } from './signals.ts'
import { durableDeadline } from './sleep.ts'
import type { Execution } from './workflow-context.ts'

const POLL_MS = 1000

/** Values sent by a workflow use its row format when that is portable, else the app format (docs/sysdb.md §2.4). */
export function valueFormat(engine: Engine, exec: Execution | undefined): string {
  return exec?.format === PORTABLE ? PORTABLE : engine.settings.serialization.appFormat
}

/**
 * Checks send's arguments (DBOS.send, DBOSClient.send): the topic and the idempotency key are written into
 * indexed columns, the key as part of the message ID.
 */
export function checkSend(destinationID: unknown, topic: unknown, idempotencyKey: unknown): void {
  checkLookupID('destinationID', destinationID)
  if (topic !== undefined && topic !== null) checkKey('topic', topic)
  if (idempotencyKey !== undefined && idempotencyKey !== null) checkKey('idempotencyKey', idempotencyKey)
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
  // Checked only when the operation was not recorded: a workflow recorded under looser rules still replays.
  checkSend(destinationID, topic, undefined)
  const { sys, serialization, runtime } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(message, format, 'message')
  const started = runtime.timer.now()
  try {
    await sys.transaction(async (tx) => {
      await tx.insertMessage({ destinationID, topic, message: text, format, messageID: crypto.randomUUID() })
      await engine.checkpointWriteIn(tx, exec, id, 'DBOS.send', started)
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
  checkSend(destinationID, topic, idempotencyKey)
  const { sys, serialization } = engine.settings
  const format = valueFormat(engine, exec)
  const text = await serialization.encode(message, format, 'message')
  const messageID = idempotencyKey ? `${idempotencyKey}::${destinationID}` : crypto.randomUUID()
  const m = { destinationID, topic, message: text, format, messageID }
  try {
    if (!exec) await sys.insertMessage(m)
    else {
      await sys.transaction(async (tx) => {
        if (!(await tx.checkOwner(exec.workflowID, exec.token))) throw new DBOSWorkflowConflictError(exec.workflowID)
        await tx.insertMessage(m)
      })
    }
  } catch (e) {
    throw sqlState(e) === '23503' ? missing(destinationID) : e
  }
  engine.signals.signal(MESSAGES_CHANNEL, `${destinationID}::${topic ?? NULL_TOPIC}`)
}

/**
 * `DBOS.recv` at operations `id` (the message) and `id + 1` (its durable timeout): waits for the next
 * message on the topic; consuming it and recording it are one statement, so one round trip and one commit.
 * Null on timeout.
 */
export async function recv<T>(engine: Engine, exec: Execution, id: number, topic: string | undefined, timeoutSeconds: number): Promise<T | null> {
  const op = engine.recorded(exec, id, 'DBOS.recv')
  if (op) return op.output === null && op.error === null ? null : ((await recordedValue(engine, op)) as T)
  // Checked only when the operation was not recorded: a workflow recorded under looser rules still replays.
  if (topic !== undefined && topic !== null) checkText('topic', topic)
  checkTimeoutSeconds('timeoutSeconds', timeoutSeconds)
  const { sys, serialization, runtime } = engine.settings
  const t = topic ?? NULL_TOPIC
  const started = runtime.timer.now()
  const deadline = await durableDeadline(engine, exec, id + 1, timeoutSeconds * 1000, false)
  for (;;) {
    engine.throwIfStopped(exec)
    const remaining = deadline - runtime.timer.now()
    // Registered before the attempt, so a message that lands in between still wakes us.
    const wait = engine.signals.wait(MESSAGES_CHANNEL, `${exec.workflowID}::${t}`, Math.min(POLL_MS, remaining), exec.abort.signal)
    const completedAt = runtime.timer.now()
    const attempt = await sys.receiveMessage({
      workflowID: exec.workflowID, token: exec.token, topic: t, functionID: id, final: remaining <= 0,
      startedAt: started, completedAt,
    }).catch((e: unknown) => {
      wait.cancel()
      throw e
    })
    if (!attempt.owned) {
      wait.cancel()
      exec.abort.abort(new DBOSWorkflowConflictError(exec.workflowID))
      throw new DBOSWorkflowConflictError(exec.workflowID)
    }
    if (attempt.recorded) {
      wait.cancel()
      if (attempt.completed !== completedAt) throw new DBOSStepNondeterminismError(exec.workflowID, id)
      return attempt.message === null ? null : ((await serialization.decode(attempt.message, attempt.serialization)) as T)
    }
    await wait.done
  }
}
