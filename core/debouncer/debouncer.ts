import type { StartWorkflowParams } from '../dbos.ts'
import type { Engine, StartParams } from '../engine/engine.ts'
import { Handle, type WorkflowHandle } from '../engine/handle.ts'
import { recordedValue } from '../engine/operations.ts'
import type { Registry, WorkflowRegistration } from '../engine/registry.ts'
import type { Execution } from '../engine/workflow-context.ts'
import {
  DBOSError,
  DBOSExecutorNotInitializedError,
  DBOSNotRegisteredError,
  DBOSQueueDuplicatedError,
} from '../errors.ts'
import { sqlState } from '../ports/database.ts'
import { validateEnqueue } from '../queue/enqueue.ts'
import { INTERNAL_QUEUE } from '../sysdb/sql.ts'
import type { DebounceTarget, SystemDatabase } from '../sysdb/system-database.ts'

/** The checkpoint name of a debounce called from workflow code (docs/sysdb.md §3.8). */
const DEBOUNCE_OPERATION = 'DBOS.debounceDelayedWorkflow'
/** A key's row can change hands between our statements; past this many turns something else is wrong. */
const MAX_ATTEMPTS = 50

/** What a Debouncer needs from the running process; set at launch. */
export interface DebouncerContext {
  /** The current launch's engine; throws when DBOS is not launched. */
  engine(): Engine
  readonly registry: Registry
}

let current: DebouncerContext | undefined

/** Called at launch (and may be called once at start-up): how Debouncers reach the engine and the registry. */
export function setDebouncerContext(ctx: DebouncerContext | undefined): void {
  current = ctx
}

/** Options of `new Debouncer(...)` (the guide's DebouncerConfig). */
export interface DebouncerConfig<TArgs extends unknown[], TReturn> {
  /** A function returned by `DBOS.registerWorkflow` (not a ConfiguredInstance method). */
  workflow: (...args: TArgs) => Promise<TReturn>
  /** Applied to every workflow this debouncer starts: `workflowID`, `queueName`, `timeoutMS`. */
  startWorkflowParams?: StartWorkflowParams
  /** The workflow starts at the latest this long after the first `debounce` of a key, however often it is called. */
  debounceTimeoutMs?: number
}

/**
 * Delays a workflow until calls with the same key stop coming for a period, then runs it once with the last
 * arguments (docs/sysdb.md §7.1). Works across processes: the pending run is a DELAYED row keyed by deduplication ID.
 * @example
 * const debouncer = new Debouncer({ workflow: processInput, debounceTimeoutMs: 300_000 })
 * await debouncer.debounce(userID, 60_000, latestInput)
 */
export class Debouncer<TArgs extends unknown[], TReturn> {
  readonly #workflow: (...args: TArgs) => Promise<TReturn>
  readonly #params: StartParams
  readonly #timeoutMs: number | undefined

  constructor(config: DebouncerConfig<TArgs, TReturn>) {
    if (typeof config?.workflow !== 'function') {
      throw new TypeError('new Debouncer({ workflow }) needs a workflow returned by DBOS.registerWorkflow')
    }
    const params = config.startWorkflowParams ?? {}
    rejectStartParams(params)
    const timeout = config.debounceTimeoutMs
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
      throw new DBOSError(`debounceTimeoutMs must be a positive number of milliseconds, got ${String(timeout)}`)
    }
    this.#workflow = config.workflow
    this.#params = { ...params }
    this.#timeoutMs = timeout
  }

  /**
   * Submits the workflow for `key`, to start `periodMs` from now unless called again for the same key first
   * (each call pushes the start back, up to `debounceTimeoutMs` after the first). Once the workflow has
   * started, the next call for the key debounces a new one.
   * @returns a handle on the workflow that will run with these arguments (or later ones).
   */
  debounce(key: string, periodMs: number, ...args: TArgs): Promise<WorkflowHandle<TReturn>> {
    try {
      if (typeof key !== 'string') throw new TypeError(`debounce: the key must be a string, got ${typeof key}`)
      if (!(typeof periodMs === 'number' && periodMs > 0 && Number.isFinite(periodMs))) {
        throw new DBOSError(`debounce: the period must be a positive number of milliseconds, got ${String(periodMs)}`)
      }
      const ctx = current
      if (!ctx) throw new DBOSExecutorNotInitializedError()
      const launched = ctx.engine()
      const reg = registrationOf(ctx.registry, this.#workflow)
      const frame = launched.settings.context.getStore()
      // In workflow code the whole debounce is one operation; its ID is taken now, before any await, so
      // concurrent branches keep deterministic IDs.
      const exec = frame?.kind === 'workflow' ? frame.exec : undefined
      const id = exec ? exec.nextID++ : undefined
      const request: DebounceRequest = {
        engine: exec?.engine ?? launched, reg, params: this.#params, key, periodMs, timeoutMs: this.#timeoutMs, args,
      }
      // Outside workflow code (or in a step) nothing is recorded.
      const done = exec && id !== undefined ? debounceInWorkflow(request, exec, id) : debounceRow(request, undefined)
      return done.then((workflowID) => new Handle<TReturn>(ctx.engine, workflowID))
    } catch (e) {
      return Promise.reject(e)
    }
  }
}

function registrationOf(registry: Registry, fn: object): WorkflowRegistration {
  const reg = registry.ofWrapper(fn)
  if (!reg) {
    const name = (fn as { name?: string }).name || 'anonymous'
    throw new DBOSNotRegisteredError(name, `Debouncer needs a function returned by DBOS.registerWorkflow; '${name}' is not one`)
  }
  if ('instanceMethod' in reg && reg.instanceMethod) {
    throw new DBOSError(`Workflow ${reg.className}.${reg.name} is a ConfiguredInstance method; such workflows cannot be debounced`)
  }
  return reg
}

/** Start parameters a debounced workflow cannot honour (docs/sysdb.md §7.1). */
function rejectStartParams(params: StartWorkflowParams): void {
  const options = (params.enqueueOptions ?? {}) as Record<string, unknown>
  const loose = params as Record<string, unknown>
  const refused = [
    options.deduplicationID !== undefined && 'enqueueOptions.deduplicationID (the debounce key is the deduplication ID)',
    options.priority !== undefined && 'enqueueOptions.priority',
    options.queuePartitionKey !== undefined && 'enqueueOptions.queuePartitionKey',
    (options.delaySeconds ?? loose.delaySeconds) !== undefined && 'delaySeconds (the debounce period is the delay)',
    loose.duplicationPolicy === 'return-existing' && "duplicationPolicy: 'return-existing'",
    loose.workflowIDReusePolicy === 'reject' && "workflowIDReusePolicy: 'reject'",
  ].filter((r): r is string => typeof r === 'string')
  if (refused.length > 0) throw new DBOSError(`Debouncer startWorkflowParams cannot set ${refused.join(', ')}`)
}

interface DebounceRequest {
  engine: Engine
  reg: WorkflowRegistration
  params: StartParams
  key: string
  periodMs: number
  timeoutMs: number | undefined
  args: unknown[]
}

/**
 * In workflow code: replay returns the recorded workflow ID; a first run writes the checkpoint in the same
 * transaction as the bounce or the insert, so a crash can neither lose the debounce nor record it twice.
 */
async function debounceInWorkflow(request: DebounceRequest, exec: Execution, id: number): Promise<string> {
  const engine = request.engine
  const op = engine.recorded(exec, id, DEBOUNCE_OPERATION)
  if (op) return (await recordedValue(engine, op)) as string
  const { serialization, runtime } = engine.settings
  const startedAt = runtime.timer.now()
  return await debounceRow(request, async (tx, workflowID) => {
    await engine.checkpointIn(tx, exec, {
      functionID: id,
      name: DEBOUNCE_OPERATION,
      output: await serialization.encode(workflowID, serialization.appFormat),
      error: null,
      childWorkflowID: workflowID,
      startedAt,
      completedAt: runtime.timer.now(),
      serialization: serialization.appFormat,
    })
  })
}

/**
 * Spec §7.1 steps 1–3: bounce the key's DELAYED row, or insert one, or fail when the key is held by something
 * that is not this debouncer's. Returns the workflow ID the caller's arguments now belong to.
 * @param record runs inside the transaction that bounced or inserted the row (the workflow checkpoint)
 */
async function debounceRow(
  r: DebounceRequest,
  record: ((tx: SystemDatabase, workflowID: string) => Promise<void>) | undefined,
): Promise<string> {
  const { engine, reg, params } = r
  const { sys, runtime } = engine.settings
  const queueName = params.queueName ?? INTERNAL_QUEUE
  const target: DebounceTarget = {
    name: reg.name,
    className: reg.className || null,
    queueName,
    deduplicationID: `${reg.className}.${reg.name}-${r.key}`,
  }
  if (params.queueName !== undefined) {
    await validateEnqueue(
      { queueName, enqueueOptions: { deduplicationID: target.deduplicationID } },
      (name) => sys.queueExists(name),
    )
  }
  const format = engine.formatFor(reg)
  const inputs = await engine.encodeArgs(reg, r.args, format)
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const now = runtime.timer.now()
    const bounced = await sys.transaction(async (tx) => {
      const workflowID = await tx.bounceDebounced(target, now + r.periodMs, format, inputs)
      if (workflowID !== undefined) await record?.(tx, workflowID)
      return workflowID
    })
    if (bounced !== undefined) return bounced
    const holder = await sys.readDedupHolder(queueName, target.deduplicationID)
    if (!holder) {
      const inserted = await insertNew(r, target, inputs, format, now, record)
      if (inserted !== undefined) return inserted
      continue // Another caller inserted the key's row first: bounce that one.
    }
    const foreign = holder.application_name !== null && sys.appName !== null && holder.application_name !== sys.appName
    if (!holder.is_debounced || holder.name !== reg.name || (holder.class_name ?? '') !== reg.className || foreign) {
      throw new DBOSQueueDuplicatedError(params.workflowID ?? '', queueName, target.deduplicationID)
    }
    // The holder is leaving DELAYED right now (its deduplication ID is being cleared): go again.
  }
  throw new DBOSError(`Debouncing key '${r.key}' of workflow ${reg.name} kept racing with other writers; try again`)
}

/** Inserts the key's DELAYED row; undefined when another row took the deduplication ID first. */
async function insertNew(
  r: DebounceRequest,
  target: DebounceTarget,
  inputs: string,
  format: string,
  now: number,
  record: ((tx: SystemDatabase, workflowID: string) => Promise<void>) | undefined,
): Promise<string | undefined> {
  const { engine, reg, params } = r
  const { sys } = engine.settings
  const workflowID = params.workflowID ?? crypto.randomUUID()
  const deadline = r.timeoutMs === undefined ? null : now + r.timeoutMs
  const delayUntil = deadline === null ? now + r.periodMs : Math.min(now + r.periodMs, deadline)
  const row = engine.newRow(reg, workflowID, inputs, format, {
    queueName: target.queueName,
    timeoutMS: params.timeoutMS ?? null,
    enqueueOptions: { deduplicationID: target.deduplicationID },
  })
  try {
    const stored = await sys.transaction(async (tx) => {
      const result = await tx.insertDebounced(row, delayUntil, deadline)
      await record?.(tx, workflowID)
      return result
    })
    // An ID given in startWorkflowParams may already exist: the caller gets that workflow, never a re-run.
    engine.checkConflict(stored, row)
    return workflowID
  } catch (e) {
    if (sqlState(e) === '23505') return undefined
    throw e
  }
}
