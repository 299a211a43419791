import type { RecordedOperation } from '../sysdb/system-database.ts'
import type { Span } from '@opentelemetry/api'
import type { Engine } from './engine.ts'

/** Status of the step being executed, as `DBOS.stepStatus` reports it. */
export interface StepStatus {
  stepID: number
  /** With retries: which attempt runs, from 1 (as DBOS 5.3 counts). */
  currentAttempt?: number
  maxAttempts?: number
  /** Fires when the step's workflow is cancelled (or must otherwise stop): set on what `DBOS.stepStatus` returns. */
  readonly cancelSignal?: AbortSignal
}

/** One execution of a workflow in this process. */
export interface Execution {
  /** The launch this execution belongs to; after a shutdown its operations fail instead of using a newer one. */
  readonly engine: Engine
  readonly workflowID: string
  /** Owner token: every write this execution makes must still match the row's owner_xid. */
  readonly token: string
  /** Row format for inputs, output and error. */
  readonly format: string
  /** Absolute deadline (epoch ms), if the workflow has a timeout. */
  readonly deadline: number | undefined
  /** Next function ID; taken synchronously by each operation so concurrent branches stay deterministic. */
  nextID: number
  /** Operations recorded by earlier executions, loaded in bulk before replay; empty for a fresh start. */
  readonly recorded: Map<number, RecordedOperation>
  /** Aborted when this execution must stop (cancelled, lost ownership, shutdown). */
  readonly abort: AbortController
  /** The workflow's trace span, parent of its steps' spans (when tracing is on). */
  span?: Span
  /** Set while workflow code reads a stream: reads take IDs one value at a time, so they must not interleave. */
  readingStream?: boolean
}

/** What the context storage holds while workflow code or a step runs. */
export type Frame =
  | { readonly kind: 'workflow'; readonly exec: Execution }
  | { readonly kind: 'step'; readonly exec: Execution; readonly status: StepStatus }
