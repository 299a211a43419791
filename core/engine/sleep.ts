import { PORTABLE } from '../serialization/serializer.ts'
import { type Engine, sleepFor } from './engine.ts'
import type { Execution } from './workflow-context.ts'

// Timers take at most a signed 32-bit delay; longer sleeps wait in chunks.
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * `DBOS.sleep` at function ID `id` (spec §6.4): the wake-up time is recorded first, so a recovered workflow
 * wakes at its original deadline rather than a full period after the restart.
 */
export async function durableSleep(engine: Engine, exec: Execution, id: number, ms: number): Promise<void> {
  if (ms <= 0) return
  const op = engine.recorded(exec, id, 'DBOS.sleep')
  const now = engine.settings.runtime.timer.now()
  let end: number
  if (op) {
    end = Number(JSON.parse(op.output ?? 'null'))
  } else {
    end = now + Math.ceil(ms)
    await engine.checkpoint(exec, {
      functionID: id, name: 'DBOS.sleep', output: String(end), error: null, childWorkflowID: null,
      startedAt: now, completedAt: end, serialization: PORTABLE,
    })
  }
  await sleepUntil(engine, exec, end)
}

async function sleepUntil(engine: Engine, exec: Execution, end: number): Promise<void> {
  for (;;) {
    const remaining = end - engine.settings.runtime.timer.now()
    if (remaining <= 0) break
    await sleepFor(engine.settings.runtime, Math.min(remaining, MAX_TIMER_MS), exec.abort.signal).catch(() => {})
    engine.throwIfStopped(exec)
  }
  engine.throwIfStopped(exec)
}
