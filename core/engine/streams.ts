import { DBOSNonExistentWorkflowError, DBOSStreamNondeterminismError, DBOSWorkflowConflictError } from '../errors.ts'
import { checkIndex, checkKey, checkLookupID, checkText } from '../internal/input-checks.ts'
import { sqlState } from '../ports/database.ts'
import { PORTABLE } from '../serialization/serializer.ts'
import type { SystemDatabase } from '../sysdb/system-database.ts'
import { ShutdownSignal } from './control-flow.ts'
import { type Engine, sleepFor } from './engine.ts'
import { valueFormat } from './messages.ts'
import { recordedValue, recordOperation } from './operations.ts'
import { STREAMS_CHANNEL } from './signals.ts'
import type { Execution } from './workflow-context.ts'
import type { Serialization } from '../serialization/serializer.ts'
import type { Signals } from './signals.ts'

/** The value whose arrival closes a stream; stored in portable_json as exactly `"__DBOS_STREAM_CLOSED__"`. */
export const STREAM_CLOSED = '__DBOS_STREAM_CLOSED__'
const CLOSED_TEXT = JSON.stringify(STREAM_CLOSED)
const ACTIVE = new Set(['PENDING', 'ENQUEUED', 'DELAYED'])
const POLL_MS = 1000

/** Whether a stored stream value is the close marker (also in the legacy bare form). */
export function isCloseMarker(text: string, format: string | null): boolean {
  return text === STREAM_CLOSED || (text === CLOSED_TEXT && (format === PORTABLE || format === null))
}

/**
 * Appends to a stream (docs/sysdb.md §6.5). From workflow code, operation `id`, the write and its checkpoint commit
 * together (exactly once); from a step it is checked against the owner token and may repeat if the step is
 * retried. A concurrent writer can take the same offset: then it tries again.
 */
export async function writeStream(
  engine: Engine, exec: Execution, id: number | undefined, stepID: number, key: string, value: unknown, closing = false,
): Promise<void> {
  const name = closing ? 'DBOS.closeStream' : 'DBOS.writeStream'
  if (id !== undefined) {
    const op = engine.recorded(exec, id, name)
    if (op) {
      await recordedValue(engine, op)
      return
    }
  }
  // Checked only when the operation was not recorded: a workflow recorded under looser rules still replays.
  checkKey('key', key)
  const { sys, serialization, runtime } = engine.settings
  const format = closing ? PORTABLE : valueFormat(engine, exec)
  const text = closing ? CLOSED_TEXT : await serialization.encode(value, format, 'value')
  const started = runtime.timer.now()
  const write = { workflowID: exec.workflowID, key, value: text, functionID: id ?? stepID, format }
  for (;;) {
    try {
      await sys.transaction(async (tx) => {
        if (id === undefined) {
          if (!(await tx.checkOwner(exec.workflowID, exec.token))) throw new DBOSWorkflowConflictError(exec.workflowID)
          await tx.appendStream(write)
          return
        }
        await tx.appendStream(write)
        await engine.checkpointWriteIn(tx, exec, id, name, started)
      })
      break
    } catch (e) {
      if (sqlState(e) !== '23505') throw e
      // Another writer took this offset: try again with the next one.
      await sleepFor(runtime, 100)
    }
  }
  engine.published(STREAMS_CHANNEL, `${exec.workflowID}::${key}`)
}

/** Checks a stream read's arguments (DBOS.readStream, DBOSClient.readStream and readStreamOffset). */
export function checkStreamRead(workflowID: unknown, key: unknown, offset: unknown): void {
  checkLookupID('workflowID', workflowID)
  checkText('key', key)
  checkIndex('offset', offset)
}

/** Where a workflow's stream reads are recorded: IDs come one per value, so reads must not interleave. */
export interface StreamRecorder {
  exec: Execution
  nextID(): number
}

/**
 * Reads a stream from `offset` to its close (or the end of its writer), waking on NOTIFY and polling as a
 * fallback. In workflow code each value, and the end, is recorded as `DBOS.readStream` so replay returns the
 * same sequence.
 */
export async function* readStream<T>(
  engine: Engine, workflowID: string, key: string, offset = 0, recorder?: StreamRecorder,
): AsyncGenerator<T, void, unknown> {
  checkStreamRead(workflowID, key, offset)
  const reading = recorder?.exec
  if (reading?.readingStream) throw new DBOSStreamNondeterminismError(reading.workflowID)
  if (reading) reading.readingStream = true
  try {
    for (;;) {
      if (recorder) {
        const id = recorder.nextID()
        const op = engine.recorded(recorder.exec, id, 'DBOS.readStream')
        if (op) {
          const value = await recordedValue(engine, op)
          if (value === STREAM_CLOSED) return
          yield value as T
          offset++
          continue
        }
        const exec = recorder.exec
        const next = await nextValue(engineReader(engine), workflowID, key, offset, {
          check: () => engine.throwIfStopped(exec),
          signal: exec.abort.signal,
        })
        const started = engine.settings.runtime.timer.now()
        await recordOperation(engine, recorder.exec, id, 'DBOS.readStream', next.done ? STREAM_CLOSED : next.value, started)
        if (next.done) return
        yield next.value as T
        offset++
        continue
      }
      yield* streamValues<T>(engineReader(engine), workflowID, key, offset, shutdownGuard(engine))
      return
    }
  } finally {
    if (reading) reading.readingStream = false
  }
}

/** What reading needs: the system database, decoding, and wake-ups (a client's never fire: it polls). */
export interface ReaderContext {
  readonly sys: SystemDatabase
  readonly serialization: Serialization
  readonly signals: Signals
}

/** Lets workflow code stop a wait: checked each round, and its signal cuts the wait short. */
export interface ReadGuard {
  check(): void
  readonly signal: AbortSignal
}

/** The reading context of a running engine. */
export function engineReader(engine: Engine): ReaderContext {
  const { sys, serialization } = engine.settings
  return { sys, serialization, signals: engine.signals }
}

/** Stops a reader outside any workflow when its engine shuts down. */
export function shutdownGuard(engine: Engine): ReadGuard {
  const signal = engine.stopping.signal
  return {
    signal,
    check: () => {
      if (signal.aborted) throw (signal.reason as ShutdownSignal).toError()
    },
  }
}

/** Reads a stream from `offset` until it closes or its writer ends, with nothing recorded. */
export async function* streamValues<T>(
  ctx: ReaderContext, workflowID: string, key: string, offset = 0, guard?: ReadGuard,
): AsyncGenerator<T, void, unknown> {
  for (;;) {
    const next = await nextValue(ctx, workflowID, key, offset, guard)
    if (next.done) return
    yield next.value as T
    offset++
  }
}

/** Waits for the value at `offset`: a value, or the end (closed, or the writer finished with nothing more). */
export async function nextValue(
  ctx: ReaderContext, workflowID: string, key: string, offset: number, guard: ReadGuard | undefined,
): Promise<{ done: true } | { done: false; value: unknown }> {
  const { sys, serialization } = ctx
  for (let lastLook = false; ;) {
    guard?.check()
    const wait = ctx.signals.wait(STREAMS_CHANNEL, `${workflowID}::${key}`, POLL_MS, guard?.signal)
    const row = await sys.readStreamAt(workflowID, key, offset).catch((e: unknown) => {
      wait.cancel()
      guard?.check() // a read cut off by shutdown reports the shutdown, not the closed connection
      throw e
    })
    if (!row) {
      wait.cancel()
      throw new DBOSNonExistentWorkflowError(`Cannot read stream ${key}: workflow ${workflowID} does not exist`)
    }
    if (row.value !== null) {
      wait.cancel()
      if (isCloseMarker(row.value, row.serialization)) return { done: true }
      return { done: false, value: await serialization.decode(row.value, row.serialization) }
    }
    if (!ACTIVE.has(row.status)) {
      wait.cancel()
      // The writer ended without closing: one more look for a write that raced its outcome, then stop.
      if (lastLook) return { done: true }
      lastLook = true
      continue
    }
    await wait.done
    guard?.check()
  }
}
