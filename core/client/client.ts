import type { WorkflowStatus } from '../engine/status.ts'
import type { StepInfo } from '../engine/steps-info.ts'
import { Signals } from '../engine/signals.ts'
import { checkStreamRead, nextValue, streamValues, type ReaderContext } from '../engine/streams.ts'
import { checkEventRead, waitForEvent } from '../engine/events.ts'
import { validateClientConfig } from '../config.ts'
import { checkLookupID } from '../internal/input-checks.ts'
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSStreamTimeoutError,
} from '../errors.ts'
import type { Runtime } from '../ports/runtime.ts'
import { currentRuntime } from '../runtime.ts'
import { type DBOSSerializer, PORTABLE, Serialization } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import { openClientDatabase } from '../management/client-database.ts'
import { cancelWorkflows, type CancelWorkflowsOptions, deleteWorkflows, type ForkOptions, forkWorkflow, resumeWorkflows } from '../management/control.ts'
import { getWorkflowStatus, listQueuedWorkflows, listWorkflows, listWorkflowSteps } from '../management/inspect.ts'
import type { GetWorkflowsInput } from '../management/list-input.ts'
import { sendMessage } from '../management/send.ts'
import { enqueueByName } from '../management/enqueue.ts'
import { getLatestApplicationVersion, listApplicationVersions, setLatestApplicationVersion, type VersionInfo } from '../management/application-versions.ts'
import { type SetWorkflowDelayOptions, setWorkflowDelay, setWorkflowPriority } from '../management/queue-place.ts'
import { type RewindOptions, rewindWorkflow } from '../management/rewind.ts'
import { type DebouncedEnqueue, debounceDelayedWorkflow, type DebounceParams, type DebounceResult, enqueueDebounced } from './debounce.ts'
import { foreignTransaction } from './foreign-transaction.ts'
import * as schedules from '../management/schedules.ts'
import * as queues from '../management/queues.ts'
import type { RegisterQueueOptions, WorkflowQueue } from '../queue/workflow-queue.ts'
import type { RenamedRows, RenameOptions } from '../sysdb/system-database.ts'
import { DBOSError } from '../errors.ts'

/** Options of `DBOSClient.create`. */
export interface DBOSClientConfig {
  systemDatabaseUrl: string
  systemDatabaseSchemaName?: string
  systemDatabasePoolSize?: number
  /** A caller-supplied postgres.js instance. */
  systemDatabasePool?: unknown
  serializer?: DBOSSerializer
  /** Rows this client writes belong to this application (docs/sysdb.md §3.1). */
  applicationName?: string
}

/** What to enqueue, named explicitly since the client does not run the application's code. */
export interface ClientEnqueueOptions {
  workflowName: string
  queueName: string
  workflowClassName?: string
  workflowConfigName?: string
  workflowID?: string
  /** Only executors of this application version run it; any version when unset. */
  appVersion?: string
  workflowTimeoutMS?: number
  deduplicationID?: string
  priority?: number
  queuePartitionKey?: string
  /** 'portable' stores the arguments as portable_json, readable by workflows in any language. */
  serializationType?: 'portable' | 'native'
}

/** A client-side handle: results are polled, as a client has no executor to wake it. */
export interface ClientHandle<R> {
  readonly workflowID: string
  getStatus(): Promise<WorkflowStatus | null>
  getResult(): Promise<R>
}

const POLL_MS = 1000

/**
 * Drives a Perdure or DBOS application from outside it, with only a connection to its system database:
 * enqueue workflows, message them, read their results, events and streams, and manage them. It never
 * migrates, listens or notifies (docs/sysdb.md §8); every wait polls.
 * @example
 * const client = await DBOSClient.create({ systemDatabaseUrl: databaseUrl })
 * const handle = await client.enqueue({ workflowName: 'dataPipeline', queueName: 'pipelineQueue' }, task)
 * console.log(await handle.getResult())
 * await client.destroy()
 */
export class DBOSClient {
  readonly #sys: SystemDatabase
  readonly #serialization: Serialization
  readonly #runtime: Runtime
  readonly #reader: ReaderContext
  /** False when sharing the embedded database of a launch in this process: that launch closes it. */
  readonly #ownsDatabase: boolean

  private constructor(sys: SystemDatabase, ownsDatabase: boolean, serialization: Serialization, runtime: Runtime) {
    this.#sys = sys
    this.#ownsDatabase = ownsDatabase
    this.#serialization = serialization
    this.#runtime = runtime
    // Never signalled: a client's waits are plain polling intervals.
    this.#reader = { sys, serialization, signals: new Signals(runtime.timer) }
  }

  /**
   * Connects to a system database (created by an executor; a client never migrates). On an embedded database
   * that DBOS launched in this process (memory:// or file:), the client shares the launch's connection.
   */
  static async create(config: DBOSClientConfig): Promise<DBOSClient> {
    validateClientConfig(config)
    const runtime = currentRuntime()
    const { sys, owned } = await openClientDatabase(runtime, {
      url: config.systemDatabaseUrl,
      schemaName: config.systemDatabaseSchemaName ?? 'dbos',
      appName: config.applicationName ?? null,
      poolSize: config.systemDatabasePoolSize ?? 4,
      pool: config.systemDatabasePool,
    })
    return new DBOSClient(sys, owned, new Serialization(config.serializer), runtime)
  }

  /** Closes the connections (a shared embedded database stays open for its launch). */
  async destroy(): Promise<void> {
    if (this.#ownsDatabase) await this.#sys.close()
  }

  /** Enqueues a workflow by name; returns a handle on it. */
  async enqueue<T extends (...args: never[]) => unknown = (...args: unknown[]) => unknown>(
    options: ClientEnqueueOptions,
    ...args: Parameters<T>
  ): Promise<ClientHandle<Awaited<ReturnType<T>>>> {
    const format = options.serializationType === 'portable' ? PORTABLE : this.#serialization.appFormat
    return await this.#enqueue(options, format, () => this.#serialization.encodeArgs(args as unknown[], format))
  }

  /**
   * Enqueues a workflow with `portable_json` arguments, which a workflow written in any DBOS language can read.
   * Perdure writes positional arguments only: non-empty `namedArgs` are refused rather than dropped.
   */
  async enqueuePortable<R = unknown>(
    options: Omit<ClientEnqueueOptions, 'serializationType'>,
    positionalArgs: unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<ClientHandle<R>> {
    if (namedArgs && Object.keys(namedArgs).length > 0) {
      throw new TypeError('enqueuePortable: named arguments are not supported; pass every argument positionally')
    }
    return await this.#enqueue(options, PORTABLE, () => this.#serialization.encodeArgs(positionalArgs, PORTABLE))
  }

  /** Through `sys`: the pool, or a caller's transaction (the outbox). */
  async #enqueue<R>(
    options: ClientEnqueueOptions, format: string, encode: () => Promise<string>, sys = this.#sys,
  ): Promise<ClientHandle<R>> {
    return this.retrieveWorkflow<R>(await enqueueByName(sys, options, format, encode))
  }

  /** Sends a message; with an idempotency key, sending twice delivers once. */
  async send<T>(destinationID: string, message: T, topic?: string, idempotencyKey?: string): Promise<void> {
    // An outage is not marked as the system database's: a client used inside a step is the step's own
    // dependency, and its outage is the step's failure (retried by the step's policy), not the executor's.
    await sendMessage(this.#sys, this.#serialization, { destinationID, message, topic, idempotencyKey })
  }

  /** Waits for an event of a workflow; null after the timeout (default 60 s). */
  async getEvent<T>(workflowID: string, key: string, timeoutSeconds = 60): Promise<T | null> {
    checkEventRead(workflowID, key, timeoutSeconds)
    const now = () => this.#runtime.timer.now()
    const row = await waitForEvent(this.#reader, workflowID, key, now() + timeoutSeconds * 1000, undefined, now)
    return row ? ((await this.#serialization.decode(row.value, row.serialization)) as T) : null
  }

  /** A handle on a workflow by ID. */
  retrieveWorkflow<R = unknown>(workflowID: string): ClientHandle<R> {
    checkLookupID('workflowID', workflowID)
    return {
      workflowID,
      getStatus: async () => (await this.getWorkflow(workflowID)) ?? null,
      getResult: () => this.#result<R>(workflowID),
    }
  }

  /** A workflow's status, or undefined if there is no such workflow. */
  async getWorkflow(workflowID: string): Promise<WorkflowStatus | undefined> {
    return await getWorkflowStatus(this.#sys, this.#serialization, workflowID)
  }

  async #result<R>(workflowID: string): Promise<R> {
    for (;;) {
      const row = await this.#sys.readStatus(workflowID)
      switch (row?.status) {
        case 'SUCCESS':
          return (await this.#serialization.decode(row.output, row.serialization)) as R
        case 'ERROR':
          throw await this.#serialization.decodeError(row.error, row.serialization)
        case 'CANCELLED':
          throw new DBOSAwaitedWorkflowCancelledError(workflowID)
        case 'MAX_RECOVERY_ATTEMPTS_EXCEEDED':
          throw new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(workflowID)
      }
      // No row yet is not an error here: an executor or another client may not have written it.
      await this.#pause()
    }
  }

  /** Workflows matching the filters (the guide's GetWorkflowsInput). */
  async listWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return await listWorkflows(this.#sys, this.#serialization, input)
  }

  /** Workflows currently on a queue. */
  async listQueuedWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return await listQueuedWorkflows(this.#sys, this.#serialization, input)
  }

  /** A workflow's recorded steps; undefined if it does not exist. */
  async listWorkflowSteps(workflowID: string): Promise<StepInfo[] | undefined> {
    return await listWorkflowSteps(this.#sys, this.#serialization, workflowID)
  }

  /** Cancels a workflow (with `cancelChildren`, its descendants too). */
  async cancelWorkflow(workflowID: string, options?: CancelWorkflowsOptions): Promise<void> {
    await cancelWorkflows(this.#sys, { workflowID }, undefined, options)
  }

  /** Cancels workflows (with `cancelChildren`, their descendants too). */
  async cancelWorkflows(workflowIDs: string[], options?: CancelWorkflowsOptions): Promise<void> {
    await cancelWorkflows(this.#sys, { workflowIDs }, undefined, options)
  }

  /** Resumes a workflow from its last recorded step. */
  async resumeWorkflow<R = unknown>(workflowID: string): Promise<ClientHandle<R>> {
    await resumeWorkflows(this.#sys, { workflowID })
    return this.retrieveWorkflow<R>(workflowID)
  }

  /** Resumes workflows from their last recorded steps. */
  async resumeWorkflows<R = unknown>(workflowIDs: string[]): Promise<ClientHandle<R>[]> {
    const ids = await resumeWorkflows(this.#sys, { workflowIDs })
    return ids.map((id) => this.retrieveWorkflow<R>(id))
  }

  /** Forks a workflow from a step (see DBOS.forkWorkflow); returns the new workflow's ID, as DBOS's client does. */
  async forkWorkflow(workflowID: string, startStep: number, options: ForkOptions = {}): Promise<string> {
    return await forkWorkflow(this.#sys, workflowID, startStep, options)
  }

  /** Deletes a workflow's status, inputs, outputs, steps, messages, events and streams; its children too if asked. */
  async deleteWorkflow(workflowID: string, deleteChildren = false): Promise<void> {
    await deleteWorkflows(this.#sys, { workflowID }, deleteChildren)
  }

  /** Deletes workflows (see deleteWorkflow). */
  async deleteWorkflows(workflowIDs: string[], deleteChildren = false): Promise<void> {
    await deleteWorkflows(this.#sys, { workflowIDs }, deleteChildren)
  }

  /** Waits until one of the workflows finishes, whatever its outcome; returns its handle. */
  async waitFirst<H extends { readonly workflowID: string }>(handles: H[]): Promise<H> {
    if (handles.length === 0) throw new TypeError('waitFirst needs at least one handle')
    const ids = handles.map((h) => h.workflowID)
    if (new Set(ids).size !== ids.length) throw new TypeError('waitFirst was given the same workflow ID twice')
    for (;;) {
      const [first] = await this.#sys.finishedAmong(ids)
      if (first !== undefined) return handles.find((h) => h.workflowID === first)!
      await this.#pause()
    }
  }

  /** Waits until all the workflows finish, whatever their outcomes; returns the handles. */
  async waitAll<H extends { readonly workflowID: string }>(handles: H[]): Promise<H[]> {
    const pending = new Set(handles.map((h) => h.workflowID))
    while (pending.size > 0) {
      for (const id of await this.#sys.finishedAmong([...pending])) pending.delete(id)
      if (pending.size > 0) await this.#pause()
    }
    return handles
  }

  /** Reads a workflow's stream from `offset` (default 0) until it is closed or the workflow ends. */
  async *readStream<T>(workflowID: string, key: string, options: { offset?: number } = {}): AsyncGenerator<T, void, unknown> {
    checkStreamRead(workflowID, key, options.offset ?? 0)
    yield* streamValues<T>(this.#reader, workflowID, key, options.offset ?? 0)
  }

  /**
   * Reads the one value at `offset` of a workflow's stream, waiting for it to be written.
   * @throws DBOSStreamTimeoutError if the stream ends before that offset.
   */
  async readStreamOffset<T>(workflowID: string, key: string, offset: number): Promise<T> {
    checkStreamRead(workflowID, key, offset)
    const next = await nextValue(this.#reader, workflowID, key, offset, undefined)
    if (next.done) throw new DBOSStreamTimeoutError(workflowID, key)
    return next.value as T
  }

  #pause(): Promise<void> {
    return new Promise<void>((r) => this.#runtime.timer.schedule(POLL_MS, r))
  }

  // Transactional outbox, debouncing, rewind, queue places and application versions (DBOS 5.3)

  /** The application this client acts for; undefined when it writes unclaimed rows. */
  get applicationName(): string | undefined {
    return this.#sys.appName ?? undefined
  }

  /** Encodes and decodes values as this client stores them (its configured serializer, or the default format). */
  get serializer(): DBOSSerializer {
    const s = this.#serialization
    return { name: () => s.appFormat, stringify: (value) => s.encode(value), parse: (text) => s.decode(text, s.appFormat) }
  }

  /**
   * Enqueues a workflow inside a transaction the caller owns, so it commits or rolls back with the caller's own
   * writes: `transaction` is the `sql` of postgres.js's `sql.begin(sql => ...)` (or Bun.SQL's), or a node-postgres
   * client after BEGIN, on this client's system database. The workflow exists, and the handle resolves, only once
   * the caller commits.
   */
  async enqueueInTransaction<T extends (...args: never[]) => unknown = (...args: unknown[]) => unknown>(
    transaction: unknown,
    options: ClientEnqueueOptions,
    ...args: Parameters<T>
  ): Promise<ClientHandle<Awaited<ReturnType<T>>>> {
    const sys = this.#sys.within(foreignTransaction(transaction, 'enqueueInTransaction'))
    const format = options.serializationType === 'portable' ? PORTABLE : this.#serialization.appFormat
    return await this.#enqueue(options, format, () => this.#serialization.encodeArgs(args as unknown[], format), sys)
  }

  /** enqueuePortable inside a caller's transaction (see enqueueInTransaction). */
  async enqueuePortableInTransaction<R = unknown>(
    transaction: unknown,
    options: Omit<ClientEnqueueOptions, 'serializationType'>,
    positionalArgs: unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<ClientHandle<R>> {
    if (namedArgs && Object.keys(namedArgs).length > 0) {
      throw new TypeError('enqueuePortableInTransaction: named arguments are not supported; pass every argument positionally')
    }
    const sys = this.#sys.within(foreignTransaction(transaction, 'enqueuePortableInTransaction'))
    return await this.#enqueue(options, PORTABLE, () => this.#serialization.encodeArgs(positionalArgs, PORTABLE), sys)
  }

  /**
   * Sends a message inside a transaction the caller owns (see enqueueInTransaction): the destination receives it
   * only once the caller commits. A missing destination fails the statement, which aborts the caller's transaction.
   */
  async sendInTransaction<T>(
    transaction: unknown, destinationID: string, message: T, topic?: string, idempotencyKey?: string,
    options: { serializationType?: 'portable' | 'native' } = {},
  ): Promise<void> {
    const sys = this.#sys.within(foreignTransaction(transaction, 'sendInTransaction'))
    await sendMessage(sys, this.#serialization, { destinationID, message, topic, idempotencyKey, serializationType: options.serializationType })
  }

  /** Enqueues a fresh debounced workflow (for a debouncer driven through this client); returns its ID. */
  async enqueueDebounced(
    options: DebouncedEnqueue & { serializationType?: 'portable' | 'native' }, debounceDeadlineEpochMS: number | undefined, args: unknown[],
  ): Promise<string> {
    const format = options.serializationType === 'portable' ? PORTABLE : this.#serialization.appFormat
    const encode = () => this.#serialization.encodeArgs(args, format)
    return await enqueueDebounced(this.#sys, options, debounceDeadlineEpochMS, format, encode, this.#runtime.timer.now())
  }

  /** Extends the debounced DELAYED workflow holding a key, or reports who holds it (for a debouncer). */
  async debounceDelayedWorkflow(params: DebounceParams): Promise<DebounceResult> {
    return await debounceDelayedWorkflow(this.#sys, params)
  }

  /**
   * Rewinds a finished workflow: its history from `startStep` (default 0) on is dropped and it runs again from
   * there, under its own ID, on `queueName` (default the internal queue). Cancel a running workflow first.
   */
  async rewindWorkflow<R = unknown>(workflowID: string, options: RewindOptions = {}): Promise<ClientHandle<R>> {
    await rewindWorkflow(this.#sys, workflowID, options)
    return this.retrieveWorkflow<R>(workflowID)
  }

  /** Sets the priority of a workflow still waiting on its queue (0 runs first). */
  async setWorkflowPriority(workflowID: string, priority: number): Promise<void> {
    await setWorkflowPriority(this.#sys, workflowID, priority)
  }

  /** Moves the end of a DELAYED workflow's delay: seconds from now, or `{ delaySeconds }` / `{ delayUntilEpochMS }`. */
  async setWorkflowDelay(workflowID: string, options: number | SetWorkflowDelayOptions): Promise<void> {
    await setWorkflowDelay(this.#sys, workflowID, options, this.#runtime.timer.now())
  }

  /** The application versions this client's application sees, latest first. */
  async listApplicationVersions(): Promise<VersionInfo[]> {
    return await listApplicationVersions(this.#sys)
  }

  /** The latest application version; DBOSInitializationError when none is registered. */
  async getLatestApplicationVersion(): Promise<VersionInfo> {
    return await getLatestApplicationVersion(this.#sys)
  }

  /** Makes a version the latest, acting for `applicationName` (default: this client's application). */
  async setLatestApplicationVersion(versionName: string, options: { applicationName?: string } = {}): Promise<void> {
    await setLatestApplicationVersion(this.#sys, versionName, options)
  }

  // Schedules (DBOS 5.3): the same operations as DBOS's, acting for `applicationName` or this client's application.

  /** Runs a client's schedule operations: its runs get any version when their owner has registered none. */
  get #scheduleHost(): schedules.ScheduleHost {
    return {
      sys: this.#sys, serialization: this.#serialization, now: () => this.#runtime.timer.now(), fallbackVersion: null, applicationID: '',
    }
  }

  /**
   * Stores an active schedule of the workflow named `workflowName`, owned by `applicationName` (default: the
   * client's; with neither, every application on the database runs it).
   */
  async createSchedule(options: {
    scheduleName: string
    workflowName: string
    workflowClassName?: string
    schedule: string
    context?: unknown
    options?: schedules.ScheduleOptions
    applicationName?: string
  }): Promise<void> {
    const { options: extra, applicationName, ...rest } = options ?? ({} as Partial<typeof options>)
    await schedules.createSchedule(this.#scheduleHost, {
      ...rest, ...schedules.scheduleOptions(extra), applicationName: applicationName ?? this.#sys.appName,
    } as schedules.ScheduleDefinition)
  }

  /** Schedules by name; without `applicationName`, the client's application's and the unclaimed ones. */
  async listSchedules(filters?: schedules.ScheduleListFilters): Promise<schedules.WorkflowSchedule[]> {
    return await schedules.listSchedules(this.#scheduleHost, filters)
  }

  /** The schedule of that name, or null. */
  async getSchedule(name: string): Promise<schedules.WorkflowSchedule | null> {
    return await schedules.getSchedule(this.#scheduleHost, name)
  }

  /** Deletes a schedule; an unknown name is no error. */
  async deleteSchedule(name: string): Promise<void> {
    await schedules.deleteSchedule(this.#scheduleHost, name)
  }

  /** Stops a schedule firing until resumed; an unknown name is no error. */
  async pauseSchedule(name: string): Promise<void> {
    await schedules.setScheduleStatus(this.#scheduleHost, name, 'PAUSED')
  }

  /** Lets a paused schedule fire again; an unknown name is no error. */
  async resumeSchedule(name: string): Promise<void> {
    await schedules.setScheduleStatus(this.#scheduleHost, name, 'ACTIVE')
  }

  /** Changes the given fields of a schedule; DBOSError for an unknown name. */
  async updateSchedule(name: string, updates: schedules.ScheduleChanges): Promise<void> {
    await schedules.updateSchedule(this.#scheduleHost, name, updates)
  }

  /** Creates or redefines these schedules at once; an existing one keeps its status and last fired slot. */
  async applySchedules(list: Array<{
    scheduleName: string
    workflowName: string
    workflowClassName?: string
    schedule: string
    context?: unknown
    automaticBackfill?: boolean
    cronTimezone?: string
    queueName?: string
    applicationName?: string
  }>): Promise<void> {
    if (!Array.isArray(list)) throw new TypeError('applySchedules takes an array of schedules')
    await schedules.applySchedules(this.#scheduleHost, list.map(({ applicationName, ...rest }) => ({
      ...rest, applicationName: applicationName ?? this.#sys.appName,
    })))
  }

  /** Runs a schedule's workflow now, with the current time as its slot; DBOSError for an unknown name. */
  async triggerSchedule(name: string): Promise<ClientHandle<unknown>> {
    return this.retrieveWorkflow(await schedules.triggerSchedule(this.#scheduleHost, name))
  }

  /** Enqueues every slot of a schedule in [start, end) that has not run yet; a handle per slot. */
  async backfillSchedule(name: string, start: Date, end: Date): Promise<ClientHandle<unknown>[]> {
    const ids = await schedules.backfillSchedule(this.#scheduleHost, name, start, end)
    return ids.map((id) => this.retrieveWorkflow(id))
  }

  // Queues at run time and application renames (DBOS 5.3)

  /**
   * Stores a queue's limits in the `queues` table (every executor of its application dispatches it within a
   * second) and returns it; its setters write through this client. `onConflict` defaults to 'always_update': a
   * client has no application version to be the latest of. `applicationName` owns the queue (default: the
   * client's application).
   * @throws DBOSConflictingRegistrationError when another application owns the name
   */
  async registerQueue(name: string, options: RegisterQueueOptions & { applicationName?: string } = {}): Promise<WorkflowQueue> {
    const { onConflict = 'always_update', applicationName, ...limits } = options
    if (onConflict === 'update_if_latest_version') {
      throw new DBOSError(
        "DBOSClient.registerQueue does not support onConflict: 'update_if_latest_version': a client has no application " +
          "version. Use 'always_update' or 'never_update'.",
      )
    }
    if (onConflict !== 'always_update' && onConflict !== 'never_update') {
      throw new DBOSError(`DBOSClient.registerQueue: unknown onConflict ${JSON.stringify(onConflict)}`)
    }
    const sys = applicationName === undefined ? this.#sys : this.#sys.forApplication(applicationName)
    return await queues.registerQueue(sys, name, limits, onConflict === 'always_update', this.#runtime.timer.now(), true)
  }

  /** The stored queue of that name, whichever application owns it; null when there is none. */
  async retrieveQueue(name: string): Promise<WorkflowQueue | null> {
    return await queues.retrieveQueue(this.#sys, name, true)
  }

  /** Deletes a stored queue; its waiting workflows are not dispatched until it is registered again. */
  async deleteQueue(name: string): Promise<void> {
    await queues.deleteQueue(this.#sys, name)
  }

  /** The stored queues of these applications (default: the client's) and the unclaimed ones. */
  async listQueues(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    return await queues.listQueues(this.#sys, applicationName, true)
  }

  /**
   * Gives application `newName` the rows `oldName` owns, the unclaimed ones (`adoptUnclaimedRows`), or both;
   * returns how many rows moved, by table. Stop the application being renamed first.
   */
  async renameApplication(oldName: string | undefined, newName: string, options: RenameOptions = {}): Promise<RenamedRows> {
    return await this.#sys.renameApplication(oldName, newName, options)
  }
}
