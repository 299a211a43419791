import type { StartWorkflowParams } from '../dbos.ts'
import { DBOSError, DBOSQueueDuplicatedError } from '../errors.ts'
import { currentRuntime } from '../runtime.ts'
import { PORTABLE, Serialization } from '../serialization/serializer.ts'
import { INTERNAL_QUEUE } from '../queue/internal-queue.ts'
import type { ClientHandle, DBOSClient } from './client.ts'
import type { DebounceResult } from './debounce.ts'

/** Options of `new DebouncerClient(client, ...)`: the workflow is named, as a client does not run its code. */
export interface DebouncerClientConfig {
  workflowName: string
  workflowClassName?: string
  /** `workflowID`, `queueName`, `timeoutMS` and `enqueueOptions.applicationVersion` of every workflow it starts. */
  startWorkflowParams?: StartWorkflowParams
  /** The workflow starts at the latest this long after the first `debounce` of a key, however often it is called. */
  debounceTimeoutMs?: number
  /** How the arguments are stored ('portable' for workflows in any language). */
  serializationType?: 'portable' | 'native'
  /** The application the debounced workflows belong to (default: the client's). */
  applicationName?: string
}

/** A key's row can change hands between our statements; past this many turns something else is wrong. */
const MAX_ATTEMPTS = 50

/**
 * A Debouncer driven through a DBOSClient, from outside the application: delays the named workflow until calls
 * with the same key stop coming for a period, then it runs once, with the last arguments. The pending run is a
 * DELAYED row keyed by deduplication ID, shared with the application's own Debouncers of that workflow.
 * @example
 * const debouncer = new DebouncerClient(client, { workflowName: 'processInput', debounceTimeoutMs: 300_000 })
 * await debouncer.debounce(userID, 60_000, latestInput)
 */
export class DebouncerClient {
  readonly client: DBOSClient
  readonly #config: DebouncerClientConfig & { workflowClassName: string }

  constructor(client: DBOSClient, params: DebouncerClientConfig) {
    if (typeof params?.workflowName !== 'string' || params.workflowName.length === 0) {
      throw new TypeError('new DebouncerClient(client, { workflowName }) needs the name of a registered workflow')
    }
    this.client = client
    this.#config = { ...params, workflowClassName: params.workflowClassName || '' }
  }

  /**
   * Submits the workflow for `debounceKey`, to start `debouncePeriodMs` from now unless called again for the same
   * key first (each call pushes the start back, up to `debounceTimeoutMs` after the first).
   * @returns a handle on the workflow that will run with these arguments (or later ones).
   * @throws DBOSQueueDuplicatedError when the key is held by a workflow that is not this debouncer's
   */
  async debounce(debounceKey: string, debouncePeriodMs: number, ...args: unknown[]): Promise<ClientHandle<unknown>> {
    if (!(typeof debouncePeriodMs === 'number' && debouncePeriodMs > 0 && Number.isFinite(debouncePeriodMs))) {
      throw new DBOSError(`debouncePeriodMs must be positive, not ${String(debouncePeriodMs)}`)
    }
    const { workflowName, workflowClassName, startWorkflowParams: params, serializationType } = this.#config
    rejectConflictingOptions(params)
    const enqueueOptions = params?.enqueueOptions as { applicationVersion?: string; applicationName?: string } | undefined
    const queueName = params?.queueName ?? INTERNAL_QUEUE
    const deduplicationID = `${workflowClassName}.${workflowName}-${debounceKey}`
    // One owner for the whole operation: the debouncer's, else the start options', else the client's.
    const applicationName = this.#config.applicationName ?? enqueueOptions?.applicationName ?? this.client.applicationName
    const { format, input } = await this.#encode(args, serializationType)
    const now = () => currentRuntime().timer.now()
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const result = await this.client.debounceDelayedWorkflow({
        workflowName, workflowClassName, queueName, deduplicationID, delayUntilEpochMS: now() + debouncePeriodMs,
        input, serialization: format, applicationName,
      })
      const action = classify(result, workflowName, workflowClassName, applicationName)
      if (action === 'return') return this.client.retrieveWorkflow(result.bouncedWorkflowID!)
      if (action === 'raise') throw new DBOSQueueDuplicatedError(params?.workflowID ?? '', queueName, deduplicationID)
      if (action === 'retry') continue
      const deadline = this.#config.debounceTimeoutMs ? now() + this.#config.debounceTimeoutMs : undefined
      try {
        const workflowID = await this.client.enqueueDebounced({
          workflowName,
          workflowClassName: workflowClassName || undefined,
          queueName,
          workflowID: params?.workflowID,
          workflowTimeoutMS: params?.timeoutMS ?? undefined,
          appVersion: enqueueOptions?.applicationVersion,
          deduplicationID,
          delaySeconds: debouncePeriodMs / 1000,
          serializationType,
          applicationName,
        }, deadline, args)
        return this.client.retrieveWorkflow(workflowID)
      } catch (e) {
        // Another caller took the key between our bounce and our enqueue: bounce its workflow instead.
        if (!(e instanceof DBOSQueueDuplicatedError)) throw e
      }
    }
    throw new DBOSError(`Debouncing key '${debounceKey}' of workflow ${workflowName} kept racing with other writers; try again`)
  }

  /** The arguments as the client stores them, and their format. */
  async #encode(args: unknown[], serializationType: 'portable' | 'native' | undefined): Promise<{ format: string; input: string }> {
    if (serializationType === 'portable') return { format: PORTABLE, input: await new Serialization().encodeArgs(args, PORTABLE) }
    const serializer = this.client.serializer
    // A serializer without a name is stored as 'custom', as everywhere else.
    return { format: serializer.name?.() ?? 'custom', input: await serializer.stringify(args) }
  }
}

/** What a debounce does after trying to extend the key's workflow. */
function classify(
  result: DebounceResult, workflowName: string, workflowClassName: string, applicationName: string | undefined,
): 'return' | 'enqueue' | 'raise' | 'retry' {
  if (result.bouncedWorkflowID !== null) return 'return'
  if (result.holderWorkflowID === null) return 'enqueue'
  if (!result.holderIsDebounced) return 'raise'
  if (result.holderWorkflowName !== workflowName || (result.holderWorkflowClassName ?? '') !== workflowClassName) return 'raise'
  // A holder owned by another application never leaves DELAYED on ours: retrying would spin.
  const holder = result.holderApplicationName
  if (applicationName !== undefined && holder !== null && holder !== applicationName) return 'raise'
  // The holder is leaving DELAYED right now (its deduplication ID is being cleared): go again.
  return 'retry'
}

/** A debounce owns the deduplication ID (the key) and the delay (the period); these options would fight it. */
function rejectConflictingOptions(params: StartWorkflowParams | undefined): void {
  const options = (params?.enqueueOptions ?? {}) as Record<string, unknown>
  const loose = (params ?? {}) as Record<string, unknown>
  if (options.deduplicationID !== undefined) {
    throw new DBOSError('Cannot debounce a workflow with a deduplicationID set: the debounce key is used as the workflow deduplication ID.')
  }
  if (options.delaySeconds !== undefined) {
    throw new DBOSError('Cannot debounce a workflow with a delay set: the debounce period controls the delay.')
  }
  if (options.priority !== undefined) {
    throw new DBOSError('Cannot debounce a workflow with a priority set: priority is not supported for debounced workflows.')
  }
  if (options.queuePartitionKey !== undefined) {
    throw new DBOSError('Cannot debounce a workflow with a queue partition key set: partition keys are not supported for debounced workflows.')
  }
  if (loose.duplicationPolicy === 'return-existing') {
    throw new DBOSError("Cannot debounce a workflow with duplicationPolicy 'return-existing': a debounce owns the deduplication behavior.")
  }
  if (loose.workflowIDReusePolicy === 'reject') {
    throw new DBOSError("Cannot debounce a workflow with workflowIDReusePolicy 'reject': a debounce owns how its workflow is started.")
  }
}
