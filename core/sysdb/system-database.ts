import type { QueueLimits } from '../queue/workflow-queue.ts'
import type { DatabasePort, IsolationLevel, Queryable, Subscription } from '../ports/database.ts'
import type { TimerPort } from '../ports/timer.ts'
import { DEFAULT_RENAME_BATCH_SIZE, renameApplication, type RenamedRows, type RenameOptions } from './application-rename.ts'
import { latestVersion, latestVersionRow, listVersions, pendingOfOtherVersions, promoteVersion, registerVersion, type VersionRow } from './application-versions.ts'
import { cancelExpired } from './deadlines.ts'
import { bounceDebounced, type DebounceTarget, type DedupHolder, insertDebounced, readDedupHolder } from './debounce.ts'
import { listWorkflowRows, type WorkflowFilters } from './list-workflows.ts'
import { cancelWorkflows, deleteWorkflows, type ForkRequest, forkWorkflow, resumeWorkflows } from './management.ts'
import { appendStream, insertMessage, NULL_TOPIC, readEvent, readStreamAt, type ReceiveAttempt, receiveMessage, type StreamRead, upsertEvent } from './messages.ts'
import { readStreamRange, type StreamRange } from './messages.ts'
export type { StreamRange }
import { migrate } from './migrations.ts'
import { type Checkpoint, type CheckpointResult, checkOwner, loadOperations, type RecordedOperation, writeCheckpoints } from './operation-outputs.ts'
import { type ClaimedRow, type Claimer, claim, limitsOfRow, partitionKeys, promoteDelayed, publishQueues, queueExists, type QueueRow, readQueueRows } from './queues.ts'
import { deleteQueue, listQueueRows, type QueueChanges, readQueue, updateQueue } from './queues.ts'
import { activeCreatedBy, garbageCollect } from './retention.ts'
import { dropSchema, grantScript, grantStatements, migrationScript, quoteRole } from './schema-admin.ts'
import { hasSystemTables, quoteSchema } from './schema.ts'
import { advanceLastFired, insertScheduledWorkflow, type PublishedSchedule, publishSchedules, readSchedules, type ScheduledWorkflow, type ScheduleRow } from './schedules.ts'
import {
  applySchedules, deleteSchedule, insertSchedule, listSchedules, readSchedule, type ScheduleFilters, type ScheduleUpdate,
  setScheduleStatus, updateSchedule,
} from './schedules.ts'
export type { ScheduleFilters, ScheduleUpdate }
import { INTERNAL_QUEUE, type Transactional } from './sql.ts'
import { type RewindRequest, rewindWorkflow } from './rewind.ts'
import { setDelay, setPriority } from './workflow-setters.ts'
import { countFinishedPerMinute, countQueueStatuses, type FinishedInMinute, type QueueStatusCount } from './queue-activity.ts'
import { type EventRow, listEvents, listMessages, listStreamSummaries, type MessageRow, type StreamSummary } from './workflow-activity.ts'
export type { EventRow, FinishedInMinute, MessageRow, QueueStatusCount, StreamSummary }
import { childIDs, type ExtraColumns, readExtraColumns, readStepRows, type StepRow } from './workflow-details.ts'
import {
  cancelledAmong,
  deadLetter,
  finishedAmong,
  type InsertedWorkflow,
  insertWorkflows,
  type NewWorkflow,
  type Outcome,
  readStatus,
  readStatuses,
  recoverPending,
  type StatusRow,
  writeOutcomes,
} from './workflow-status.ts'

/** Constants and row helpers callers outside sysdb need, so they import nothing but this module. */
export { DEFAULT_RENAME_BATCH_SIZE, INTERNAL_QUEUE, limitsOfRow, NULL_TOPIC }

export type {
  Checkpoint, CheckpointResult, ClaimedRow, Claimer, DebounceTarget, DedupHolder, ExtraColumns, ForkRequest,
  InsertedWorkflow, NewWorkflow, Outcome, PublishedSchedule, QueueRow, ReceiveAttempt, RecordedOperation,
  RenamedRows, RenameOptions, ScheduledWorkflow, ScheduleRow, StatusRow, StepRow, StreamRead, WorkflowFilters,
}
export type { RewindRequest, VersionRow }

/**
 * The system database of one application: a database port bound once to a schema and an application name.
 * It is the only holder of SQL in Perdure; the engine, `DBOS`, `DBOSClient`, the admin server and every other
 * entry point go through its methods, and the table-level modules beside it stay small files underneath it.
 *
 * The application name scopes what docs/sysdb.md scopes by it (listings, recovery, queues, schedules, versions);
 * reads by workflow ID are unscoped.
 */
export class SystemDatabase {
  /** The quoted schema name: never leaves this class. */
  readonly #s: string
  readonly #q: Transactional
  /** The pool: undefined on a view bound to a transaction. */
  readonly #port: DatabasePort | undefined
  readonly schemaName: string
  readonly appName: string | null
  /** Which engine is behind it; PGlite runs one statement at a time, so callers size batches by it. */
  readonly kind: 'postgres' | 'pglite'

  private constructor(q: Transactional, port: DatabasePort | undefined, schemaName: string, appName: string | null, kind: 'postgres' | 'pglite') {
    this.#s = quoteSchema(schemaName)
    this.#q = q
    this.#port = port
    this.schemaName = schemaName
    this.appName = appName
    this.kind = kind
  }

  /**
   * The system database in `schemaName` (unquoted; a name that is not a plain identifier throws a
   * TypeError) of the database behind `db`, for application `appName` (null: no name).
   */
  static on(db: DatabasePort, schemaName: string, appName: string | null): SystemDatabase {
    return new SystemDatabase(db, db, schemaName, appName, db.kind)
  }

  /**
   * The same system database seen through a transaction (its own, or one a caller of `DBOSClient` owns): every
   * method runs inside it, and a method that groups statements joins it instead of opening its own.
   */
  within(tx: Queryable): SystemDatabase {
    let savepoints = 0
    const joined: Transactional = {
      query: (text, params) => tx.query(text, params),
      // A group of statements the modules run as one must still undo itself on a throw: a savepoint does.
      transaction: async (fn, isolation) => {
        if (isolation !== undefined) {
          throw new Error(`Cannot run at isolation level '${isolation}' inside a transaction already open`)
        }
        const name = `perdure_group_${++savepoints}`
        await tx.query(`SAVEPOINT ${name}`)
        let result
        try {
          result = await fn(tx)
        } catch (e) {
          await tx.query(`ROLLBACK TO SAVEPOINT ${name}`)
          throw e
        }
        await tx.query(`RELEASE SAVEPOINT ${name}`)
        return result
      },
    }
    return new SystemDatabase(joined, undefined, this.schemaName, this.appName, this.kind)
  }

  /** The names as an array for SCOPE parameters, or undefined for a process without a name. */
  get #names(): string[] | undefined {
    return this.appName ? [this.appName] : undefined
  }

  // --- connection -----------------------------------------------------------------------------------------

  /**
   * Runs fn in one transaction with a view of this system database bound to it; on a view already inside a
   * transaction, fn runs in a savepoint of it (a throw undoes fn's writes only), and `isolation` is refused.
   */
  async transaction<T>(fn: (tx: SystemDatabase) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    return await this.#q.transaction((tx) => fn(this.#port ? this.within(tx) : this), isolation)
  }

  /** LISTEN on a channel; resolves once the subscription is live. */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<Subscription> {
    return await this.#pool().listen(channel, onPayload)
  }

  /** NOTIFY each payload on a channel, in one statement. */
  async notify(channel: string, payloads: readonly string[]): Promise<void> {
    await this.#q.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [channel, payloads])
  }

  /** Closes the pool. */
  async close(): Promise<void> {
    await this.#pool().close()
  }

  #pool(): DatabasePort {
    if (!this.#port) throw new Error('This operation is not available inside a transaction')
    return this.#port
  }

  // --- schema and versions --------------------------------------------------------------------------------

  /** Brings the schema to version 123 (see migrations.ts); its lock waits follow the runtime's timer. */
  async migrate(timer: TimerPort): Promise<void> {
    await migrate(this.#pool(), this.schemaName, this.#s, timer)
  }

  /** Whether the schema holds the system tables (a client never migrates, so it checks first). */
  async hasTables(): Promise<boolean> {
    return await hasSystemTables(this.#q, this.schemaName)
  }

  /**
   * The SQL that creates schema `schemaName` from nothing (`from` 'all' or 1), or applies the shared migrations
   * from `from` on, as a script for psql. Never touches a database.
   */
  static migrationScript(schemaName: string, from: 'all' | number): string {
    return migrationScript(quoteSchema(schemaName), from)
  }

  /** The SQL granting role `role` the use of schema `schemaName`, as a script. Never touches a database. */
  static grantScript(schemaName: string, role: string): string {
    return grantScript(quoteSchema(schemaName), quoteRole(role))
  }

  /** Grants role `role` the use of the system schema, objects created later included. */
  async grantAccess(role: string): Promise<void> {
    const quoted = quoteRole(role)
    await this.transaction(async (tx) => {
      for (const statement of grantStatements(this.#s, quoted)) await tx.#q.query(statement)
    })
  }

  /**
   * Drops the system schema and everything in it. Only the schema: the database may hold an application's own
   * tables beside it.
   */
  async dropSchema(): Promise<void> {
    await dropSchema(this.#q, this.#s)
  }

  /**
   * Gives application `to` the rows `from` owns, the unclaimed ones (`adoptUnclaimedRows`), or both, in every
   * table scoped by application name; returns how many rows moved, by table. Stop the renamed application first.
   */
  async renameApplication(from: string | undefined, to: string, o: RenameOptions = {}): Promise<RenamedRows> {
    return await renameApplication(this.#q, this.#s, from, to, o)
  }

  /** Registers an application version; tells whether it is the latest. */
  async registerVersion(version: string): Promise<{ isLatest: boolean; latest: string }> {
    return await registerVersion(this.#q, this.#s, version, this.appName)
  }

  async latestVersion(): Promise<string | undefined> {
    return await latestVersion(this.#q, this.#s, this.appName)
  }

  async pendingOfOtherVersions(version: string): Promise<{ version: string | null; count: number }[]> {
    return await pendingOfOtherVersions(this.#q, this.#s, version, this.appName)
  }

  // --- workflow rows --------------------------------------------------------------------------------------

  async insertWorkflows(rows: readonly NewWorkflow[]): Promise<InsertedWorkflow[]> {
    return await insertWorkflows(this.#q, this.#s, rows)
  }

  async writeOutcomes(items: readonly Outcome[]): Promise<boolean[]> {
    return await writeOutcomes(this.#q, this.#s, items)
  }

  async readStatus(workflowID: string): Promise<StatusRow | undefined> {
    return await readStatus(this.#q, this.#s, workflowID)
  }

  async readStatuses(ids: readonly string[]): Promise<(StatusRow | undefined)[]> {
    return await readStatuses(this.#q, this.#s, ids)
  }

  async listWorkflows(filters: WorkflowFilters): Promise<StatusRow[]> {
    return await listWorkflowRows(this.#q, this.#s, filters, this.appName)
  }

  /** Re-enqueues this executor's PENDING workflows of `version` (recovery). */
  async recoverPending(executorID: string, version: string): Promise<string[]> {
    return await recoverPending(this.#q, this.#s, executorID, version, this.#names)
  }

  async deadLetter(workflowID: string, attempts: number): Promise<void> {
    await deadLetter(this.#q, this.#s, workflowID, attempts)
  }

  async finishedAmong(ids: readonly string[]): Promise<string[]> {
    return await finishedAmong(this.#q, this.#s, ids)
  }

  async cancelledAmong(ids: readonly string[]): Promise<string[]> {
    return await cancelledAmong(this.#q, this.#s, ids)
  }

  /** Cancels workflows past their deadline (only `workflowID` when given), at most `batch`. */
  async cancelExpired(now: number, workflowID: string | undefined, batch: number): Promise<string[]> {
    return await cancelExpired(this.#q, this.#s, now, this.appName, workflowID, batch)
  }

  async readExtraColumns(ids: readonly string[]): Promise<Map<string, ExtraColumns>> {
    return await readExtraColumns(this.#q, this.#s, ids)
  }

  async childIDs(parentID: string): Promise<string[]> {
    return await childIDs(this.#q, this.#s, parentID)
  }

  async readStepRows(workflowID: string): Promise<StepRow[] | undefined> {
    return await readStepRows(this.#q, this.#s, workflowID)
  }

  // --- management -----------------------------------------------------------------------------------------

  async cancelWorkflows(ids: readonly string[], withChildren: boolean): Promise<string[]> {
    return await cancelWorkflows(this.#q, this.#s, ids, withChildren)
  }

  async resumeWorkflows(ids: readonly string[], queueName?: string): Promise<void> {
    await resumeWorkflows(this.#q, this.#s, ids, queueName)
  }

  async forkWorkflow(f: Omit<ForkRequest, 'appName'>): Promise<void> {
    await forkWorkflow(this.#q, this.#s, { ...f, appName: this.appName })
  }

  async deleteWorkflows(ids: readonly string[], deleteChildren: boolean): Promise<void> {
    await deleteWorkflows(this.#q, this.#s, ids, deleteChildren)
  }

  async garbageCollect(cutoffEpochMs: number | undefined, rowsThreshold: number | undefined): Promise<number> {
    return await garbageCollect(this.#q, this.#s, this.appName, cutoffEpochMs, rowsThreshold)
  }

  async activeCreatedBy(cutoffEpochMs: number): Promise<string[]> {
    return await activeCreatedBy(this.#q, this.#s, this.appName, cutoffEpochMs)
  }

  // --- operations, messages, events, streams --------------------------------------------------------------

  async writeCheckpoints(items: readonly Checkpoint[]): Promise<CheckpointResult[]> {
    return await writeCheckpoints(this.#q, this.#s, items, this.appName)
  }

  async loadOperations(workflowID: string): Promise<RecordedOperation[]> {
    return await loadOperations(this.#q, this.#s, workflowID)
  }

  async checkOwner(workflowID: string, token: string): Promise<boolean> {
    return await checkOwner(this.#q, this.#s, workflowID, token)
  }

  async insertMessage(m: Parameters<typeof insertMessage>[2]): Promise<void> {
    await insertMessage(this.#q, this.#s, m)
  }

  async receiveMessage(r: Omit<Parameters<typeof receiveMessage>[2], 'appName'>): Promise<ReceiveAttempt> {
    return await receiveMessage(this.#q, this.#s, { ...r, appName: this.appName })
  }

  async upsertEvent(e: Parameters<typeof upsertEvent>[2]): Promise<void> {
    await upsertEvent(this.#q, this.#s, e)
  }

  async readEvent(workflowID: string, key: string): Promise<{ value: string; serialization: string | null } | undefined> {
    return await readEvent(this.#q, this.#s, workflowID, key)
  }

  async appendStream(w: Parameters<typeof appendStream>[2]): Promise<void> {
    await appendStream(this.#q, this.#s, w)
  }

  async readStreamAt(workflowID: string, key: string, offset: number): Promise<StreamRead | undefined> {
    return await readStreamAt(this.#q, this.#s, workflowID, key, offset)
  }

  // --- queues ---------------------------------------------------------------------------------------------

  async claim(
    c: Omit<Claimer, 'appName'>, queueName: string, partitionKey: string | null, limits: QueueLimits, max: number,
    token: string, warn: (message: string) => void,
  ): Promise<ClaimedRow[]> {
    return await claim(this.#q, this.#s, { ...c, appName: this.appName }, queueName, partitionKey, limits, max, token, warn)
  }

  async partitionKeys(queueName: string): Promise<string[]> {
    return await partitionKeys(this.#q, this.#s, queueName, this.appName)
  }

  async readQueueRows(): Promise<QueueRow[]> {
    return await readQueueRows(this.#q, this.#s, this.appName)
  }

  async queueExists(name: string): Promise<boolean> {
    return await queueExists(this.#q, this.#s, name)
  }

  async publishQueues(
    queues: readonly { name: string; limits: QueueLimits; pollingIntervalSec?: number }[], update: boolean, now: number,
  ): Promise<void> {
    await publishQueues(this.#q, this.#s, queues, this.appName, update, now)
  }

  /** Moves DELAYED rows whose delay ended to ENQUEUED; returns each one's queue. */
  async promoteDelayed(now: number): Promise<string[]> {
    return await promoteDelayed(this.#q, this.#s, now, this.appName)
  }

  // --- schedules and debouncing ---------------------------------------------------------------------------

  async publishSchedules(schedules: readonly PublishedSchedule[], deleteUndeclared: boolean, context: string): Promise<void> {
    await publishSchedules(this.#q, this.#s, schedules, this.appName, deleteUndeclared, context)
  }

  async readSchedules(): Promise<ScheduleRow[]> {
    return await readSchedules(this.#q, this.#s, this.appName)
  }

  async insertScheduledWorkflow(w: ScheduledWorkflow): Promise<boolean> {
    return await insertScheduledWorkflow(this.#q, this.#s, w)
  }

  async advanceLastFired(scheduleName: string, iso: string): Promise<void> {
    await advanceLastFired(this.#q, this.#s, scheduleName, iso)
  }

  async bounceDebounced(target: DebounceTarget, newDelay: number, serialization: string, inputs: string): Promise<string | undefined> {
    return await bounceDebounced(this.#q, this.#s, target, newDelay, serialization, inputs, this.appName)
  }

  async readDedupHolder(queueName: string, deduplicationID: string): Promise<DedupHolder | undefined> {
    return await readDedupHolder(this.#q, this.#s, queueName, deduplicationID)
  }

  async insertDebounced(row: NewWorkflow, delayUntil: number, debounceDeadline: number | null): Promise<InsertedWorkflow> {
    return await insertDebounced(this.#q, this.#s, row, delayUntil, debounceDeadline)
  }

  // Schedules (DBOS 5.3): schedules made at run time, by name; rows written by DBOS and Perdure alike.

  /** Inserts a new schedule; DBOSConflictingRegistrationError if the name is taken. */
  async insertSchedule(row: ScheduleRow): Promise<void> {
    await insertSchedule(this.#q, this.#s, row)
  }

  /** Upserts schedules in one transaction, keeping each existing row's id, status and last fired slot. */
  async applySchedules(rows: readonly ScheduleRow[]): Promise<void> {
    await applySchedules(this.#q, this.#s, rows)
  }

  async listSchedules(filters: ScheduleFilters): Promise<ScheduleRow[]> {
    return await listSchedules(this.#q, this.#s, filters)
  }

  async readSchedule(name: string): Promise<ScheduleRow | undefined> {
    return await readSchedule(this.#q, this.#s, name)
  }

  async deleteSchedule(name: string): Promise<void> {
    await deleteSchedule(this.#q, this.#s, name)
  }

  async setScheduleStatus(name: string, status: 'ACTIVE' | 'PAUSED'): Promise<void> {
    await setScheduleStatus(this.#q, this.#s, name, status)
  }

  /** False if there is no schedule of that name. */
  async updateSchedule(name: string, update: ScheduleUpdate): Promise<boolean> {
    return await updateSchedule(this.#q, this.#s, name, update)
  }

  // DBOSClient's outbox, rewind, queue places and application versions (DBOS 5.3)

  /** The same system database acting for application `appName` (null: for none), for a caller naming another. */
  forApplication(appName: string | null): SystemDatabase {
    return new SystemDatabase(this.#q, this.#port, this.schemaName, appName, this.kind)
  }

  async setWorkflowPriority(workflowID: string, priority: number): Promise<void> {
    await setPriority(this.#q, this.#s, workflowID, priority)
  }

  async setWorkflowDelay(workflowID: string, delayUntil: number): Promise<void> {
    await setDelay(this.#q, this.#s, workflowID, delayUntil)
  }

  async rewindWorkflow(r: RewindRequest): Promise<void> {
    await rewindWorkflow(this.#q, this.#s, r)
  }

  async listVersionRows(): Promise<VersionRow[]> {
    return await listVersions(this.#q, this.#s, this.appName)
  }

  async latestVersionRow(): Promise<VersionRow | undefined> {
    return await latestVersionRow(this.#q, this.#s, this.appName)
  }

  /** Makes a version the latest, for application `owner`. */
  async promoteVersion(version: string, owner: string | null): Promise<void> {
    await promoteVersion(this.#q, this.#s, version, owner)
  }

  // The dashboard's listings: a workflow's events, streams and messages; queue counts and throughput, in SQL

  /** Up to `limit` of a workflow's events (latest values), by key. */
  async listEvents(workflowID: string, limit: number): Promise<EventRow[]> {
    return await listEvents(this.#q, this.#s, workflowID, limit)
  }

  /** Up to `limit` of a workflow's streams, by key, with their counts of values and last values. */
  async listStreamSummaries(workflowID: string, limit: number): Promise<StreamSummary[]> {
    return await listStreamSummaries(this.#q, this.#s, workflowID, limit)
  }

  /** Up to `limit` of the messages sent to a workflow, oldest first, consumed or not. */
  async listMessages(workflowID: string, limit: number): Promise<MessageRow[]> {
    return await listMessages(this.#q, this.#s, workflowID, limit)
  }

  /** ENQUEUED, PENDING and DELAYED workflows per queue of this application (every application's without a name). */
  async countQueueStatuses(): Promise<QueueStatusCount[]> {
    return await countQueueStatuses(this.#q, this.#s, this.appName)
  }

  /** Workflows of this application's queues that finished at or after `since` (epoch ms), per queue and minute. */
  async countFinishedPerMinute(since: number): Promise<FinishedInMinute[]> {
    return await countFinishedPerMinute(this.#q, this.#s, since, this.appName)
  }

  // Queues at run time (DBOS 5.3): DBOS.retrieveQueue, listQueues, deleteQueue and the queue object's setters

  /** A queue's row by name, whichever application owns it. */
  async readQueue(name: string): Promise<QueueRow | undefined> {
    return await readQueue(this.#q, this.#s, name)
  }

  /** Queue rows of these applications and unclaimed ones (default: this application's; every row without a name). */
  async listQueues(applicationNames?: readonly string[]): Promise<QueueRow[]> {
    const names = applicationNames ?? (this.appName ? [this.appName] : null)
    return await listQueueRows(this.#q, this.#s, names)
  }

  async deleteQueue(name: string): Promise<void> {
    await deleteQueue(this.#q, this.#s, name)
  }

  /** Changes the given stored limits of a queue; false when there is no row of that name. */
  async updateQueue(name: string, changes: QueueChanges, now: number): Promise<boolean> {
    return await updateQueue(this.#q, this.#s, name, changes, now)
  }

  // Stream ranges (MCP read_stream): many values in one statement

  /** Up to `count` stream values from `offset` on, with the writer's status; undefined for an unknown workflow. */
  async readStreamRange(workflowID: string, key: string, offset: number, count: number): Promise<StreamRange | undefined> {
    return await readStreamRange(this.#q, this.#s, workflowID, key, offset, count)
  }
}
