import { ShutdownSignal } from './control-flow.ts'
import { sleepFor, type Engine } from './engine.ts'
import type { Execution } from './workflow-context.ts'

/**
 * Waits until one (`mode` 'first') or all of the workflows have finished, whatever their outcomes; returns the
 * finished ones. Polls every `pollingIntervalMs`, and looks again at once when a run in this process ends.
 */
export async function waitForWorkflows(
  engine: Engine, ids: readonly string[], mode: 'first' | 'all', pollingIntervalMs: number, exec?: Execution,
): Promise<string[]> {
  const { sys, runtime } = engine.settings
  const pending = new Set(ids)
  const finished: string[] = []
  for (;;) {
    for (const id of await sys.finishedAmong([...pending])) {
      pending.delete(id)
      finished.push(id)
    }
    if (pending.size === 0 || (mode === 'first' && finished.length > 0)) return finished
    const signal = exec ? exec.abort.signal : engine.stopping.signal
    const local = [...pending].map((id) => engine.localOutcome(id)).filter((p) => p !== undefined)
    const stop = new AbortController()
    try {
      await Promise.race([
        sleepFor(runtime, pollingIntervalMs, AbortSignal.any([signal, stop.signal])).catch(() => {}),
        ...local.map((p) => p.then(() => {}, () => {})),
      ])
    } finally {
      stop.abort()
    }
    if (exec) engine.throwIfStopped(exec)
    else if (signal.aborted) throw new ShutdownSignal().toError()
  }
}
