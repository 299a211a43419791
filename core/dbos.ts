import { type DBOSConfig, validateConfig } from './config.ts'
import type { EnqueueOptions, Engine, StartParams } from './engine/engine.ts'
import { awaitedResult, Handle, type WorkflowHandle } from './engine/handle.ts'
import { recordedValue, recordOperation } from './engine/operations.ts'
import { type AnyFn, Registry, type WorkflowConfig, type WorkflowRegistration } from './engine/registry.ts'
import { durableSleep } from './engine/sleep.ts'
import { deprecatePatch, patch } from './engine/patching.ts'
import { nextOperationID, nextOperationPair } from './engine/workflow-ids.ts'
import { getEvent, setEvent } from './engine/events.ts'
import { recv, sendFromWorkflow, sendPlain } from './engine/messages.ts'
import { readStream, writeStream } from './engine/streams.ts'
import { createStreamRoutes, type StreamRoutesOptions } from './streams/sse.ts'
import type { Hono } from 'hono'
import { startChild, startTopLevel } from './engine/start.ts'
import type { WorkflowStatus } from './engine/status.ts'
import type { StepInfo } from './engine/steps-info.ts'
import { runStepAt, type StepConfig } from './engine/step.ts'
import type { Frame, StepStatus } from './engine/workflow-context.ts'
import {
  DBOSConflictingRegistrationError,
  DBOSExecutorNotInitializedError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNotRegisteredError,
} from './errors.ts'
import { type Launched, launchSystem } from './lifecycle.ts'
import { ConsoleLogger, type DBOSLogger } from './logger.ts'
import type { ContextStorage } from './ports/context.ts'
import { validateEnqueue } from './queue/enqueue.ts'
import { checkDuration, checkLookupID, checkText, MAX_KEY_BYTES } from './internal/input-checks.ts'
import { type RegisterQueueOptions, registeredLimits } from './queue/workflow-queue.ts'
import { currentRuntime } from './runtime.ts'
import type { GetWorkflowsInput } from './management/list-input.ts'
import { cancelWorkflows, type CancelWorkflowsOptions, deleteWorkflows, type ForkOptions, forkWorkflow, resumeWorkflows } from './management/control.ts'
import { listQueuedWorkflows, listWorkflows, listWorkflowSteps } from './management/inspect.ts'
import { sendMessage } from './management/send.ts'
import { registerHandleReviver } from './serialization/serializer.ts'
import { ConfiguredInstance } from './engine/configured-instance.ts'
import { parseCrontab } from './scheduler/crontab.ts'
import { declareSchedule, type ScheduleConfig } from './scheduler/schedules.ts'
import { setDebouncerContext } from './debouncer/debouncer.ts'
import { methodDecorator, type StandardMethodDecorator, type StartableMethods } from './decorators.ts'
import { DBOSError as ScheduleError } from './errors.ts'
import * as schedules from './management/schedules.ts'
import { refreshSchedules } from './scheduler/scheduler.ts'
// DBOS 5.3 static members
import { trace, type Span, type Tracer } from '@opentelemetry/api'
import { ambient, ambientStart, withAmbient } from './engine/ambient.ts'
import { type EnqueueWorkflowOptions, enqueueByOptions } from './engine/enqueue-by-options.ts'
import * as external from './engine/external-info.ts'
import { readStreamOffset } from './engine/stream-offset.ts'
import { waitForWorkflows } from './engine/wait.ts'
import { DBOSError } from './errors.ts'
import * as versions from './management/application-versions.ts'
import { migrateSystemDatabase } from './management/migrate.ts'
import { type SetWorkflowDelayOptions, setWorkflowDelay, setWorkflowPriority } from './management/queue-place.ts'
import * as queues from './management/queues.ts'
import { type RewindOptions, rewindWorkflow } from './management/rewind.ts'
import { setLaunchQueueStore, type WorkflowQueue } from './queue/workflow-queue.ts'
import { registerSerializationRecipe, type SerializationRecipe } from './serialization/serializer.ts'

/** Options of `DBOS.startWorkflow` (the guide's StartWorkflowParams). */
export interface StartWorkflowParams {
  /** The workflow's ID, an idempotency key; a random UUID by default. */
  workflowID?: string
  /** Enqueue on this queue instead of starting now. */
  queueName?: string
  /** Start-to-completion timeout in ms (from dequeue for a queued workflow); the workflow and its children are cancelled when it expires. */
  timeoutMS?: number | null
  enqueueOptions?: EnqueueOptions
}

const registry = new Registry()
/** Schedules of methods whose @DBOS.workflow() decorator has not registered them yet. */
const pendingSchedules = new WeakMap<object, ScheduleConfig>()
/** Class names given with @DBOS.className, for methods registered after the class decorator ran. */
const classAliases = new WeakMap<object, string>()
/** The alert handler set before launch; Perdure has no alert source, so it is kept but never called. */
let alertHandler: external.AlertHandler | undefined
// Debouncers reach whichever launch is current, so their handles survive a shutdown and relaunch.
setDebouncerContext({ engine, registry })
// Handles stored by js_superjson come back as live handles.
registerHandleReviver((id) => new Handle(engine, id))
// Queue objects not bound to a client read and write through whichever launch is current.
setLaunchQueueStore(() => engine().settings.sys)
const logger = new ConsoleLogger()
let config: DBOSConfig = {}
let launched: Launched | undefined
let launching: Promise<void> | undefined
let context: ContextStorage<Frame> | undefined

function frame(): Frame | undefined {
  return context?.getStore()
}

/** Internal (tests and the admin server): the current launch, if any. Not part of the public API. */
export function launchedSystem(): Launched | undefined {
  return launched
}

function launchedOrThrow(): Launched {
  if (!launched) throw new DBOSExecutorNotInitializedError()
  return launched
}

function engine(): Engine {
  return launchedOrThrow().engine
}

function workflowOnly(operation: string): Extract<Frame, { kind: 'workflow' }> {
  const f = frame()
  if (f?.kind !== 'workflow') {
    throw new DBOSInvalidWorkflowTransitionError(`${operation} can only be called from workflow code (not from a step or outside a workflow)`)
  }
  return f
}

function workflowFrame(operation: string): Extract<Frame, { kind: 'workflow' }> | undefined {
  const f = frame()
  if (f?.kind === 'step') {
    throw new DBOSInvalidWorkflowTransitionError(`${operation} cannot be called from a step; call it from the workflow`)
  }
  return f
}

async function launchNow(): Promise<void> {
  context ??= currentRuntime().createContext<Frame>()
  launched = await launchSystem(config, registry, logger, context)
}

/**
 * The Perdure entry point, with DBOS Transact's static API.
 * @example
 * DBOS.setConfig({ name: 'shop' })
 * const checkout = DBOS.registerWorkflow(async (id: string) => DBOS.runStep(() => charge(id)), { name: 'checkout' })
 * await DBOS.launch()
 * await checkout('order-1')
 */
export class DBOS {
  /** Sets the configuration used by the next `launch()`; throws DBOSInitializationError naming any invalid field. */
  static setConfig(newConfig: DBOSConfig): void {
    config = validateConfig(newConfig)
  }

  /** Connects to the system database, migrates it, recovers unfinished work and starts dispatching. */
  static async launch(): Promise<void> {
    if (launched) return
    launching ??= launchNow().finally(() => {
      launching = undefined
    })
    await launching
    for (const callback of external.lifecycleCallbacks()) await callback.initialize?.()
  }

  /** Stops dispatching and closes the database. Running workflows stop at their next step and are recovered at the next launch. */
  static async shutdown(): Promise<void> {
    if (launching) await launching.catch(() => {})
    const current = launched
    if (!current) return
    for (const callback of external.lifecycleCallbacks()) await callback.destroy?.()
    launched = undefined
    await current.stop()
  }

  /** Registers a workflow function; call the returned function to run it durably. */
  static registerWorkflow<TArgs extends unknown[], TReturn>(
    fn: (...args: TArgs) => Promise<TReturn>,
    options: WorkflowConfig = {},
  ): (...args: TArgs) => Promise<TReturn> {
    const name = options.name ?? fn.name
    if (!name) throw new TypeError('registerWorkflow needs a named function or a { name } option')
    checkText('workflow name', name, MAX_KEY_BYTES)
    const reg: WorkflowRegistration = {
      name,
      className: '',
      fn: fn as AnyFn,
      maxRecoveryAttempts: options.maxRecoveryAttempts ?? 100,
      serialization: options.serialization,
    }
    const wrapper = (...args: TArgs): Promise<TReturn> => invokeWorkflow<TReturn>(reg, args)
    Object.defineProperty(wrapper, 'name', { value: name })
    registry.add(reg, wrapper)
    return wrapper
  }

  /** Registers a function as a step: called from a workflow, its outcome is checkpointed. */
  static registerStep<TArgs extends unknown[], TReturn>(
    fn: (...args: TArgs) => Promise<TReturn> | TReturn,
    config: StepConfig = {},
  ): (...args: TArgs) => Promise<TReturn> {
    const name = config.name ?? fn.name
    // As in DBOS 5.3: a step registered while launched is refused (DBOSConflictingRegistrationError).
    registry.checkOpen(`step '${name}'`)
    const wrapper = function (this: unknown, ...args: TArgs): Promise<TReturn> {
      return DBOS.runStep(() => fn.apply(this, args), { ...config, name })
    }
    Object.defineProperty(wrapper, 'name', { value: name })
    return wrapper
  }

  /** Runs fn as a durable step of the current workflow (or plainly, outside a workflow or inside a step). */
  static runStep<TReturn>(fn: () => Promise<TReturn> | TReturn, config: StepConfig = {}): Promise<TReturn> {
    const f = frame()
    // Outside a workflow, or inside another step: an ordinary call, part of the enclosing step if any.
    if (f?.kind !== 'workflow') return Promise.resolve().then(fn)
    const name = config.name || fn.name || 'step'
    // Recorded as operation_outputs.function_name, which is indexed.
    checkText('step name', name, MAX_KEY_BYTES)
    return runStepAt(f.exec.engine, f.exec, nextOperationID(f.exec), name, fn, config)
  }

  /** Starts a registered workflow in the background and returns its handle. */
  static startWorkflow<TArgs extends unknown[], TReturn>(
    target: (...args: TArgs) => Promise<TReturn>,
    params?: StartWorkflowParams,
  ): (...args: TArgs) => Promise<WorkflowHandle<TReturn>>
  /** Starts decorated workflow methods of a class (static) or of a ConfiguredInstance in the background. */
  static startWorkflow<T extends object>(target: T, params?: StartWorkflowParams): StartableMethods<T>
  static startWorkflow(target: object, params: StartWorkflowParams = {}): unknown {
    const reg = typeof target === 'function' ? registry.ofWrapper(target) : undefined
    if (reg) return (...args: unknown[]) => startRegistered(reg, args, params, reg.target)
    if (typeof target === 'function' && Object.getOwnPropertyNames(target).every((k) => !registry.ofWrapper((target as unknown as Record<string, object>)[k] ?? {}))) {
      throw new DBOSNotRegisteredError(
        target.name,
        `startWorkflow needs a function returned by DBOS.registerWorkflow, a class with @DBOS.workflow() methods or a ConfiguredInstance; '${target.name || 'anonymous'}' is none of these`,
      )
    }
    return new Proxy({}, {
      get(_, property) {
        const method = (target as Record<PropertyKey, unknown>)[property]
        const methodReg = typeof method === 'function' ? registry.ofWrapper(method) : undefined
        if (!methodReg) throw new DBOSNotRegisteredError(String(property), `${String(property)} is not a workflow (decorate it with @DBOS.workflow())`)
        return (...args: unknown[]) => startRegistered(methodReg, args, params, target)
      },
    })
  }

  /**
   * Decorator: makes a method (static, or of a ConfiguredInstance) a workflow. Works with standard (TC39)
   * decorators and with TypeScript's experimentalDecorators.
   * @example class Orders { @DBOS.workflow() static async checkout(id: string) { … } }
   */
  static workflow(config: WorkflowConfig = {}): MethodDecorator & StandardMethodDecorator {
    return methodDecorator((method, name, className, isStatic, target) => {
      checkText('workflow name', config.name ?? name, MAX_KEY_BYTES)
      const reg: WorkflowRegistration = {
        name: config.name ?? name,
        className: classAliases.get(isStatic ? target as object : (target as object).constructor) ?? className,
        fn: method as AnyFn,
        maxRecoveryAttempts: config.maxRecoveryAttempts ?? 100,
        serialization: config.serialization,
        ...(isStatic ? { target } : { instanceMethod: true }),
      }
      const wrapper = function (this: unknown, ...args: unknown[]) {
        // DBOS.className may re-register the method under its class's new name.
        const current = registry.ofWrapper(wrapper) ?? reg
        return invokeWorkflow(current, args, isStatic ? current.target : this)
      }
      Object.defineProperty(wrapper, 'name', { value: name })
      return {
        wrapper,
        register: (key: object) => {
          registry.add(reg, key)
          const schedule = pendingSchedules.get(method)
          if (schedule) declareSchedule(reg, schedule)
        },
      }
    })
  }

  /**
   * Runs a registered workflow on a cron schedule, exactly once per slot across every process; it receives
   * `(scheduledTime, actualTime)`. Declare before launch.
   * @example DBOS.registerScheduled(nightly, { crontab: '0 0 3 * * *' })
   */
  static registerScheduled<TReturn>(
    workflow: (scheduledTime: Date, actualTime: Date) => Promise<TReturn>,
    config: ScheduleConfig,
  ): void {
    const reg = registry.ofWrapper(workflow)
    if (!reg) throw new DBOSNotRegisteredError(workflow.name, `registerScheduled needs a function returned by DBOS.registerWorkflow; '${workflow.name || 'anonymous'}' is not one`)
    declareSchedule(reg, config)
  }

  /**
   * Decorator: runs a decorated workflow method on a cron schedule (use together with `@DBOS.workflow()`).
   * @example @DBOS.workflow() @DBOS.scheduled({ crontab: '*\/30 * * * * *' }) static async tick(s: Date, a: Date) {}
   */
  static scheduled(config: ScheduleConfig): MethodDecorator & StandardMethodDecorator {
    parseCrontab(config.crontab)
    const decorate = (method: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor): unknown => {
      const fn = (descriptor ? descriptor.value : method) as object
      const reg = registry.ofWrapper(fn)
      // Applied after @DBOS.workflow(): the method is already the registered wrapper. Otherwise remember the
      // schedule until @DBOS.workflow() registers this very method.
      if (reg) declareSchedule(reg, config)
      else pendingSchedules.set(fn, config)
      return descriptor ?? method
    }
    return decorate as MethodDecorator & StandardMethodDecorator
  }

  /**
   * Decorator: makes a method a step (checkpointed when called from a workflow), with optional retries.
   * @example @DBOS.step({ retriesAllowed: true, maxAttempts: 5 }) static async fetchRate() { … }
   */
  static step(config: StepConfig = {}): MethodDecorator & StandardMethodDecorator {
    return methodDecorator((method, name) => {
      const wrapper = function (this: unknown, ...args: unknown[]) {
        return DBOS.runStep(() => (method as AnyFn).apply(this, args), { ...config, name: config.name ?? name })
      }
      Object.defineProperty(wrapper, 'name', { value: name })
      return { wrapper, register: () => {} }
    })
  }

  /**
   * Declares a queue after launch (or from code that runs later), stored in the `queues` table so every
   * process of the application dispatches it within a second; returns it as stored (with `never_update`, an
   * existing row's limits). Its setters change the limits for every executor.
   * @example const queue = await DBOS.registerQueue('reports', { workerConcurrency: 2 })
   */
  static async registerQueue(name: string, options: RegisterQueueOptions = {}): Promise<WorkflowQueue> {
    registeredLimits(name, options)
    const { engine: eng, dispatcher } = launchedOrThrow()
    const { sys, runtime } = eng.settings
    const mode = options.onConflict ?? 'update_if_latest_version'
    const update = mode === 'always_update' || (mode === 'update_if_latest_version' && dispatcher.isLatestVersion)
    const queue = await queues.registerQueue(sys, name, options, update, runtime.timer.now())
    dispatcher.refresh()
    return queue
  }

  /** A handle on an existing workflow by ID. */
  static retrieveWorkflow<TReturn = unknown>(workflowID: string): WorkflowHandle<TReturn> {
    engine()
    checkLookupID('workflowID', workflowID)
    return new Handle<TReturn>(engine, workflowID)
  }

  /** The status of a workflow, or null if there is none with this ID. */
  static async getWorkflowStatus(workflowID: string): Promise<WorkflowStatus | null> {
    checkLookupID('workflowID', workflowID)
    return await new Handle(engine, workflowID).getStatus()
  }

  /** Workflows matching the filters, ordered by creation time. */
  static async listWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    const { sys, serialization } = engine().settings
    return await listWorkflows(sys, serialization, input)
  }

  /** Workflows currently on a queue (ENQUEUED or PENDING), with the same filters as listWorkflows. */
  static async listQueuedWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    const { sys, serialization } = engine().settings
    return await listQueuedWorkflows(sys, serialization, input)
  }

  /**
   * Cancels a workflow (with `cancelChildren`, its descendants too): it stops at its next step, and its queue
   * slot is freed.
   * @example await DBOS.cancelWorkflow(orderID, { cancelChildren: true })
   */
  static async cancelWorkflow(workflowID: string, options?: CancelWorkflowsOptions): Promise<void> {
    await recordedInternal('DBOS.cancelWorkflow', async () => {
      const eng = engine()
      await cancelWorkflows(eng.settings.sys, { workflowID }, eng, options)
    })
  }

  /**
   * Deletes a workflow's status, inputs, outputs, steps, messages, events and streams, and with
   * `deleteChildren` those of all its descendants. Delete only finished workflows: a running one loses its record.
   */
  static async deleteWorkflow(workflowID: string, deleteChildren = false): Promise<void> {
    await recordedInternal('DBOS.deleteWorkflow', async () => {
      await deleteWorkflows(engine().settings.sys, { workflowID }, deleteChildren)
    })
  }

  /**
   * Runs a workflow again from its last recorded step: cancelled, dead-lettered, or still enqueued (it then
   * skips its queue). Finished steps are not run again.
   */
  static async resumeWorkflow<T>(workflowID: string): Promise<WorkflowHandle<Awaited<T>>> {
    await recordedInternal('DBOS.resumeWorkflow', async () => {
      const eng = engine()
      await resumeWorkflows(eng.settings.sys, { workflowID }, eng)
    })
    return new Handle<Awaited<T>>(engine, workflowID)
  }

  /**
   * Starts a new execution of a workflow that replays its steps below `startStep` and runs the rest.
   * @example const handle = await DBOS.forkWorkflow(id, 2, { applicationVersion: 'v2' })
   */
  static async forkWorkflow<T>(
    workflowID: string,
    startStep: number,
    options: ForkOptions = {},
  ): Promise<WorkflowHandle<Awaited<T>>> {
    const newID = await recordedInternal('DBOS.forkWorkflow', async () => {
      const eng = engine()
      return await forkWorkflow(eng.settings.sys, workflowID, startStep, options, eng)
    })
    return new Handle<Awaited<T>>(engine, newID)
  }

  /** The recorded steps of a workflow, in order; undefined if the workflow does not exist. */
  static async listWorkflowSteps(workflowID: string): Promise<StepInfo[] | undefined> {
    const { sys, serialization } = engine().settings
    return await listWorkflowSteps(sys, serialization, workflowID)
  }

  /** Waits for a workflow's result. */
  static async getResult<TReturn = unknown>(workflowID: string): Promise<TReturn> {
    checkLookupID('workflowID', workflowID)
    return await new Handle<TReturn>(engine, workflowID).getResult()
  }

  /** Durable sleep inside a workflow (survives restarts); a plain timer elsewhere. */
  static async sleep(durationMS: number): Promise<void> {
    checkDuration('durationMS', durationMS, 'milliseconds')
    const f = workflowFrame('DBOS.sleep')
    if (!f) {
      // Timers take at most a signed 32-bit delay (a longer one fires at once): wait in chunks.
      const timer = currentRuntime().timer
      const end = timer.now() + durationMS
      for (let left = durationMS; left > 0; left = end - timer.now()) {
        await new Promise<void>((r) => timer.schedule(Math.min(left, MAX_TIMER_MS), r))
      }
      return
    }
    await durableSleep(f.exec.engine, f.exec, nextOperationID(f.exec), durationMS)
  }

  /** Alias of `sleep`. */
  static sleepms(durationMS: number): Promise<void> {
    return DBOS.sleep(durationMS)
  }

  /** Durable sleep in seconds. */
  static async sleepSeconds(durationSeconds: number): Promise<void> {
    checkDuration('durationSeconds', durationSeconds, 'seconds')
    await DBOS.sleep(durationSeconds * 1000)
  }

  /**
   * Sends a message to a workflow, on a topic. From a workflow it is sent exactly once; from elsewhere, pass
   * an idempotency key for that guarantee.
   * @example await DBOS.send(orderID, { paid: true }, 'payment')
   */
  static async send<T>(destinationID: string, message: T, topic?: string, idempotencyKey?: string): Promise<void> {
    const f = frame()
    if (f?.kind === 'workflow') return await sendFromWorkflow(f.exec.engine, f.exec, nextOperationID(f.exec), destinationID, message, topic)
    // From a step: checked against the step's ownership of its workflow, at least once.
    if (f) return await sendPlain(f.exec.engine, f.exec, destinationID, message, topic, idempotencyKey)
    const eng = engine()
    await sendMessage(eng.settings.sys, eng.settings.serialization, { destinationID, message, topic, idempotencyKey }, eng.signals)
  }

  /** Waits for the next message on a topic (default: messages sent without one); null after the timeout (default 60 s). */
  static async recv<T>(topic?: string, timeoutSeconds = 60): Promise<T | null> {
    const f = workflowOnly('DBOS.recv')
    return await recv<T>(f.exec.engine, f.exec, nextOperationPair(f.exec), topic, timeoutSeconds)
  }

  /** Publishes (or updates) a key-value event of the current workflow. */
  static async setEvent<T>(key: string, value: T): Promise<void> {
    const f = workflowOnly('DBOS.setEvent')
    await setEvent(f.exec.engine, f.exec, nextOperationID(f.exec), key, value)
  }

  /** Waits for an event of a workflow; null after the timeout (default 60 s). Recorded when called from a workflow. */
  static async getEvent<T>(workflowID: string, key: string, timeoutSeconds = 60): Promise<T | null> {
    const f = frame()
    if (f?.kind === 'workflow') return await getEvent<T>(f.exec.engine, f.exec, nextOperationPair(f.exec), workflowID, key, timeoutSeconds)
    return await getEvent<T>(f ? f.exec.engine : engine(), undefined, undefined, workflowID, key, timeoutSeconds)
  }

  /** Appends a value to one of the current workflow's streams (from the workflow, or from its steps). */
  static async writeStream<T>(key: string, value: T): Promise<void> {
    const f = frame()
    if (!f) throw new DBOSInvalidWorkflowTransitionError('DBOS.writeStream must be called from a workflow or one of its steps')
    const id = f.kind === 'workflow' ? nextOperationID(f.exec) : undefined
    await writeStream(f.exec.engine, f.exec, id, f.kind === 'step' ? f.status.stepID : 0, key, value)
  }

  /** Closes one of the current workflow's streams; readers end after the values written before. */
  static async closeStream(key: string): Promise<void> {
    const f = frame()
    if (!f) throw new DBOSInvalidWorkflowTransitionError('DBOS.closeStream must be called from a workflow or one of its steps')
    const id = f.kind === 'workflow' ? nextOperationID(f.exec) : undefined
    await writeStream(f.exec.engine, f.exec, id, f.kind === 'step' ? f.status.stepID : 0, key, undefined, true)
  }

  /**
   * Reads a workflow's stream in order until it is closed or its workflow ends.
   * @example for await (const chunk of DBOS.readStream(id, 'tokens')) console.log(chunk)
   */
  static readStream<T>(workflowID: string, key: string): AsyncGenerator<T, void, unknown> {
    const f = frame()
    if (f?.kind === 'workflow') {
      const exec = f.exec
      return readStream<T>(exec.engine, workflowID, key, 0, { exec, nextID: () => nextOperationID(exec) })
    }
    return readStream<T>(f ? f.exec.engine : engine(), workflowID, key)
  }

  /**
   * A Hono sub-app that serves workflow streams to browsers as server-sent events; mount it in your app.
   * Requests need a stream token (see createStreamToken) or must pass `authorize`.
   * @example app.route('/api', DBOS.streamRoutes({ tokenSecret }))
   */
  static streamRoutes(options: StreamRoutesOptions = {}): Hono {
    return createStreamRoutes(engine, options)
  }

  /**
   * Safe upgrades: true for executions that reach this point after the patch was deployed, false for older
   * ones replaying history recorded before it. Needs `enablePatching: true`.
   * @example if (await DBOS.patch('use-baz')) await baz(); else await foo()
   */
  static async patch(patchName: string): Promise<boolean> {
    return await patch(workflowOnly('DBOS.patch').exec, patchName)
  }

  /** Always true: steps over a patch marker left by `DBOS.patch` if there is one, and never writes one. */
  static async deprecatePatch(patchName: string): Promise<boolean> {
    return deprecatePatch(workflowOnly('DBOS.deprecatePatch').exec, patchName)
  }

  /** The current time, recorded in a workflow so that replay sees the same value. */
  static now(): Promise<number> {
    return recordedInternal('DBOS.now', () => currentRuntime().timer.now())
  }

  /** A random UUID, recorded in a workflow so that replay sees the same value. */
  static randomUUID(): Promise<string> {
    return recordedInternal('DBOS.randomUUID', () => crypto.randomUUID())
  }

  /** The ID of the current workflow, if in one. */
  static get workflowID(): string | undefined {
    return frame()?.exec.workflowID
  }

  /** The ID of the current step, if in one. */
  static get stepID(): number | undefined {
    const f = frame()
    return f?.kind === 'step' ? f.status.stepID : undefined
  }

  /** The status of the current step, if in one. */
  static get stepStatus(): (StepStatus & { readonly cancelSignal: AbortSignal }) | undefined {
    const f = frame()
    // The execution's signal fires when its workflow is cancelled (here or, within a second, elsewhere), or
    // when it must stop for another reason (lost ownership, shutdown): either way the step's work is moot.
    if (f?.kind !== 'step') return undefined
    // Not enumerable: a step that returns its status (or spreads it) must not carry a live signal into its output.
    return Object.defineProperty({ ...f.status }, 'cancelSignal', { value: f.exec.abort.signal, enumerable: false }) as
      StepStatus & { readonly cancelSignal: AbortSignal }
  }

  /** True inside a workflow function (not inside its steps). */
  static isInWorkflow(): boolean {
    return frame()?.kind === 'workflow'
  }

  /** True inside a step. */
  static isInStep(): boolean {
    return frame()?.kind === 'step'
  }

  /** This process's executor ID. */
  static get executorID(): string {
    return launched?.engine.settings.executorID ?? config.executorID ?? 'local'
  }

  /** This process's application version (known after launch). */
  static get applicationVersion(): string {
    return engine().settings.appVersion
  }

  /** The logger. */
  static get logger(): DBOSLogger {
    return logger
  }

  /** True between a successful launch and shutdown. */
  static get isInitialized(): boolean {
    return launched !== undefined
  }

  // Schedules (DBOS 5.3): stored in workflow_schedules, fired by every executor of the owning application.

  /**
   * Stores an active schedule that runs `workflowFn(slot, context)` at every slot of a crontab, on every
   * executor of this application (once per slot), until paused or deleted. From a workflow it is a step.
   * @example await DBOS.createSchedule({ scheduleName: 'report', workflowFn: report, schedule: '0 3 * * *', context: { to: 'ops' } })
   */
  static async createSchedule(options: {
    scheduleName: string
    workflowFn: schedules.ScheduledWorkflowFn
    schedule: string
    context?: unknown
    options?: schedules.ScheduleOptions
  }): Promise<void> {
    const { workflowFn, options: extra, ...rest } = options ?? ({} as Partial<typeof options>)
    const target = DBOS.#scheduleTarget(workflowFn)
    const checked = schedules.scheduleOptions(extra)
    await DBOS.#scheduleWrite('DBOS.createSchedule', (host) => schedules.createSchedule(host, {
      ...target, ...rest, ...checked, applicationName: host.sys.appName,
    } as schedules.ScheduleDefinition))
  }

  /** Schedules by name; without `applicationName`, this application's and the unclaimed ones. */
  static async listSchedules(filters?: schedules.ScheduleListFilters): Promise<schedules.WorkflowSchedule[]> {
    const host = schedules.executorHost(engine())
    return await recordedInternal('DBOS.listSchedules', () => schedules.listSchedules(host, filters))
  }

  /** The schedule of that name, or null. */
  static async getSchedule(name: string): Promise<schedules.WorkflowSchedule | null> {
    const host = schedules.executorHost(engine())
    return await recordedInternal('DBOS.getSchedule', () => schedules.getSchedule(host, name))
  }

  /** Deletes a schedule (runs already enqueued stay); an unknown name is no error. */
  static async deleteSchedule(name: string): Promise<void> {
    await DBOS.#scheduleWrite('DBOS.deleteSchedule', (host) => schedules.deleteSchedule(host, name))
  }

  /** Stops a schedule firing, on every executor, until resumed; an unknown name is no error. */
  static async pauseSchedule(name: string): Promise<void> {
    await DBOS.#scheduleWrite('DBOS.pauseSchedule', (host) => schedules.setScheduleStatus(host, name, 'PAUSED'))
  }

  /** Lets a paused schedule fire again from its next slot; an unknown name is no error. */
  static async resumeSchedule(name: string): Promise<void> {
    await DBOS.#scheduleWrite('DBOS.resumeSchedule', (host) => schedules.setScheduleStatus(host, name, 'ACTIVE'))
  }

  /** Changes the given fields of a schedule (null clears a time zone or queue); DBOSError for an unknown name. */
  static async updateSchedule(name: string, updates: schedules.ScheduleChanges): Promise<void> {
    await DBOS.#scheduleWrite('DBOS.updateSchedule', (host) => schedules.updateSchedule(host, name, updates))
  }

  /**
   * Creates or redefines these schedules at once; an existing one keeps its status and last fired slot.
   * @example await DBOS.applySchedules([{ scheduleName: 'report', workflowFn: report, schedule: '0 3 * * *' }])
   */
  static async applySchedules(list: Array<{
    scheduleName: string
    workflowFn: schedules.ScheduledWorkflowFn
    schedule: string
    context?: unknown
    automaticBackfill?: boolean
    cronTimezone?: string
    queueName?: string
  }>): Promise<void> {
    const host = schedules.executorHost(engine())
    DBOS.#outsideWorkflows('applySchedules')
    if (!Array.isArray(list)) throw new ScheduleError('applySchedules takes an array of schedules')
    await schedules.applySchedules(host, list.map(({ workflowFn, ...rest }) => ({
      ...DBOS.#scheduleTarget(workflowFn), ...rest, applicationName: host.sys.appName,
    })))
    await refreshSchedules(engine())
  }

  /** Runs a schedule's workflow now, with the current time as its slot; DBOSError for an unknown name. */
  static async triggerSchedule(name: string): Promise<WorkflowHandle<unknown>> {
    const host = schedules.executorHost(engine())
    DBOS.#outsideWorkflows('triggerSchedule')
    return new Handle<unknown>(engine, await schedules.triggerSchedule(host, name))
  }

  /**
   * Enqueues every slot of a schedule in [start, end) that has not run yet (the IDs are the slots' own);
   * returns a handle per slot. DBOSError for an unknown name.
   */
  static async backfillSchedule(name: string, start: Date, end: Date): Promise<WorkflowHandle<unknown>[]> {
    const host = schedules.executorHost(engine())
    DBOS.#outsideWorkflows('backfillSchedule')
    const ids = await schedules.backfillSchedule(host, name, start, end)
    return ids.map((id) => new Handle<unknown>(engine, id))
  }

  /**
   * Runs a schedule write, then reloads this executor's schedules. In a workflow the write and its checkpoint
   * commit in one transaction: recovery finds both or neither, so it never repeats a create that already
   * happened (which would fail on the taken name).
   */
  static async #scheduleWrite(name: string, write: (host: schedules.ScheduleHost) => Promise<void>): Promise<void> {
    const eng = engine()
    const host = schedules.executorHost(eng)
    const f = frame()
    if (f?.kind !== 'workflow') {
      await write(host)
    } else {
      const id = nextOperationID(f.exec)
      const op = f.exec.engine.recorded(f.exec, id, name)
      if (op) {
        await recordedValue(f.exec.engine, op)
      } else {
        const started = eng.settings.runtime.timer.now()
        await host.sys.transaction(async (tx) => {
          await write({ ...host, sys: tx })
          await f.exec.engine.checkpointWriteIn(tx, f.exec, id, name, started)
        })
      }
    }
    await refreshSchedules(eng)
  }

  /** The registered workflow a schedule runs: a function or a static method, not an instance method. */
  static #scheduleTarget(fn: unknown): { workflowName: string; workflowClassName: string } {
    const reg = typeof fn === 'function' ? registry.ofWrapper(fn) : undefined
    if (!reg) {
      const name = typeof fn === 'function' ? fn.name || 'anonymous' : String(fn)
      throw new DBOSNotRegisteredError(name, `A schedule needs a registered workflow as workflowFn; '${name}' is not one`)
    }
    if (reg.instanceMethod) {
      throw new ScheduleError(`Cannot schedule instance method "${reg.name}". Only static methods and free functions can be used in schedules.`)
    }
    return { workflowName: reg.name, workflowClassName: reg.className }
  }

  /** These operations enqueue workflows outside the caller's history, so a workflow cannot replay them. */
  static #outsideWorkflows(operation: string): void {
    if (frame()) throw new ScheduleError(`${operation} cannot be called from within a workflow`)
  }

  // DBOS 5.3 static members: bulk management, rewind, queue places, versions, queues at run time, waits,
  // enqueue by name, context helpers and registration hooks.

  /**
   * Cancels workflows (with `cancelChildren`, their descendants too): each stops at its next step, and its
   * queue slot is freed. An unknown ID is no error.
   */
  static async cancelWorkflows(workflowIDs: string[], options?: CancelWorkflowsOptions): Promise<void> {
    await recordedInternal('DBOS.cancelWorkflow', async () => {
      const eng = engine()
      await cancelWorkflows(eng.settings.sys, { workflowIDs }, eng, options)
    })
  }

  /**
   * Runs workflows again from their last recorded steps, on `queueName` (default the internal queue); returns
   * their handles. DBOSNonExistentWorkflowError if any does not exist, DBOSError for a queue that does not;
   * then none is resumed.
   */
  static async resumeWorkflows<T>(workflowIDs: string[], options: { queueName?: string } = {}): Promise<WorkflowHandle<Awaited<T>>[]> {
    await recordedInternal('DBOS.resumeWorkflow', async () => {
      const eng = engine()
      await resumeWorkflows(eng.settings.sys, { workflowIDs }, eng, options ?? {})
    })
    return workflowIDs.map((id) => new Handle<Awaited<T>>(engine, id))
  }

  /** Deletes workflows (see deleteWorkflow), with `deleteChildren` their descendants too. */
  static async deleteWorkflows(workflowIDs: string[], deleteChildren = false): Promise<void> {
    await recordedInternal('DBOS.deleteWorkflow', async () => {
      await deleteWorkflows(engine().settings.sys, { workflowIDs }, deleteChildren)
    })
  }

  /**
   * Rewinds a finished workflow: its history from `startStep` (default 0) on is dropped and it runs again from
   * there under its own ID, on `queueName` (default the internal queue). Cancel a running workflow first.
   * @example const handle = await DBOS.rewindWorkflow(id, { startStep: 2 })
   */
  static async rewindWorkflow<T>(workflowID: string, options: RewindOptions = {}): Promise<WorkflowHandle<Awaited<T>>> {
    await recordedInternal('DBOS.rewindWorkflow', async () => {
      const eng = engine()
      await rewindWorkflow(eng.settings.sys, workflowID, options ?? {}, eng)
    })
    return new Handle<Awaited<T>>(engine, workflowID)
  }

  /** Sets the priority (0 … 2,147,483,647; lower runs first) of a workflow still ENQUEUED or DELAYED. */
  static async setWorkflowPriority(workflowID: string, priority: number): Promise<void> {
    const eng = engine()
    await recordedInternal('DBOS.setWorkflowPriority', () => setWorkflowPriority(eng.settings.sys, workflowID, priority))
  }

  /** Moves the end of a DELAYED workflow's delay: seconds from now, or `{ delaySeconds }` / `{ delayUntilEpochMS }`. */
  static async setWorkflowDelay(workflowID: string, options: number | SetWorkflowDelayOptions): Promise<void> {
    const eng = engine()
    const now = eng.settings.runtime.timer.now()
    await recordedInternal('DBOS.setWorkflowDelay', () => setWorkflowDelay(eng.settings.sys, workflowID, options, now))
  }

  /** The application versions this application sees, latest first. */
  static async listApplicationVersions(): Promise<versions.VersionInfo[]> {
    return await versions.listApplicationVersions(engine().settings.sys)
  }

  /** The latest application version; DBOSInitializationError when none is registered. */
  static async getLatestApplicationVersion(): Promise<versions.VersionInfo> {
    return await versions.getLatestApplicationVersion(engine().settings.sys)
  }

  /** Makes a version the latest (executors of other versions stop dequeuing unversioned work). */
  static async setLatestApplicationVersion(versionName: string, options: { applicationName?: string } = {}): Promise<void> {
    await versions.setLatestApplicationVersion(engine().settings.sys, versionName, options ?? {})
  }

  /** The queue stored under `name` (any application's), or null. */
  static async retrieveQueue(name: string): Promise<WorkflowQueue | null> {
    return await queues.retrieveQueue(engine().settings.sys, name)
  }

  /** Deletes a stored queue; workflows still on it wait until it is registered again. */
  static async deleteQueue(name: string): Promise<void> {
    const { engine: eng, dispatcher } = launchedOrThrow()
    await queues.deleteQueue(eng.settings.sys, name)
    dispatcher.refresh()
  }

  /** Stored queues of these applications and unclaimed ones; by default this application's. */
  static async listQueues(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    return await queues.listQueues(engine().settings.sys, applicationName)
  }

  /**
   * Waits until one of the workflows finishes, whatever its outcome, and returns its handle. In a workflow the
   * answer is recorded. Error for an empty list or a repeated ID.
   */
  static async waitFirst(handles: WorkflowHandle<unknown>[], options: { pollingIntervalMs?: number } = {}): Promise<WorkflowHandle<unknown>> {
    const eng = engine()
    if (!Array.isArray(handles) || handles.length === 0) throw new Error('handles must not be empty')
    const byID = new Map<string, WorkflowHandle<unknown>>()
    for (const h of handles) {
      if (byID.has(h.workflowID)) throw new Error(`Duplicate workflow ID in waitFirst: ${h.workflowID}`)
      byID.set(h.workflowID, h)
    }
    const poll = pollingInterval(options)
    const f = workflowFrame('DBOS.waitFirst')
    const first = await recordedInternal('DBOS.waitFirst', async () => {
      const done = await waitForWorkflows(eng, [...byID.keys()], 'first', poll, f?.exec)
      return [...byID.keys()].find((id) => done.includes(id))!
    })
    return byID.get(first)!
  }

  /** Waits until all the workflows finish, whatever their outcomes; returns the handles, in order. */
  static async waitAll<R>(handles: WorkflowHandle<R>[], options: { pollingIntervalMs?: number } = {}): Promise<WorkflowHandle<R>[]> {
    const eng = engine()
    if (!Array.isArray(handles)) throw new TypeError('waitAll takes an array of handles')
    if (handles.length === 0) return []
    const poll = pollingInterval(options)
    const f = workflowFrame('DBOS.waitAll')
    const ids = [...new Set(handles.map((h) => h.workflowID))]
    await recordedInternal('DBOS.waitAll', async () => {
      await waitForWorkflows(eng, ids, 'all', poll, f?.exec)
    })
    return handles
  }

  /**
   * The one value at `offset` of a workflow's stream, waited for (at most `timeoutSeconds`). Recorded in a workflow.
   * @throws DBOSStreamTimeoutError when the timeout passes or the stream ends before `offset`
   */
  static async readStreamOffset<T>(
    workflowID: string, key: string, offset: number, options: { timeoutSeconds?: number; pollingIntervalMs?: number } = {},
  ): Promise<T> {
    const f = workflowFrame('DBOS.readStreamOffset')
    const at = f ? { exec: f.exec, id: nextOperationID(f.exec) } : undefined
    return await readStreamOffset<T>(f ? f.exec.engine : engine(), at, workflowID, key, offset, options?.timeoutSeconds)
  }

  /**
   * Enqueues a workflow by name, as `DBOSClient.enqueue` does (it may run in another process, or language).
   * From a workflow it is a child of that workflow, recorded like a started one.
   * @example await DBOS.enqueueWorkflowWithOptions({ queueName: 'reports', workflowName: 'render' }, 42)
   */
  static async enqueueWorkflowWithOptions<T = unknown>(options: EnqueueWorkflowOptions, ...args: unknown[]): Promise<WorkflowHandle<T>> {
    return await DBOS.#enqueueByName<T>(options, args, undefined)
  }

  /** enqueueWorkflowWithOptions with `portable_json` arguments; named arguments are refused. */
  static async enqueueWorkflowWithOptionsPortable<T = unknown>(
    options: EnqueueWorkflowOptions, positionalArgs: unknown[], namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<T>> {
    return await DBOS.#enqueueByName<T>({ serializationType: 'portable', ...options }, positionalArgs, namedArgs)
  }

  static async #enqueueByName<T>(
    options: EnqueueWorkflowOptions, args: unknown[], namedArgs: Record<string, unknown> | undefined,
  ): Promise<WorkflowHandle<T>> {
    const f = workflowFrame('enqueueWorkflowWithOptions')
    const parent = f ? { exec: f.exec, id: nextOperationID(f.exec) } : undefined
    const start = ambientStart()
    const a = ambient()
    const eng = f ? f.exec.engine : engine()
    const id = await enqueueByOptions(eng, parent, options, args, namedArgs, {
      workflowID: start.workflowID, timeoutMS: start.timeoutMS,
      authenticatedUser: a?.authenticatedUser, authenticatedRoles: a?.authenticatedRoles,
    })
    return new Handle<T>(engine, id)
  }

  /** Gives the first workflow started in `callback` this ID. */
  static async withNextWorkflowID<R>(workflowID: string, callback: () => Promise<R>): Promise<R> {
    checkText('workflowID', workflowID, MAX_KEY_BYTES)
    return await withAmbient({ nextWorkflowID: { id: workflowID } }, callback)
  }

  /** Runs `callback` as `authedUser` with `authedRoles` (what DBOS.authenticatedUser and authenticatedRoles return there). */
  static async withAuthedContext<R>(authedUser: string, authedRoles: string[], callback: () => Promise<R>): Promise<R> {
    return await withAmbient({ authenticatedUser: authedUser, authenticatedRoles: [...authedRoles] }, callback)
  }

  /** Runs `callback`; the caller name is not recorded or used. */
  static async withNamedContext<R>(_callerName: string, callback: () => Promise<R>): Promise<R> {
    return await withAmbient({}, callback)
  }

  /** Puts every workflow started or called in `callback` on this queue. */
  static async withWorkflowQueue<R>(queueName: string, callback: () => Promise<R>): Promise<R> {
    checkText('queueName', queueName)
    return await withAmbient({ queueName }, callback)
  }

  /** Gives every workflow started or called in `callback` this timeout (null: none, not even a parent's deadline). */
  static async withWorkflowTimeout<R>(timeoutMS: number | null, callback: () => Promise<R>): Promise<R> {
    if (timeoutMS !== null) checkDuration('timeoutMS', timeoutMS, 'milliseconds')
    return await withAmbient({ timeoutMS }, callback)
  }

  /** The user set by the enclosing DBOS.withAuthedContext; '' without one. */
  static get authenticatedUser(): string {
    return ambient()?.authenticatedUser ?? ''
  }

  /** The roles set by the enclosing DBOS.withAuthedContext; [] without one. */
  static get authenticatedRoles(): string[] {
    return [...(ambient()?.authenticatedRoles ?? [])]
  }

  /** The role assumed for the current call: Perdure has no role checks, so always ''. */
  static get assumedRole(): string {
    return ''
  }

  /** True inside a workflow, its steps included. */
  static isWithinWorkflow(): boolean {
    return frame() !== undefined
  }

  /** Always false: Perdure has no transaction functions (use steps, or DBOSClient's outbox). */
  static isInTransaction(): boolean {
    return false
  }

  /** The OpenTelemetry tracer Perdure uses when `enableOTLP` is set; undefined otherwise. */
  static get tracer(): Tracer | undefined {
    return launched && config.enableOTLP ? trace.getTracer('perdure') : undefined
  }

  /** The current workflow's span when tracing (its steps share it), else the active OpenTelemetry span. */
  static get span(): Span | undefined {
    return frame()?.exec.span ?? trace.getActiveSpan()
  }

  /**
   * Class decorator: registers the class's workflows under `name` instead of the class's own name (recovery and
   * other processes find them by it). Apply it above the method decorators.
   * @example @DBOS.className('Orders') class OrdersV2 { @DBOS.workflow() static async checkout() { … } }
   */
  static className(name: string): <T extends new (...args: never[]) => object>(ctor: T, context?: unknown) => void {
    checkText('className', name, MAX_KEY_BYTES)
    return (ctor) => {
      const previous = classAliases.get(ctor)
      if (previous !== undefined && previous !== name) {
        throw new DBOSConflictingRegistrationError(`Attempt to assign name ${name} to class ${ctor.name}, which has already been aliased to ${previous}`)
      }
      classAliases.set(ctor, name)
      // Methods registered before this decorator ran (legacy decorators) are registered again under the name.
      for (const holder of [ctor, ctor.prototype as object]) {
        for (const key of Object.getOwnPropertyNames(holder)) {
          const value = Object.getOwnPropertyDescriptor(holder, key)?.value as unknown
          const reg = typeof value === 'function' ? registry.ofWrapper(value) : undefined
          if (reg && reg.className !== name) registry.add({ ...reg, className: name }, value as object)
        }
      }
    }
  }

  /** Registers a serialization recipe for values of a custom class (before launch). */
  static registerSerialization<T, S extends JSONValue>(recipe: SerializationRecipe<T, S>): void {
    if (launched) throw new TypeError('Serializers/deserializers should not be registered after DBOS.launch()')
    registerSerializationRecipe(recipe)
  }

  /** Registers a library's launch and shutdown callbacks. */
  static registerLifecycleCallback(callback: external.DBOSLifecycleCallback): void {
    external.registerLifecycleCallback(callback)
  }

  /** Asks each lifecycle callback to log the endpoints it serves (nothing before launch). */
  static logRegisteredEndpoints(): void {
    if (!launched) return
    for (const callback of external.lifecycleCallbacks()) callback.logRegisteredEndpoints?.()
  }

  /** The information `external` (a library) keeps about a class, created empty on first use. */
  static associateClassWithInfo(external_: object | string, cls: object | string): object {
    return external.associateClass(external_, cls)
  }

  /** Records a function for `external` (a library) and returns it with the information that library keeps about it. */
  static associateFunctionWithInfo<This, Args extends unknown[], Return>(
    external_: object | string, func: (this: This, ...args: Args) => Promise<Return>, target: external.FunctionName,
  ): { registration: external.MethodRegistrationBase; regInfo: object } {
    return external.associateFunction(external_, func, target)
  }

  /** The functions `external` associated information with: of one class (and one name), or all. */
  static getAssociatedInfo(external_: object | string, cls?: object | string, funcName?: string): readonly external.ExternalRegistration[] {
    return external.associatedInfo(external_, cls, funcName)
  }

  /**
   * Sets the handler for alerts from an operations service, before launch and once. Perdure has no such
   * service: the handler is kept, never called.
   */
  static setAlertHandler(handler: external.AlertHandler): void {
    if (launched) throw new DBOSError('Cannot set alert handler after DBOS.launch()')
    if (alertHandler) throw new DBOSError('Alert handler is already registered. Only one handler is allowed.')
    alertHandler = handler
  }

  /**
   * Creates or migrates a system database without launching (e.g. with a privileged role before deploying),
   * granting `applicationRole` the use of its tables if given.
   */
  static async migrate(systemDatabaseUrl: string, options: { schemaName?: string; applicationRole?: string } = {}): Promise<void> {
    await migrateSystemDatabase(currentRuntime(), systemDatabaseUrl, options ?? {})
  }
}

/** A polling interval option: positive and finite, default one second. */
function pollingInterval(options: { pollingIntervalMs?: number } | undefined): number {
  const ms = options?.pollingIntervalMs
  if (ms === undefined) return 1000
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw new DBOSError('pollingIntervalMs must be positive and finite')
  return ms
}

/** Start parameters for calling `reg` on `thisArg` (a ConfiguredInstance for instance methods). */
function instanceParams(reg: WorkflowRegistration, thisArg: unknown, params: StartParams): StartParams {
  if (!reg.instanceMethod) return params
  if (!(thisArg instanceof ConfiguredInstance)) {
    throw new TypeError(`Workflow ${reg.className}.${reg.name} is an instance method: call it on a ConfiguredInstance`)
  }
  return { ...params, instance: thisArg }
}

function invokeWorkflow<TReturn>(reg: WorkflowRegistration, args: unknown[], thisArg: unknown = reg.target): Promise<TReturn> {
  const f = workflowFrame(`Workflow ${reg.name}`)
  if (f) {
    // A direct call from a workflow is a child start (ID n) plus DBOS.getResult (ID n+1).
    const startID = nextOperationID(f.exec)
    const resultID = nextOperationID(f.exec)
    const params = ambientStart()
    return (async () => {
      const eng = f.exec.engine
      const full = await validateEnqueue(instanceParams(reg, thisArg, params), (name) => eng.settings.sys.queueExists(name))
      const handle = await startChild<TReturn>(eng, engine, f.exec, startID, reg, args, full)
      return (await awaitedResult(eng, f.exec, resultID, handle.workflowID)) as TReturn
    })()
  }
  const params = ambientStart()
  return (async () => {
    const eng = engine()
    const full = await validateEnqueue(instanceParams(reg, thisArg, params), (name) => eng.settings.sys.queueExists(name))
    const handle = await startTopLevel<TReturn>(eng, engine, reg, args, full)
    return await handle.getResult()
  })()
}

/** Starts `reg` in the background (a child when called from a workflow). */
function startRegistered<TReturn>(reg: WorkflowRegistration, args: unknown[], params: StartParams, thisArg: unknown) {
  const f = workflowFrame('startWorkflow')
  // The ID is taken before the first await, so concurrent starts in a workflow stay deterministic.
  const id = f ? nextOperationID(f.exec) : undefined
  const start = { ...ambientStart(), ...params }
  return (async () => {
    const eng = f ? f.exec.engine : engine()
    const full = await validateEnqueue(instanceParams(reg, thisArg, start), (name) => eng.settings.sys.queueExists(name))
    if (f && id !== undefined) return await startChild<TReturn>(eng, engine, f.exec, id, reg, args, full)
    return await startTopLevel<TReturn>(eng, engine, reg, args, full)
  })()
}

const MAX_TIMER_MS = 2 ** 31 - 1

/** The JSON a serialization recipe may produce (superjson's). */
type JSONValue = Parameters<typeof registerSerializationRecipe>[0] extends SerializationRecipe<unknown, infer J> ? J : never

async function recordedInternal<T>(name: string, produce: () => T | Promise<T>): Promise<T> {
  const f = frame()
  if (f?.kind !== 'workflow') return await produce()
  const exec = f.exec
  const id = nextOperationID(exec)
  const eng = exec.engine
  const op = eng.recorded(exec, id, name)
  if (op) return (await recordedValue(eng, op)) as T
  const started = eng.settings.runtime.timer.now()
  const value = await produce()
  await recordOperation(eng, exec, id, name, value, started)
  return value
}
