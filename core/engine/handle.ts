import { isSystemOutage } from '../internal/retry.ts'
import type { Engine } from './engine.ts'
import { recordedValue, recordOperation } from './operations.ts'
import { toWorkflowStatus, type WorkflowStatus } from './status.ts'
import type { Execution } from './workflow-context.ts'

/** A handle on a workflow execution, active or finished. */
export interface WorkflowHandle<R> {
  /** The workflow's ID. */
  readonly workflowID: string
  /** Waits for the workflow to finish and returns its result (or throws its error). */
  getResult(): Promise<R>
  /** The workflow's status, or null if it does not exist. */
  getStatus(): Promise<WorkflowStatus | null>
  /** The workflow's deserialized arguments. */
  getWorkflowInputs<T extends unknown[] = unknown[]>(): Promise<T>
}

/** The handle implementation; results inside a workflow are checkpointed (`DBOS.getResult`). */
export class Handle<R> implements WorkflowHandle<R> {
  readonly workflowID: string
  readonly #engine: () => Engine

  constructor(engine: () => Engine, workflowID: string) {
    this.#engine = engine
    this.workflowID = workflowID
  }

  async getResult(): Promise<R> {
    const engine = this.#engine()
    const frame = engine.settings.context.getStore()
    if (frame?.kind !== 'workflow') return (await engine.result(this.workflowID, false)) as R
    // In workflow code the result is an operation of its own: replay returns what was recorded.
    const exec = frame.exec
    const id = exec.nextID++
    return (await awaitedResult(exec.engine, exec, id, this.workflowID)) as R
  }

  async getStatus(): Promise<WorkflowStatus | null> {
    const engine = this.#engine()
    const { sys, serialization, context } = engine.settings
    const read = async () => {
      const row = await sys.readStatus(this.workflowID)
      return row ? await toWorkflowStatus(row, serialization) : null
    }
    const frame = context.getStore()
    if (frame?.kind !== 'workflow') return await read()
    const exec = frame.exec
    const id = exec.nextID++
    const op = engine.recorded(exec, id, 'getStatus')
    if (op) return (await recordedValue(engine, op)) as WorkflowStatus | null
    const started = engine.settings.runtime.timer.now()
    const status = await read()
    await recordOperation(engine, exec, id, 'getStatus', status, started)
    return status
  }

  async getWorkflowInputs<T extends unknown[] = unknown[]>(): Promise<T> {
    const engine = this.#engine()
    const { sys, serialization } = engine.settings
    const row = await sys.readStatus(this.workflowID)
    return (row?.inputs ? await serialization.decodeArgs(row.inputs, row.serialization) : []) as T
  }
}

/** `DBOS.getResult` at function ID `id`: replayed from its checkpoint, or awaited and recorded. */
export async function awaitedResult(engine: Engine, exec: Execution, id: number, target: string): Promise<unknown> {
  const op = engine.recorded(exec, id, 'DBOS.getResult')
  if (op) return await recordedValue(engine, op)
  const started = engine.settings.runtime.timer.now()
  let value: unknown
  try {
    value = await engine.result(target, true)
  } catch (e) {
    // Losing the system database, or this execution being stopped, is no outcome of the awaited workflow's:
    // recorded, replay would throw it forever.
    if (isSystemOutage(e) || exec.abort.signal.aborted) throw e
    await recordOperation(engine, exec, id, 'DBOS.getResult', undefined, started, { error: e, child: target })
    throw e
  }
  await recordOperation(engine, exec, id, 'DBOS.getResult', value, started, { child: target })
  return value
}
