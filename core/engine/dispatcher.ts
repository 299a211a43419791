import { type QueueLimits, declaredQueues } from '../queue/workflow-queue.ts'
import { sqlState } from '../ports/database.ts'
import { type ClaimedRow, type Claimer, INTERNAL_QUEUE, limitsOfRow, type RecordedOperation } from '../sysdb/system-database.ts'
import type { Engine } from './engine.ts'
import type { Notifier } from './notifier.ts'
import { QUEUE_CHANNEL } from './notifier.ts'
import { findInstance } from './configured-instance.ts'
import type { Registry } from './registry.ts'

const MAINTENANCE_MS = 1000
const DEFAULT_MIN_INTERVAL_MS = 1000
const MAX_INTERVAL_MS = 120_000
/** Concurrent claim polls (docs/sysdb.md §5.6 lanes). */
const LANES = 3
/** Rows per claim. */
const CLAIM_BATCH = 200
/**
 * Workflows of one queue this process runs at once when the queue sets no worker limit. Past it, work stays
 * ENQUEUED for other executors, and one huge backlog cannot flood this process or starve its other queues.
 */
const PROCESS_CAP = 1000
const NO_LIMITS: QueueLimits = {
  concurrency: null, workerConcurrency: null, rateLimit: null,
  partitionConcurrency: null, partitionWorkerConcurrency: null, partitionRateLimit: null,
}

interface QueueState {
  readonly name: string
  limits: QueueLimits
  /** Declared in this process (kept even without a row); otherwise served because a row exists. */
  readonly declared: boolean
  minIntervalMs: number
  intervalMs: number
  nextPollAt: number
  woken: boolean
  polling: boolean
  running: number
  readonly partRunning: Map<string, number>
}

function isPartitioned(l: QueueLimits): boolean {
  return l.partitionConcurrency !== null || l.partitionWorkerConcurrency !== null || l.partitionRateLimit !== null
}

/**
 * Claims queued work and runs it here (docs/sysdb.md §5). Woken at once by local enqueues, by NOTIFY from other
 * processes and by freed slots; otherwise each queue polls at its interval. Polls run in a few lanes, most
 * overdue queue first, so one busy queue cannot starve the others.
 */
export class Dispatcher {
  readonly #engine: Engine
  readonly #registry: Registry
  readonly #claimer: Omit<Claimer, 'appName'>
  readonly #notifier: Notifier | undefined
  readonly #listen: Set<string> | undefined
  readonly #queues = new Map<string, QueueState>()
  #stopped = false
  #inFlight = 0
  #polls = new Set<Promise<void>>()
  #nextMaintenance = 0
  #wakeLoop: (() => void) | undefined
  #loop: Promise<void> | undefined

  constructor(
    engine: Engine,
    registry: Registry,
    isLatestVersion: boolean,
    options: { notifier?: Notifier; listenQueues?: string[] } = {},
  ) {
    this.#engine = engine
    this.#registry = registry
    const { executorID, appVersion } = engine.settings
    this.#claimer = { executorID, version: appVersion, isLatestVersion }
    this.#notifier = options.notifier
    this.#listen = options.listenQueues ? new Set(options.listenQueues) : undefined
    this.#add(INTERNAL_QUEUE, NO_LIMITS, true)
    for (const q of declaredQueues()) if (this.#serves(q.name)) this.#add(q.name, q.limits(), true)
  }

  start(): void {
    this.#loop = this.#run()
  }

  /** Polls a queue now instead of at its next interval (a no-op for queues this process does not serve). */
  wake(queueName: string): void {
    const q = this.#queues.get(queueName)
    if (!q) return
    q.woken = true
    this.#wakeLoop?.()
  }

  /** After a local enqueue: wake here, and tell other processes. */
  enqueued(queueName: string): void {
    this.wake(queueName)
    this.#notifier?.notify(QUEUE_CHANNEL, queueName)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#wakeLoop?.()
    await this.#loop
    await Promise.all(this.#polls)
  }

  /** Whether this process runs the latest application version (it then owns queue definitions). */
  get isLatestVersion(): boolean {
    return this.#claimer.isLatestVersion
  }

  /** Re-reads the `queues` table now, e.g. after a queue was registered. */
  refresh(): void {
    this.#nextMaintenance = 0
    this.#wakeLoop?.()
  }

  /** Queues this process dispatches, with their current limits (for introspection). */
  queues(): { name: string; limits: QueueLimits }[] {
    return [...this.#queues.values()].map((q) => ({ name: q.name, limits: q.limits }))
  }

  #serves(name: string): boolean {
    return name === INTERNAL_QUEUE || !this.#listen || this.#listen.has(name)
  }

  #add(name: string, limits: QueueLimits, declared: boolean): QueueState {
    const state: QueueState = {
      name, limits, declared, minIntervalMs: DEFAULT_MIN_INTERVAL_MS, intervalMs: DEFAULT_MIN_INTERVAL_MS,
      nextPollAt: 0, woken: true, polling: false, running: 0, partRunning: new Map(),
    }
    this.#queues.set(name, state)
    return state
  }

  async #run(): Promise<void> {
    const { runtime, logger } = this.#engine.settings
    while (!this.#stopped) {
      const now = runtime.timer.now()
      if (now >= this.#nextMaintenance) {
        this.#nextMaintenance = now + MAINTENANCE_MS
        await this.#maintenance().catch((e: unknown) => logger.warn(`Queue maintenance failed: ${(e as Error).message}`))
      }
      const due = [...this.#queues.values()]
        .filter((q) => !q.polling && (q.woken || q.nextPollAt <= now))
        .sort((a, b) => Number(b.woken) - Number(a.woken) || a.nextPollAt - b.nextPollAt)
      for (const q of due) {
        if (this.#inFlight >= LANES || this.#stopped) break
        this.#startPoll(q)
      }
      const waiting = [...this.#queues.values()].filter((q) => !q.polling)
      const next = Math.min(this.#nextMaintenance, ...waiting.map((q) => (q.woken ? now : q.nextPollAt)))
      if (this.#stopped) break
      if (next <= runtime.timer.now() && this.#inFlight < LANES) continue
      await new Promise<void>((resolve) => {
        const cancel = runtime.timer.schedule(Math.max(0, next - runtime.timer.now()), () => resolve())
        this.#wakeLoop = () => {
          cancel()
          resolve()
        }
      })
      this.#wakeLoop = undefined
    }
  }

  #startPoll(q: QueueState): void {
    q.polling = true
    q.woken = false
    this.#inFlight++
    const poll = this.#poll(q).finally(() => {
      const { runtime } = this.#engine.settings
      q.nextPollAt = runtime.timer.now() + q.intervalMs * (0.95 + Math.random() * 0.1)
      q.polling = false
      this.#inFlight--
      this.#polls.delete(poll)
      this.#wakeLoop?.()
    })
    this.#polls.add(poll)
  }

  async #poll(q: QueueState): Promise<void> {
    const { logger } = this.#engine.settings
    try {
      const full = isPartitioned(q.limits) ? await this.#pollPartitions(q) : await this.#pollQueue(q, null)
      q.intervalMs = Math.max(q.minIntervalMs, q.intervalMs * 0.9)
      // A full batch means more is waiting: go again as soon as a lane is free.
      if (full) q.woken = true
    } catch (e) {
      const code = sqlState(e)
      if (code === '40001' || code === '55P03') {
        // Another executor claimed at the same moment: back off this queue (docs/sysdb.md §5.6).
        q.intervalMs = Math.min(MAX_INTERVAL_MS, q.intervalMs * 2)
      } else if (!this.#stopped) {
        logger.warn(`Dispatching queue ${q.name} failed, retrying: ${(e as Error).message}`)
      }
    }
  }

  /** One claim on a queue or partition; true if it took all it asked for. */
  async #pollQueue(q: QueueState, key: string | null, budget = Number.POSITIVE_INFINITY): Promise<boolean> {
    const l = q.limits
    let max = Math.min(CLAIM_BATCH, budget, PROCESS_CAP - q.running)
    if (l.workerConcurrency !== null) max = Math.min(max, l.workerConcurrency - q.running)
    if (key !== null && l.partitionWorkerConcurrency !== null) {
      max = Math.min(max, l.partitionWorkerConcurrency - (q.partRunning.get(key) ?? 0))
    }
    if (max <= 0 || this.#stopped) return false
    const { sys, logger } = this.#engine.settings
    const token = crypto.randomUUID()
    const rows = await sys.claim(this.#claimer, q.name, key, l, max, token, (m) => logger.warn(m))
    for (const row of rows) await this.#dispatch(q, row, token)
    return rows.length === max
  }

  async #pollPartitions(q: QueueState): Promise<boolean> {
    const { sys } = this.#engine.settings
    let budget = Math.min(PROCESS_CAP, q.limits.workerConcurrency ?? PROCESS_CAP) - q.running
    for (const key of await sys.partitionKeys(q.name)) {
      if (budget <= 0 || this.#stopped) break
      const before = q.running
      try {
        await this.#pollQueue(q, key, budget)
      } catch (e) {
        // Contention on one key skips only that key (docs/sysdb.md §5.4).
        const code = sqlState(e)
        if (code !== '40001' && code !== '55P03') throw e
      }
      budget -= q.running - before
    }
    return false
  }

  async #dispatch(q: QueueState, row: ClaimedRow, token: string): Promise<void> {
    const engine = this.#engine
    const { sys, logger, serialization } = engine.settings
    const reg = this.#registry.find(row.class_name, row.name ?? '')
    if (!reg) {
      // Left PENDING: an executor that knows the function can recover it.
      logger.error(`Cannot run workflow ${row.workflow_uuid}: no workflow named '${row.name}' is registered in this process`)
      return
    }
    const instance = reg.instanceMethod ? findInstance(reg.className, row.config_name) : undefined
    if (reg.instanceMethod && !instance) {
      logger.error(`Cannot run workflow ${row.workflow_uuid}: no instance of ${reg.className} named '${row.config_name}' exists in this process`)
      return
    }
    const attempts = Number(row.recovery_attempts)
    if (attempts > reg.maxRecoveryAttempts + 1) {
      logger.error(`Workflow ${row.workflow_uuid} exceeded ${reg.maxRecoveryAttempts} recovery attempts; it is dead-lettered`)
      await sys.deadLetter(row.workflow_uuid, attempts)
      return
    }
    const format = row.serialization ?? serialization.appFormat
    let args: unknown[]
    try {
      args = await serialization.decodeArgs(row.inputs, row.serialization)
    } catch (e) {
      const error = await serialization.encodeError(e, format)
      await sys.writeOutcomes([{ workflowID: row.workflow_uuid, token, status: 'ERROR', output: null, error }])
      return
    }
    const recorded = new Map<number, RecordedOperation>()
    for (const [function_id, function_name, output, error, child_workflow_id, fmt] of row.ops ?? []) {
      recorded.set(Number(function_id), { function_id, function_name, output, error, child_workflow_id, serialization: fmt })
    }
    const deadline = row.workflow_deadline_epoch_ms === null ? undefined : Number(row.workflow_deadline_epoch_ms)
    const key = row.queue_partition_key
    q.running++
    if (key !== null) q.partRunning.set(key, (q.partRunning.get(key) ?? 0) + 1)
    const done = engine.launch(engine.execution(row.workflow_uuid, token, format, deadline, recorded), reg, args, instance ?? reg.target)
    // Only the slot matters here: the outcome is recorded by the engine and reaches whoever awaits the
    // workflow, so a failure must not surface as an unhandled rejection of this bookkeeping chain.
    void done.catch(() => {}).finally(() => this.#finished(q, key))
  }

  /** A slot freed: refill it here at once, and let other executors know when limits are shared. */
  #finished(q: QueueState, key: string | null): void {
    q.running--
    if (key !== null) {
      const n = (q.partRunning.get(key) ?? 1) - 1
      if (n <= 0) q.partRunning.delete(key)
      else q.partRunning.set(key, n)
    }
    if (this.#stopped) return
    const l = q.limits
    const shared = l.concurrency !== null || l.partitionConcurrency !== null
    // A slot of a shared limit goes to whichever executor claims first: wake everyone through NOTIFY (which
    // reaches this process too), so the one that freed it has no head start. Local-only limits refill here.
    if (shared && this.#notifier) this.#notifier.notify(QUEUE_CHANNEL, q.name)
    else this.wake(q.name)
  }

  /** Every second: apply the `queues` table's limits, pick up queues registered elsewhere, promote delayed rows. */
  async #maintenance(): Promise<void> {
    const { sys, runtime } = this.#engine.settings
    const rows = await sys.readQueueRows()
    const seen = new Set<string>()
    for (const row of rows) {
      if (!this.#serves(row.name)) continue
      seen.add(row.name)
      const state = this.#queues.get(row.name) ?? this.#add(row.name, limitsOfRow(row), false)
      state.limits = limitsOfRow(row)
      state.minIntervalMs = Math.max(1, Number(row.polling_interval_sec) * 1000)
    }
    for (const [name, state] of this.#queues) {
      if (!state.declared && !seen.has(name)) this.#queues.delete(name)
    }
    for (const queueName of await sys.promoteDelayed(runtime.timer.now())) this.wake(queueName)
  }
}
