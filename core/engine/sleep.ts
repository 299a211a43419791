import { PORTABLE } from '../serialization/serializer.ts'
import { type Engine, sleepFor } from './engine.ts'
import type { Execution } from './workflow-context.ts'

// Timers take at most a signed 32-bit delay; longer sleeps wait in chunks.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The durable deadline recorded at operation `id` (docs/sysdb.md §6.4): read back on replay, else `now + ms`, written
 * before anything waits on it. A recovered workflow therefore keeps its original wake-up time.
 * @param name 'DBOS.sleep'; timeouts of recv, getEvent and getResult use the same record.
 * @param completedAtEnd a sleep's record completes at its end; a timeout's when it is written.
 */
export async function durableDeadline(engine: Engine, exec: Execution, id: number, ms: number, completedAtEnd: boolean): Promise<number> {
  const op = engine.recorded(exec, id, 'DBOS.sleep')
  if (op) return Number(JSON.parse(op.output ?? 'null'))
  const now = engine.settings.runtime.timer.now()
  const end = now + Math.ceil(ms)
  await engine.checkpoint(exec, {
    functionID: id, name: 'DBOS.sleep', output: String(end), error: null, childWorkflowID: null,
    startedAt: now, completedAt: completedAtEnd ? end : now, serialization: PORTABLE,
  })
  return end
}

/** `DBOS.sleep` at function ID `id`: waits until the recorded wake-up time. */
export async function durableSleep(engine: Engine, exec: Execution, id: number, ms: number): Promise<void> {
  if (ms <= 0) return
  const end = await durableDeadline(engine, exec, id, ms, true)
  for (;;) {
    const remaining = end - engine.settings.runtime.timer.now()
    if (remaining <= 0) break
    await sleepFor(engine.settings.runtime, Math.min(remaining, MAX_TIMER_MS), exec.abort.signal).catch(() => {})
    engine.throwIfStopped(exec)
  }
  engine.throwIfStopped(exec)
}
