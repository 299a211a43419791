import { MESSAGES_CHANNEL, type Signals } from '../engine/signals.ts'
import { checkSend } from '../engine/messages.ts'
import { DBOSNonExistentWorkflowError } from '../errors.ts'
import { sqlState } from '../ports/database.ts'
import { PORTABLE, type Serialization } from '../serialization/serializer.ts'
import { NULL_TOPIC, type SystemDatabase } from '../sysdb/system-database.ts'

/**
 * Sends a message to a workflow from outside any workflow (`DBOS.send` there, `DBOSClient.send`): at least
 * once, and exactly once with an idempotency key, from which the message ID is derived. `signals` wakes a
 * receiver waiting in this process at once (a client has none: the receiver's poll finds the message).
 * Through a `sys` bound to a caller's transaction (`sys.within`), the message lands only if that transaction
 * commits; a missing destination then aborts the caller's transaction, as any failed statement does.
 */
export async function sendMessage(
  sys: SystemDatabase, serialization: Serialization,
  m: {
    destinationID: string; message: unknown; topic: string | undefined; idempotencyKey: string | undefined
    /** 'portable' writes portable_json, which a receiver in any DBOS language reads; the app's format otherwise. */
    serializationType?: 'portable' | 'native' | undefined
  },
  signals?: Signals,
): Promise<void> {
  const { destinationID, topic, idempotencyKey } = m
  checkSend(destinationID, topic, idempotencyKey)
  const format = m.serializationType === 'portable' ? PORTABLE : serialization.appFormat
  const text = await serialization.encode(m.message, format, 'message')
  const messageID = idempotencyKey ? `${idempotencyKey}::${destinationID}` : crypto.randomUUID()
  try {
    await sys.insertMessage({ destinationID, topic, message: text, format, messageID })
  } catch (e) {
    if (sqlState(e) === '23503') throw new DBOSNonExistentWorkflowError(`Sent to non-existent destination workflow UUID: ${destinationID}`)
    throw e
  }
  signals?.signal(MESSAGES_CHANNEL, `${destinationID}::${topic ?? NULL_TOPIC}`)
}
