import { DBOSError } from '../errors.ts'
import { type EnqueueByName, prepareEnqueue } from '../management/enqueue.ts'
import { asDuplicate } from '../queue/enqueue.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import type { Engine } from './engine.ts'
import { recordedValue, recordOperation } from './operations.ts'
import type { Execution } from './workflow-context.ts'

/** DBOS 5.3's EnqueueWorkflowOptions: a workflow enqueued by name, from any process sharing the database. */
export interface EnqueueWorkflowOptions extends EnqueueByName {
  serializationType?: 'portable' | 'native'
  /** Perdure supports only the default, 'return-existing': an ID in use returns its workflow. */
  workflowIDReusePolicy?: 'return-existing'
  authenticatedUser?: string
  authenticatedRoles?: string[]
  /** The application that runs the workflow; default this one. */
  applicationName?: string
}

// Fields of 5.3's options Perdure cannot honour yet: refused rather than silently dropped.
const UNSUPPORTED = ['delaySeconds', 'attributes'] as const

/**
 * Enqueues a workflow by name, with the same row `DBOSClient.enqueue` writes. From workflow code (`parent` and
 * operation `id`) the enqueue is the parent's child: its ID defaults to `<parent>-<id>`, so a replay or a crash
 * before the checkpoint enqueues nothing twice, and the recorded child ID is what replay returns.
 */
export async function enqueueByOptions(
  engine: Engine, parent: { exec: Execution; id: number } | undefined, options: EnqueueWorkflowOptions,
  positionalArgs: unknown[], namedArgs: Record<string, unknown> | undefined, defaults: { workflowID?: string; timeoutMS?: number | null; authenticatedUser?: string; authenticatedRoles?: readonly string[] },
): Promise<string> {
  if (options === null || typeof options !== 'object') throw new TypeError('enqueueWorkflowWithOptions needs an options object')
  if (parent) {
    const op = engine.recorded(parent.exec, parent.id, options.workflowName)
    if (op) {
      await recordedValue(engine, op)
      return op.child_workflow_id ?? ''
    }
  }
  for (const field of UNSUPPORTED) {
    if ((options as unknown as Record<string, unknown>)[field] !== undefined) throw new DBOSError(`enqueueWorkflowWithOptions: ${field} is not supported by Perdure`)
  }
  const policy = options.workflowIDReusePolicy
  if (policy !== undefined && policy !== 'return-existing') {
    throw new DBOSError(`enqueueWorkflowWithOptions: workflowIDReusePolicy '${String(policy)}' is not supported by Perdure; only 'return-existing'`)
  }
  if (namedArgs && Object.keys(namedArgs).length > 0) {
    throw new TypeError('enqueueWorkflowWithOptionsPortable: named arguments are not supported; pass every argument positionally')
  }
  const { sys, serialization, runtime } = engine.settings
  const format = options.serializationType === 'portable' ? PORTABLE : serialization.appFormat
  const workflowID = options.workflowID ?? defaults.workflowID ?? (parent ? `${parent.exec.workflowID}-${parent.id}` : undefined)
  const timeout = options.workflowTimeoutMS ?? (defaults.timeoutMS ?? undefined)
  const { row, params } = await prepareEnqueue(
    sys, { ...options, workflowID, workflowTimeoutMS: timeout }, format, () => serialization.encodeArgs(positionalArgs, format),
  )
  const user = options.authenticatedUser ?? defaults.authenticatedUser
  const roles = options.authenticatedRoles ?? defaults.authenticatedRoles
  const full = {
    ...row,
    parentWorkflowID: parent?.exec.workflowID ?? null,
    applicationID: runtime.env('DBOS__APPID') ?? '',
    applicationName: options.applicationName ?? sys.appName,
    authenticatedUser: user ?? '',
    authenticatedRoles: JSON.stringify(roles ?? []),
    // A child without its own timeout keeps its parent's deadline.
    deadlineEpochMS: timeout === undefined && defaults.timeoutMS !== null ? (parent?.exec.deadline ?? null) : null,
  }
  const started = runtime.timer.now()
  try {
    await sys.insertWorkflows([full])
  } catch (e) {
    const error = asDuplicate(e, full.workflowID, params)
    if (parent && error !== e) await recordOperation(engine, parent.exec, parent.id, options.workflowName, undefined, started, { error })
    throw error
  }
  if (parent) await recordOperation(engine, parent.exec, parent.id, options.workflowName, undefined, started, { child: full.workflowID })
  engine.onEnqueue(full.queueName ?? '')
  return full.workflowID
}
