import { checkOptionalText, checkQueueName, MAX_NAME_BYTES } from '../internal/input-checks.ts'
import { queueFromRow, type RegisterQueueOptions, registeredLimits, type WorkflowQueue } from '../queue/workflow-queue.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'

// Queues at run time (DBOS 5.3), for DBOS and DBOSClient alike. `client` is set for a DBOSClient: its queue
// objects read and write through its database; DBOS's go through whichever launch is current when used.

/** The queue stored under `name`, whichever application owns it, or null when there is no such row. */
export async function retrieveQueue(sys: SystemDatabase, name: string, client = false): Promise<WorkflowQueue | null> {
  checkQueueName('name', name)
  const row = await sys.readQueue(name)
  return row ? queueFromRow(row, client ? () => sys : undefined) : null
}

/**
 * The stored queues of these applications and the unclaimed ones, by name. Without `applicationName`, those of
 * `sys`'s application (every queue when it has none); an empty name or list lists every queue.
 */
export async function listQueues(sys: SystemDatabase, applicationName?: string | string[], client = false): Promise<WorkflowQueue[]> {
  const names = applicationName === undefined ? undefined : (Array.isArray(applicationName) ? applicationName : [applicationName]).filter((n) => n)
  names?.forEach((n, i) => checkOptionalText(`applicationName[${i}]`, n, MAX_NAME_BYTES))
  const rows = names === undefined ? await sys.listQueues() : names.length === 0 ? await sys.forApplication(null).listQueues() : await sys.listQueues(names)
  return rows.map((row) => queueFromRow(row, client ? () => sys : undefined))
}

/** Deletes a queue's row: its workflows stay, undispatched until it is registered again. An unknown name is no error. */
export async function deleteQueue(sys: SystemDatabase, name: string): Promise<void> {
  checkQueueName('name', name)
  await sys.deleteQueue(name)
}

/**
 * Stores a queue (a row that exists is overwritten only when `update`) and returns it as stored: with
 * `never_update`, the existing row's limits rather than the ones asked for.
 * @throws DBOSConflictingRegistrationError when another application owns the name
 */
export async function registerQueue(
  sys: SystemDatabase, name: string, options: RegisterQueueOptions, update: boolean, now: number, client = false,
): Promise<WorkflowQueue> {
  const limits = registeredLimits(name, options)
  const pollingIntervalSec = (options.minPollingIntervalMs ?? 1000) / 1000
  await sys.publishQueues([{ name, limits, pollingIntervalSec }], update, now)
  const row = await sys.readQueue(name)
  if (!row) throw new Error(`Queue '${name}' is missing from the database after it was stored`)
  return queueFromRow(row, client ? () => sys : undefined)
}
