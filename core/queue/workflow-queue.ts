import { DBOSConflictingRegistrationError, DBOSError } from '../errors.ts'
import { checkCount, checkPositiveFinite, checkQueueName } from '../internal/input-checks.ts'
import { currentRuntime } from '../runtime.ts'
import { limitsOfRow, type QueueChanges, type QueueRow } from '../sysdb/queues.ts'

/** Queue-wide rate limit: at most `limitPerPeriod` starts in any window of `periodSec` seconds. */
export interface QueueRateLimit {
  limitPerPeriod: number
  periodSec: number
}

/** The guide's WorkflowQueue options. */
export interface QueueParameters {
  /** Workflows of this queue running at once, across every process. */
  concurrency?: number
  /** Workflows of this queue running at once in one process (one executor ID). */
  workerConcurrency?: number
  rateLimit?: QueueRateLimit
  /** Accepted for compatibility: priority is always honoured. */
  usePriority?: boolean
  /** The limits apply to each partition key instead of the whole queue. */
  partitionQueue?: boolean
}

/** The limits a dispatcher enforces, queue-wide and per partition (docs/sysdb.md §5.1). */
export interface QueueLimits {
  concurrency: number | null
  workerConcurrency: number | null
  rateLimit: QueueRateLimit | null
  partitionConcurrency: number | null
  partitionWorkerConcurrency: number | null
  partitionRateLimit: QueueRateLimit | null
}

const declared = new Map<string, WorkflowQueue>()
let frozen = false

// Limits are stored in `integer` columns, so they are checked against its range too.
function positiveInt(queue: string, field: string, value: number | undefined): void {
  if (value !== undefined) checkCount(`${field} of queue ${JSON.stringify(queue)}`, value)
}

/** Where a queue object reads and writes its `queues` row: the current launch's system database, or a client's. */
export interface QueueStore {
  readQueue(name: string): Promise<QueueRow | undefined>
  updateQueue(name: string, changes: QueueChanges, now: number): Promise<boolean>
}

/** The store of queues not bound to a client: the current launch's system database (set by DBOS). */
let launchStore: (() => QueueStore) | undefined
/** Set while `queueFromRow` builds a queue, so the public constructor need not take a row. */
let building: { row: QueueRow; store: (() => QueueStore) | undefined; clientBound: boolean } | undefined
const stores = new WeakMap<WorkflowQueue, () => QueueStore>()

/** DBOS names the store of declared and retrieved queues: whichever launch is current when a queue is used. */
export function setLaunchQueueStore(store: () => QueueStore): void {
  launchStore = store
}

/**
 * A durable queue of workflows with flow control. Declare queues before `DBOS.launch()` (or register them at run
 * time with `DBOS.registerQueue`); enqueue with `DBOS.startWorkflow(fn, { queueName: queue.name })`. Its limits
 * are stored in the `queues` table: the getters read them there, the setters change them for every executor.
 * @example
 * const queue = new WorkflowQueue('emails', { workerConcurrency: 5, rateLimit: { limitPerPeriod: 50, periodSec: 30 } })
 */
export class WorkflowQueue {
  readonly name: string
  /** Last-known limits (the guide's declaration, or the row as last read): may be stale, the getters are not. */
  concurrency?: number
  workerConcurrency?: number
  rateLimit?: QueueRateLimit
  partitionConcurrency?: number
  partitionWorkerConcurrency?: number
  partitionRateLimit?: QueueRateLimit
  minPollingIntervalMs?: number
  /** The application owning the row; undefined for an unclaimed or not yet published queue. */
  applicationName?: string
  /** Always true: every queue Perdure hands out has a `queues` row (declared ones from launch on). */
  readonly databaseBacked: boolean = true
  /** True for a queue from a DBOSClient, which reads and writes through that client's database. */
  readonly clientBound: boolean
  readonly priorityEnabled: boolean
  readonly partitionQueue: boolean
  readonly #declared: QueueLimits | undefined

  constructor(name: string, params: QueueParameters = {}) {
    const from = building
    if (from) {
      this.name = from.row.name
      this.clientBound = from.clientBound
      this.priorityEnabled = true
      this.partitionQueue = false
      this.#declared = undefined
      if (from.store) stores.set(this, from.store)
      applyRow(this, from.row)
      return
    }
    validateQueue(name, params)
    if (frozen) {
      throw new DBOSError(
        `Queue '${name}' was declared after DBOS.launch(): declare queues before launch, or use DBOS.registerQueue`,
      )
    }
    if (declared.has(name)) {
      throw new DBOSConflictingRegistrationError(`A queue named '${name}' is already declared`)
    }
    this.name = name
    this.clientBound = false
    if (params.concurrency !== undefined) this.concurrency = params.concurrency
    if (params.workerConcurrency !== undefined) this.workerConcurrency = params.workerConcurrency
    if (params.rateLimit !== undefined) this.rateLimit = { ...params.rateLimit }
    this.priorityEnabled = params.usePriority ?? false
    this.partitionQueue = params.partitionQueue ?? false
    this.#declared = declaredLimits(this.partitionQueue, params)
    declared.set(name, this)
  }

  /** The limits this declaration asks for, mapped as docs/sysdb.md §5.1 says (a retrieved queue: its row's). */
  limits(): QueueLimits {
    return this.#declared ?? {
      concurrency: this.concurrency ?? null, workerConcurrency: this.workerConcurrency ?? null,
      rateLimit: this.rateLimit ?? null, partitionConcurrency: this.partitionConcurrency ?? null,
      partitionWorkerConcurrency: this.partitionWorkerConcurrency ?? null, partitionRateLimit: this.partitionRateLimit ?? null,
    }
  }

  /** @deprecated Use `getGlobalConcurrency`. */
  getConcurrency(): Promise<number | undefined> {
    return this.getGlobalConcurrency()
  }

  /** Workflows of this queue running at once across every process (re-read from its row). */
  async getGlobalConcurrency(): Promise<number | undefined> {
    await this.#refresh()
    return this.concurrency
  }

  async getWorkerConcurrency(): Promise<number | undefined> {
    await this.#refresh()
    return this.workerConcurrency
  }

  async getRateLimit(): Promise<QueueRateLimit | undefined> {
    await this.#refresh()
    return this.rateLimit
  }

  async getPartitionConcurrency(): Promise<number | undefined> {
    await this.#refresh()
    return this.partitionConcurrency
  }

  async getPartitionWorkerConcurrency(): Promise<number | undefined> {
    await this.#refresh()
    return this.partitionWorkerConcurrency
  }

  async getPartitionRateLimit(): Promise<QueueRateLimit | undefined> {
    await this.#refresh()
    return this.partitionRateLimit
  }

  async getMinPollingIntervalMs(): Promise<number | undefined> {
    await this.#refresh()
    return this.minPollingIntervalMs
  }

  /** @deprecated Use `setGlobalConcurrency`. */
  setConcurrency(value: number | undefined): Promise<void> {
    return this.setGlobalConcurrency(value)
  }

  /** Changes the queue-wide limit for every executor (undefined removes it); checked against the stored limits. */
  async setGlobalConcurrency(value: number | undefined): Promise<void> {
    this.#checkLimit('globalConcurrency', value)
    await this.#refresh()
    if (value !== undefined) {
      bound(this.workerConcurrency, value, 'workerConcurrency must be less than or equal to concurrency')
      bound(this.partitionConcurrency, value, 'partitionConcurrency must be less than or equal to globalConcurrency')
      bound(this.partitionWorkerConcurrency, value, 'partitionWorkerConcurrency must be less than or equal to concurrency')
    }
    await this.#write({ concurrency: value ?? null })
    this.concurrency = value
  }

  async setWorkerConcurrency(value: number | undefined): Promise<void> {
    this.#checkLimit('workerConcurrency', value)
    await this.#refresh()
    if (value !== undefined) {
      bound(value, this.concurrency, 'workerConcurrency must be less than or equal to concurrency')
      bound(this.partitionWorkerConcurrency, value, 'partitionWorkerConcurrency must be less than or equal to workerConcurrency')
    }
    await this.#write({ workerConcurrency: value ?? null })
    this.workerConcurrency = value
  }

  async setRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    this.#checkRate('rateLimit', value)
    await this.#write({ rateLimit: value ?? null })
    this.rateLimit = value && { ...value }
  }

  async setPartitionConcurrency(value: number | undefined): Promise<void> {
    this.#checkLimit('partitionConcurrency', value)
    await this.#refresh()
    if (value !== undefined) {
      bound(value, this.concurrency, 'partitionConcurrency must be less than or equal to globalConcurrency')
      bound(this.partitionWorkerConcurrency, value, 'partitionConcurrency must be greater than or equal to partitionWorkerConcurrency')
    }
    await this.#write({ partitionConcurrency: value ?? null, partitionQueue: this.#partitionedWith({ partitionConcurrency: value }) })
    this.partitionConcurrency = value
  }

  async setPartitionWorkerConcurrency(value: number | undefined): Promise<void> {
    this.#checkLimit('partitionWorkerConcurrency', value)
    await this.#refresh()
    if (value !== undefined) {
      bound(value, this.partitionConcurrency, 'partitionWorkerConcurrency must be less than or equal to partitionConcurrency')
      bound(value, this.workerConcurrency, 'partitionWorkerConcurrency must be less than or equal to workerConcurrency')
      bound(value, this.concurrency, 'partitionWorkerConcurrency must be less than or equal to concurrency')
    }
    await this.#write({
      partitionWorkerConcurrency: value ?? null, partitionQueue: this.#partitionedWith({ partitionWorkerConcurrency: value }),
    })
    this.partitionWorkerConcurrency = value
  }

  async setPartitionRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    this.#checkRate('partitionRateLimit', value)
    await this.#refresh()
    await this.#write({ partitionRateLimit: value ?? null, partitionQueue: this.#partitionedWith({ partitionRateLimit: value }) })
    this.partitionRateLimit = value && { ...value }
  }

  /** How often, at most, executors poll this queue without a wake-up. */
  async setMinPollingIntervalMs(value: number): Promise<void> {
    checkPositiveFinite(`minPollingIntervalMs of queue ${JSON.stringify(this.name)}`, value, 'milliseconds')
    await this.#write({ pollingIntervalSec: value / 1000 })
    this.minPollingIntervalMs = value
  }

  #store(): QueueStore {
    const store = stores.get(this) ?? launchStore
    if (!store) throw new DBOSError(`Queue '${this.name}' has no system database: launch DBOS first`)
    return store()
  }

  /** Re-reads the row into the cached fields; DBOSError when the row is gone. */
  async #refresh(): Promise<void> {
    const row = await this.#store().readQueue(this.name)
    if (!row) throw new DBOSError(`Queue '${this.name}' was not found in the database`)
    applyRow(this, row)
  }

  async #write(changes: QueueChanges): Promise<void> {
    const updated = await this.#store().updateQueue(this.name, changes, currentRuntime().timer.now())
    if (!updated) throw new DBOSError(`Queue '${this.name}' was not found in the database`)
  }

  #checkLimit(field: string, value: number | undefined): void {
    positiveInt(this.name, field, value)
  }

  #checkRate(field: string, value: QueueRateLimit | undefined): void {
    if (value === undefined) return
    if (value === null || typeof value !== 'object' || value.limitPerPeriod === undefined || value.periodSec === undefined) {
      throw new DBOSError(`${field} must specify both limitPerPeriod and periodSec`)
    }
    positiveInt(this.name, `${field}.limitPerPeriod`, value.limitPerPeriod)
    checkPositiveFinite(`${field}.periodSec of queue ${JSON.stringify(this.name)}`, value.periodSec, 'seconds')
  }

  /** A queue is partitioned while any per-partition limit is set. */
  #partitionedWith(change: Partial<Pick<WorkflowQueue, 'partitionConcurrency' | 'partitionWorkerConcurrency' | 'partitionRateLimit'>>): boolean {
    const next = {
      partitionConcurrency: this.partitionConcurrency, partitionWorkerConcurrency: this.partitionWorkerConcurrency,
      partitionRateLimit: this.partitionRateLimit, ...change,
    }
    return next.partitionConcurrency !== undefined || next.partitionWorkerConcurrency !== undefined || next.partitionRateLimit !== undefined
  }
}

/** A queue object for a stored row, reading and writing through a client's `store` (default: the current launch's). */
export function queueFromRow(row: QueueRow, store?: () => QueueStore): WorkflowQueue {
  building = { row, store, clientBound: store !== undefined }
  try {
    return new WorkflowQueue(row.name)
  } finally {
    building = undefined
  }
}

function applyRow(q: WorkflowQueue, row: QueueRow): void {
  const l = limitsOfRow(row)
  q.concurrency = l.concurrency ?? undefined
  q.workerConcurrency = l.workerConcurrency ?? undefined
  q.rateLimit = l.rateLimit ?? undefined
  q.partitionConcurrency = l.partitionConcurrency ?? undefined
  q.partitionWorkerConcurrency = l.partitionWorkerConcurrency ?? undefined
  q.partitionRateLimit = l.partitionRateLimit ?? undefined
  q.minPollingIntervalMs = Number(row.polling_interval_sec) * 1000
  q.applicationName = row.application_name ?? undefined
}

/** Throws when a limit that must not exceed another does (either unset passes). */
function bound(lower: number | undefined, upper: number | undefined, message: string): void {
  if (lower !== undefined && upper !== undefined && lower > upper) throw new DBOSError(message)
}

function declaredLimits(partitionQueue: boolean, params: QueueParameters): QueueLimits {
  const rate = params.rateLimit ? { ...params.rateLimit } : null
  if (partitionQueue) {
    return {
      concurrency: null, workerConcurrency: null, rateLimit: null,
      partitionConcurrency: params.concurrency ?? null,
      partitionWorkerConcurrency: params.workerConcurrency ?? null,
      partitionRateLimit: rate,
    }
  }
  return {
    concurrency: params.concurrency ?? null, workerConcurrency: params.workerConcurrency ?? null, rateLimit: rate,
    partitionConcurrency: null, partitionWorkerConcurrency: null, partitionRateLimit: null,
  }
}

/** Checks a queue declaration (docs/sysdb.md §5.1); throws DBOSError naming the problem. */
export function validateQueue(name: string, params: QueueParameters): void {
  if (typeof name !== 'string' || name.length === 0) throw new DBOSError('A queue needs a non-empty name')
  checkQueueName('queue name', name)
  if (name.startsWith('_dbos_')) throw new DBOSError(`Queue name '${name}' is reserved: names starting with _dbos_ belong to DBOS`)
  positiveInt(name, 'concurrency', params.concurrency)
  positiveInt(name, 'workerConcurrency', params.workerConcurrency)
  if (params.concurrency !== undefined && params.workerConcurrency !== undefined && params.workerConcurrency > params.concurrency) {
    throw new DBOSError(`Queue '${name}': workerConcurrency (${params.workerConcurrency}) cannot exceed concurrency (${params.concurrency})`)
  }
  const rate = params.rateLimit
  if (rate !== undefined) {
    positiveInt(name, 'rateLimit.limitPerPeriod', rate.limitPerPeriod)
    checkPositiveFinite(`rateLimit.periodSec of queue ${JSON.stringify(name)}`, rate.periodSec, 'seconds')
  }
}

/** The queue declared under this name in this process, if any. */
export function declaredQueue(name: string): WorkflowQueue | undefined {
  return declared.get(name)
}

/** Every queue declared in this process. */
export function declaredQueues(): WorkflowQueue[] {
  return [...declared.values()]
}

/** Launch freezes declarations (recovery and dispatch work from the declared set); shutdown thaws them. */
export function freezeQueues(value: boolean): void {
  frozen = value
}

/** Options of `DBOS.registerQueue` (docs/sysdb.md appendix A). */
export interface RegisterQueueOptions {
  globalConcurrency?: number
  /** @deprecated Use `globalConcurrency`. */
  concurrency?: number
  workerConcurrency?: number
  rateLimit?: QueueRateLimit
  partitionConcurrency?: number
  partitionWorkerConcurrency?: number
  partitionRateLimit?: QueueRateLimit
  /** Stored as polling_interval_sec; the dispatcher polls this queue at most this often without a wake-up. */
  minPollingIntervalMs?: number
  /** What to do when the queue row exists: update it only from the latest version (default), always, or never. */
  onConflict?: 'update_if_latest_version' | 'always_update' | 'never_update'
}

/** Checks `registerQueue` options (docs/sysdb.md appendix A) and maps them to stored limits. */
export function registeredLimits(name: string, options: RegisterQueueOptions): QueueLimits {
  validateQueue(name, {})
  if (options.concurrency !== undefined && options.globalConcurrency !== undefined) {
    throw new DBOSError('concurrency is deprecated in favor of globalConcurrency; set only one of them')
  }
  const o = { ...options, globalConcurrency: options.globalConcurrency ?? options.concurrency }
  for (const field of ['globalConcurrency', 'workerConcurrency', 'partitionConcurrency', 'partitionWorkerConcurrency'] as const) {
    positiveInt(name, field, o[field])
  }
  for (const field of ['rateLimit', 'partitionRateLimit'] as const) {
    const rate = o[field]
    if (rate) validateQueue(name, { rateLimit: rate })
  }
  const g = o.globalConcurrency ?? Number.POSITIVE_INFINITY
  if ((o.workerConcurrency ?? 0) > g) throw new DBOSError(`Queue '${name}': workerConcurrency cannot exceed globalConcurrency`)
  if (o.partitionConcurrency !== undefined && o.partitionConcurrency > g) {
    throw new DBOSError(`Queue '${name}': partitionConcurrency cannot exceed globalConcurrency`)
  }
  const pw = o.partitionWorkerConcurrency
  if (pw !== undefined && pw > Math.min(o.partitionConcurrency ?? Infinity, o.workerConcurrency ?? Infinity, g)) {
    throw new DBOSError(`Queue '${name}': partitionWorkerConcurrency cannot exceed partitionConcurrency, workerConcurrency or globalConcurrency`)
  }
  if (o.minPollingIntervalMs !== undefined) {
    checkPositiveFinite(`minPollingIntervalMs of queue ${JSON.stringify(name)}`, o.minPollingIntervalMs, 'milliseconds')
  }
  return {
    concurrency: o.globalConcurrency ?? null,
    workerConcurrency: o.workerConcurrency ?? null,
    rateLimit: o.rateLimit ?? null,
    partitionConcurrency: o.partitionConcurrency ?? null,
    partitionWorkerConcurrency: o.partitionWorkerConcurrency ?? null,
    partitionRateLimit: o.partitionRateLimit ?? null,
  }
}
