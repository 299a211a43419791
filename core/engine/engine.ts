import type { DBOSConfig } from '../config.ts'
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSConflictingWorkflowError,
  DBOSInvalidWorkflowInputError,
  DBOSMaxRecoveryAttemptsExceededError,
  DBOSNonExistentWorkflowError,
  DBOSStepNondeterminismError,
  DBOSUnexpectedStepError,
  DBOSWorkflowCancelledError,
  DBOSWorkflowConflictError,
} from '../errors.ts'
import { Batcher } from '../internal/batcher.ts'
import { isSystemOutage, retryTransient } from '../internal/retry.ts'
import type { ConsoleLogger } from '../logger.ts'
import type { ContextStorage } from '../ports/context.ts'
import type { Runtime } from '../ports/runtime.ts'
import { PORTABLE, type Serialization } from '../serialization/serializer.ts'
import {
  type Checkpoint,
  type CheckpointResult,
  type InsertedWorkflow,
  INTERNAL_QUEUE,
  type NewWorkflow,
  type Outcome,
  type StatusRow,
  type SystemDatabase,
} from '../sysdb/system-database.ts'
import { ShutdownSignal } from './control-flow.ts'
import { LOCAL_RUN, Signals } from './signals.ts'
import type { Tracing } from '../telemetry/tracing.ts'
import type { WorkflowRegistration } from './registry.ts'
import type { Execution, Frame } from './workflow-context.ts'

/** Options of an enqueue (the guide's `enqueueOptions`). */
export interface EnqueueOptions {
  /** At most one active workflow per queue carries this ID; another enqueue with it fails. */
  deduplicationID?: string
  /** 1 (highest) to 2147483647; workflows without one come first. */
  priority?: number
  /** Required on a partitioned queue: limits apply per key. */
  queuePartitionKey?: string
}

/** How a workflow is started (the guide's StartWorkflowParams). */
export interface StartParams {
  workflowID?: string
  queueName?: string
  /** Start-to-completion timeout; for a queued workflow it starts at dequeue. `null` detaches a child from its parent's deadline. */
  timeoutMS?: number | null
  enqueueOptions?: EnqueueOptions
  /** For a ConfiguredInstance method: the instance, stored as config_name so recovery finds it. */
  instance?: { readonly name: string }
}

/** Everything fixed at launch that the engine's parts share. */
export interface EngineSettings {
  readonly runtime: Runtime
  readonly config: DBOSConfig
  /** The system database; everything the engine stores or reads goes through it. */
  readonly sys: SystemDatabase
  readonly executorID: string
  readonly appVersion: string
  readonly appName: string | null
  readonly logger: ConsoleLogger
  readonly serialization: Serialization
  readonly context: ContextStorage<Frame>
  readonly tracing: Tracing
}

const RESULT_POLL_MS = 1000
const TERMINAL = new Set(['SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'])

/**
 * Runs workflows: creates rows, executes them with their owner token, records outcomes, and waits for
 * results. Checkpoints, inserts and outcomes go through group-commit batchers, so each costs one round trip
 * when alone and shares a statement with its neighbours under load.
 */
export class Engine {
  readonly settings: EngineSettings
  readonly #active = new Map<string, { exec: Execution; done: Promise<unknown> }>()
  /** Wake-ups for waiters in this process: runs starting or ending here, and NOTIFY payloads. */
  readonly signals: Signals
  readonly #inserts: Batcher<NewWorkflow, InsertedWorkflow>
  readonly #checkpoints: Batcher<Checkpoint, CheckpointResult>
  readonly #outcomes: Batcher<Outcome, boolean>
  /** Result waiters' status reads: thousands of handles waiting on a backlog share a few statements. */
  readonly #statusReads: Batcher<string, StatusRow | undefined>
  #closed = false
  /** Called after a local enqueue so the dispatcher need not wait for its next poll. */
  onEnqueue: (queueName: string) => void = () => {}
  /** Called when an execution starts here, with its outcome promise (deadline timers hook in here). */
  onLaunch: (exec: Execution, done: Promise<unknown>) => void = () => {}

  constructor(settings: EngineSettings) {
    this.settings = settings
    this.signals = new Signals(settings.runtime.timer)
    const { sys } = settings
    // PGlite runs one statement at a time, so more than one batch in flight only queues.
    const batching = { maxInFlight: sys.kind === 'pglite' ? 1 : 3, maxBatch: 500 }
    // A database that drops a connection or restarts must not fail workflows: these writes are idempotent,
    // so they are retried until it is back (for a while).
    const retry = <T>(fn: () => Promise<T>) => retryTransient(fn, settings.runtime.timer, {
      stopped: () => this.#closed,
      onRetry: (e) => settings.logger.warn(`System database unavailable, retrying: ${(e as Error).message}`),
    })
    this.#inserts = new Batcher((rows) => retry(() => sys.insertWorkflows(rows)), batching)
    this.#checkpoints = new Batcher((items) => retry(() => sys.writeCheckpoints(items)), batching)
    this.#outcomes = new Batcher((items) => retry(() => sys.writeOutcomes(items)), batching)
    this.#statusReads = new Batcher((ids) => retry(() => sys.readStatuses(ids)), { maxInFlight: 1, maxBatch: 1000 })
  }

  get closed(): boolean {
    return this.#closed
  }

  /** Aborted at shutdown: readers outside any workflow (stream routes, waits) stop at once. */
  readonly stopping: AbortController = new AbortController()

  /** Stops every execution at its next operation; their rows stay PENDING for recovery. */
  close(): void {
    this.#closed = true
    this.stopping.abort(new ShutdownSignal())
    for (const { exec } of this.#active.values()) exec.abort.abort(new ShutdownSignal())
  }

  /** IDs of the workflows executing in this process. */
  activeIDs(): string[] {
    return [...this.#active.keys()]
  }

  /**
   * The local side of a cancel made anywhere in this process (DBOS, a client sharing it, the admin API): each
   * cancelled workflow executing here stops at its next operation.
   */
  workflowsCancelled(ids: readonly string[]): void {
    for (const id of ids) this.abortExecution(id, new DBOSWorkflowCancelledError(id))
  }

  /**
   * The local side of a resume or fork: a run of these workflows still going here has lost its ownership and
   * stops at its next operation, and the dispatcher looks at the queue now instead of at its next poll.
   */
  workflowsRequeued(ids: readonly string[], queueName: string): void {
    for (const id of ids) this.abortExecution(id, new DBOSWorkflowConflictError(id))
    this.onEnqueue(queueName)
  }

  /** Stops a local execution at its next operation, e.g. because its workflow was cancelled. */
  abortExecution(workflowID: string, reason: Error): void {
    this.#active.get(workflowID)?.exec.abort.abort(reason)
  }

  /** The in-memory outcome of a local execution, if the workflow runs here. */
  localOutcome(workflowID: string): Promise<unknown> | undefined {
    return this.#active.get(workflowID)?.done
  }

  /** Serializes workflow arguments, turning a serialization failure into a typed input error. */
  async encodeArgs(reg: WorkflowRegistration, args: unknown[], format: string): Promise<string> {
    try {
      return await this.settings.serialization.encodeArgs(args, format)
    } catch (e) {
      throw new DBOSInvalidWorkflowInputError(
        `Arguments of workflow '${reg.name}' cannot be serialized: ${(e as Error).message}`,
        { cause: e },
      )
    }
  }

  /** The row format a new workflow gets. */
  formatFor(reg: WorkflowRegistration): string {
    return reg.serialization === 'portable' ? PORTABLE : this.settings.serialization.appFormat
  }

  /** Builds the row of a new workflow (docs/sysdb.md §3.3). */
  newRow(
    reg: WorkflowRegistration,
    workflowID: string,
    inputs: string,
    format: string,
    params: StartParams,
    parent?: Execution,
  ): NewWorkflow {
    const queued = params.queueName !== undefined
    const timeoutMS = params.timeoutMS ?? null
    // Its own timeout starts now (or at dequeue, for a queued workflow); a child without one inherits its
    // parent's deadline unless it asked for timeoutMS: null (docs/sysdb.md §3.3, §4.1).
    const deadline = timeoutMS !== null
      ? (queued ? null : this.settings.runtime.timer.now() + timeoutMS)
      : params.timeoutMS === null
        ? null
        : (parent?.deadline ?? null)
    return {
      workflowID,
      status: queued ? 'ENQUEUED' : 'PENDING',
      name: reg.name,
      className: reg.className || null,
      configName: params.instance?.name ?? null,
      queueName: params.queueName ?? null,
      executorID: this.settings.executorID,
      applicationVersion: this.settings.appVersion,
      applicationID: this.settings.runtime.env('DBOS__APPID') ?? '',
      recoveryAttempts: queued ? 0 : 1,
      timeoutMS,
      deadlineEpochMS: deadline,
      deduplicationID: params.enqueueOptions?.deduplicationID ?? null,
      priority: params.enqueueOptions?.priority ?? 0,
      queuePartitionKey: params.enqueueOptions?.queuePartitionKey ?? null,
      parentWorkflowID: parent?.workflowID ?? null,
      serialization: format,
      token: crypto.randomUUID(),
      inputs,
      applicationName: this.settings.appName,
      authenticatedUser: '',
      authenticatedRoles: '[]',
    }
  }

  /** Inserts a workflow row from outside any workflow; returns what was stored. */
  insert(row: NewWorkflow): Promise<InsertedWorkflow> {
    return this.#inserts.submit(row)
  }

  /** Checks a returned row against the request; a reused ID must name the same function (docs/sysdb.md §3.3 step 4). */
  checkConflict(row: InsertedWorkflow, requested: NewWorkflow): void {
    if (row.name !== requested.name) {
      throw new DBOSConflictingWorkflowError(
        requested.workflowID,
        `Workflow already exists with a different function name: ${row.name}, but the provided function name is: ${requested.name}`,
      )
    }
    if ((row.class_name ?? '') !== (requested.className ?? '')) {
      throw new DBOSConflictingWorkflowError(requested.workflowID, 'Workflow already exists with a different class name')
    }
    if ((row.config_name ?? '') !== (requested.configName ?? '')) {
      throw new DBOSConflictingWorkflowError(requested.workflowID, 'Workflow already exists with a different class configuration')
    }
    // Recovery and resume put a workflow on the internal queue; starting it again without a queue asks for
    // nothing different, so there is nothing to warn about.
    const recovered = row.queue_name === INTERNAL_QUEUE && requested.queueName === null
    if (row.queue_name !== requested.queueName && !recovered) {
      this.settings.logger.warn(
        `Workflow ${requested.workflowID} already exists on queue ${row.queue_name ?? '(none)'}; the new queue ${requested.queueName ?? '(none)'} is ignored`,
      )
    }
  }

  /** Starts running an execution in the background; the returned promise settles with its outcome. */
  launch(exec: Execution, reg: WorkflowRegistration, args: unknown[], thisArg: unknown = reg.target): Promise<unknown> {
    // After shutdown nothing starts: the row stays PENDING and the next launch recovers it.
    // Past its deadline already (e.g. recovered after downtime): it must not run another step.
    if (exec.deadline !== undefined && exec.deadline <= this.settings.runtime.timer.now()) {
      exec.abort.abort(new DBOSWorkflowCancelledError(exec.workflowID))
    }
    const done = this.#closed ? Promise.reject(new ShutdownSignal().toError()) : this.#execute(exec, reg, args, thisArg)
    // Bookkeeping must not surface as an unhandled rejection: callers observe `done` themselves.
    done.catch(() => {})
    const entry = { exec, done }
    this.#active.set(exec.workflowID, entry)
    this.onLaunch(exec, done)
    // Waiters polling for this workflow's result look again at once: when it starts here (they switch to the
    // in-memory outcome) and when it ends (in case they looked just before it started).
    this.signals.signal(LOCAL_RUN, exec.workflowID)
    void done.finally(() => {
      if (this.#active.get(exec.workflowID) === entry) this.#active.delete(exec.workflowID)
      this.signals.signal(LOCAL_RUN, exec.workflowID)
    }).catch(() => {})
    return done
  }

  async #execute(exec: Execution, reg: WorkflowRegistration, args: unknown[], thisArg: unknown): Promise<unknown> {
    const span = this.settings.tracing.startWorkflow(exec.workflowID, reg.name)
    exec.span = span.span
    try {
      const result = await this.#run(exec, reg, args, thisArg)
      span.end()
      return result
    } catch (e) {
      span.end(e)
      throw e
    }
  }

  async #run(exec: Execution, reg: WorkflowRegistration, args: unknown[], thisArg: unknown): Promise<unknown> {
    const { serialization, context } = this.settings
    let result: unknown
    let failure: unknown
    let failed = false
    // Between consecutive replays: a database that answers the replay's read but fails the next statement at
    // once (too many connections) would otherwise replay the workflow in a tight loop.
    let backoffMs = 100
    for (;;) {
      try {
        result = await context.run({ kind: 'workflow', exec }, () => reg.fn.apply(thisArg, args))
        failed = false
      } catch (e) {
        failed = true
        failure = e
      }
      // The system database went away under the workflow: that is no outcome of the workflow's. Wait for the
      // database, then replay from the top: recorded operations return their results, the rest runs again.
      if (!failed || !isSystemOutage(failure) || this.#closed) break
      try {
        await sleepFor(this.settings.runtime, backoffMs, this.stopping.signal)
      } catch {
        break
      }
      backoffMs = Math.min(backoffMs * 2, 2000)
      await this.#replayAfterOutage(exec)
    }
    // A run cut short by shutdown has no outcome to record, whatever it threw: recovery finishes it.
    if (this.#closed) throw new ShutdownSignal().toError()
    if (failed && this.#isStop(exec, failure)) return await this.#park(exec.workflowID, true)
    let outcome: Outcome
    try {
      outcome = failed
        ? { workflowID: exec.workflowID, token: exec.token, status: 'ERROR', output: null, error: await serialization.encodeError(failure, exec.format) }
        : { workflowID: exec.workflowID, token: exec.token, status: 'SUCCESS', output: await serialization.encode(result, exec.format), error: null }
    } catch (e) {
      // The result cannot be stored: the workflow fails with the serialization error instead.
      failed = true
      failure = new DBOSInvalidWorkflowInputError(`Result of workflow ${exec.workflowID} cannot be serialized: ${(e as Error).message}`, { cause: e })
      outcome = { workflowID: exec.workflowID, token: exec.token, status: 'ERROR', output: null, error: await serialization.encodeError(failure, exec.format) }
    }
    const written = await this.#writeOutcome(outcome)
    if (!written) return await this.#park(exec.workflowID, true)
    if (failed) throw failure
    return result
  }

  /**
   * Writes an outcome however long the system database is away: the batcher retries for a minute, and
   * giving up would leave the workflow PENDING with nobody running it until the next launch recovers it.
   */
  async #writeOutcome(outcome: Outcome): Promise<boolean> {
    for (;;) {
      try {
        return await this.#outcomes.submit(outcome)
      } catch (e) {
        if (!isSystemOutage(e) || this.#closed) throw e
      }
    }
  }

  async #replayAfterOutage(exec: Execution): Promise<void> {
    const { sys, logger, runtime } = this.settings
    logger.warn(`Workflow ${exec.workflowID} lost the system database; replaying it once the database is back`)
    // No deadline: the workflow waits for the database as long as this process runs (shutdown stops it).
    const ops = await retryTransient(() => sys.loadOperations(exec.workflowID), runtime.timer, {
      budgetMs: Number.POSITIVE_INFINITY,
      stopped: () => this.#closed,
    })
    exec.recorded.clear()
    for (const op of ops) exec.recorded.set(Number(op.function_id), op)
    exec.nextID = 0
  }

  /** An error that means "this execution must stop" rather than "the workflow failed". */
  #isStop(exec: Execution, e: unknown): boolean {
    if (e instanceof DBOSWorkflowConflictError && e.workflowID === exec.workflowID) return true
    if (e instanceof DBOSWorkflowCancelledError && e.workflowID === exec.workflowID) return true
    return false
  }

  /**
   * Waits for a workflow's recorded outcome. Used by handles of workflows running elsewhere, and by an
   * execution that lost ownership (it parks: the outcome is somebody else's to write).
   */
  async #park(workflowID: string, own: boolean, watchLocal = false): Promise<unknown> {
    const { serialization } = this.settings
    for (let first = true; ; first = false) {
      if (this.#closed) throw new ShutdownSignal().toError()
      const local = watchLocal ? this.#active.get(workflowID) : undefined
      if (local) return await this.#awaitLocal(local.done, workflowID, !own)
      // Listen before reading, so a start or finish between the read and the wait is not missed.
      const pause = this.signals.wait(LOCAL_RUN, workflowID, RESULT_POLL_MS)
      const row = await this.#statusReads.submit(workflowID).catch((e: unknown) => {
        pause.cancel()
        throw e
      })
      // An ID that was never stored is a caller mistake; one that vanished was deleted under us.
      const missing = !row && (first
        ? `Workflow ${workflowID} does not exist: check the ID, or start the workflow before awaiting its result`
        : `Workflow ${workflowID} does not exist`)
      if (missing || TERMINAL.has(row!.status)) pause.cancel()
      if (missing) throw new DBOSNonExistentWorkflowError(missing)
      if (TERMINAL.has(row!.status)) return await this.#deliver(row!, own, serialization)
      await pause.done
    }
  }

  async #awaitLocal(done: Promise<unknown>, workflowID: string, awaited: boolean): Promise<unknown> {
    try {
      return await done
    } catch (e) {
      if (awaited && e instanceof DBOSWorkflowCancelledError) throw new DBOSAwaitedWorkflowCancelledError(workflowID)
      throw e
    }
  }

  async #deliver(row: StatusRow, own: boolean, serialization: Serialization): Promise<unknown> {
    switch (row.status) {
      case 'SUCCESS':
        return await serialization.decode(row.output, row.serialization)
      case 'ERROR':
        throw await serialization.decodeError(row.error, row.serialization)
      case 'CANCELLED':
        throw own ? new DBOSWorkflowCancelledError(row.workflow_uuid) : new DBOSAwaitedWorkflowCancelledError(row.workflow_uuid)
      default:
        throw own
          ? new DBOSMaxRecoveryAttemptsExceededError(row.workflow_uuid, Number(row.recovery_attempts ?? 0) - 1)
          : new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(row.workflow_uuid)
    }
  }

  /**
   * The result of any workflow: the in-memory outcome when it runs here, else the stored one (polled).
   * @param awaited true when a workflow awaits another one (errors then say "Awaited …").
   */
  async result(workflowID: string, awaited: boolean): Promise<unknown> {
    return await this.#park(workflowID, !awaited, true)
  }

  /** Cross-process NOTIFY for this process's own writes (set at launch on Postgres). */
  notifier: { notify(channel: string, payload: string): void } | undefined

  /** After a write commits: wake local waiters now, and other processes through NOTIFY. */
  published(channel: string, payload: string): void {
    this.signals.signal(channel, payload)
    this.notifier?.notify(channel, payload)
  }

  /**
   * Writes a checkpoint inside the caller's transaction (owner check included); throws on a lost race.
   * @param tx the system database bound to that transaction (`sys.transaction`'s view)
   */
  async checkpointIn(tx: SystemDatabase, exec: Execution, ck: Omit<Checkpoint, 'workflowID' | 'token'>): Promise<void> {
    const [result] = await tx.writeCheckpoints([{ ...ck, workflowID: exec.workflowID, token: exec.token }])
    this.#checkpointFate(exec, ck.functionID, result!)
  }

  /**
   * Checkpoints an operation whose effect is its write in `tx` (a message, an event, a stream value): no
   * output, completed now.
   */
  async checkpointWriteIn(tx: SystemDatabase, exec: Execution, functionID: number, name: string, startedAt: number): Promise<void> {
    await this.checkpointIn(tx, exec, {
      functionID, name, output: null, error: null, childWorkflowID: null,
      startedAt, completedAt: this.settings.runtime.timer.now(), serialization: PORTABLE,
    })
  }

  #checkpointFate(exec: Execution, functionID: number, result: CheckpointResult): void {
    if (result === 'not-owner') {
      exec.abort.abort(new DBOSWorkflowConflictError(exec.workflowID))
      throw new DBOSWorkflowConflictError(exec.workflowID)
    }
    if (result === 'duplicate') throw new DBOSStepNondeterminismError(exec.workflowID, functionID)
  }

  /** Writes one checkpoint and turns its fate into the right error. */
  async checkpoint(exec: Execution, ck: Omit<Checkpoint, 'workflowID' | 'token'>): Promise<void> {
    const result = await this.#checkpoints.submit({ ...ck, workflowID: exec.workflowID, token: exec.token })
    this.#checkpointFate(exec, ck.functionID, result)
  }

  /**
   * Replay lookup for operation `id`: the recorded row if there is one. A different recorded name means the
   * workflow is not deterministic.
   */
  recorded(exec: Execution, id: number, expectedName: string) {
    this.throwIfStopped(exec)
    const op = exec.recorded.get(id)
    if (op && op.function_name !== expectedName) {
      throw new DBOSUnexpectedStepError(exec.workflowID, id, expectedName, op.function_name)
    }
    return op
  }

  /** Throws if the execution was told to stop (shutdown, lost ownership, cancellation). */
  throwIfStopped(exec: Execution): void {
    const signal = exec.abort.signal
    if (!signal.aborted) return
    const reason = signal.reason
    if (reason instanceof ShutdownSignal) throw reason.toError()
    if (reason instanceof Error) throw reason
    throw new DBOSWorkflowCancelledError(exec.workflowID)
  }

  /** A new execution record. */
  execution(
    workflowID: string,
    token: string,
    format: string,
    deadline: number | null | undefined,
    recorded: Execution['recorded'] = new Map(),
  ): Execution {
    return { engine: this, workflowID, token, format, deadline: deadline ?? undefined, nextID: 0, recorded, abort: new AbortController() }
  }
}

/** A plain, non-durable wait on the runtime's timer. */
export function sleepFor(runtime: Runtime, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      cancel()
      reject(signal?.reason)
    }
    const cancel = runtime.timer.schedule(ms, () => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    })
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
