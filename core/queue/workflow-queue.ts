import { DBOSConflictingRegistrationError, DBOSError } from '../errors.ts'
import { checkCount, checkPositiveFinite, checkQueueName } from '../internal/input-checks.ts'

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

/**
 * A durable queue of workflows with flow control. Declare queues before `DBOS.launch()`; enqueue with
 * `DBOS.startWorkflow(fn, { queueName: queue.name })`.
 * @example
 * const queue = new WorkflowQueue('emails', { workerConcurrency: 5, rateLimit: { limitPerPeriod: 50, periodSec: 30 } })
 */
export class WorkflowQueue {
  readonly name: string
  readonly concurrency?: number
  readonly workerConcurrency?: number
  readonly rateLimit?: QueueRateLimit
  readonly priorityEnabled: boolean
  readonly partitionQueue: boolean

  constructor(name: string, params: QueueParameters = {}) {
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
    if (params.concurrency !== undefined) this.concurrency = params.concurrency
    if (params.workerConcurrency !== undefined) this.workerConcurrency = params.workerConcurrency
    if (params.rateLimit !== undefined) this.rateLimit = { ...params.rateLimit }
    this.priorityEnabled = params.usePriority ?? false
    this.partitionQueue = params.partitionQueue ?? false
    declared.set(name, this)
  }

  /** The limits this declaration asks for, mapped as docs/sysdb.md §5.1 says. */
  limits(): QueueLimits {
    const rate = this.rateLimit ?? null
    if (this.partitionQueue) {
      return {
        concurrency: null, workerConcurrency: null, rateLimit: null,
        partitionConcurrency: this.concurrency ?? null,
        partitionWorkerConcurrency: this.workerConcurrency ?? null,
        partitionRateLimit: rate,
      }
    }
    return {
      concurrency: this.concurrency ?? null, workerConcurrency: this.workerConcurrency ?? null, rateLimit: rate,
      partitionConcurrency: null, partitionWorkerConcurrency: null, partitionRateLimit: null,
    }
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
export function registeredLimits(name: string, o: RegisterQueueOptions): QueueLimits {
  validateQueue(name, {})
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
