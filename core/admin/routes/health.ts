import type { Hono } from 'hono'
import type { AdminDeps } from '../app.ts'

/** Liveness and process-level endpoints: health, event-loop use, deactivation, Conductor probe. */
export function registerHealthRoutes(app: Hono, deps: AdminDeps): void {
  app.get('/dbos-healthz', (c) => c.text('healthy'))

  // Core cannot measure the event loop portably; an adapter that can passes deps.eventLoop.
  app.get('/dbos-perf', (c) => c.json(deps.eventLoop?.() ?? { idle: 0, active: 0, utilization: 0 }))

  app.get('/deactivate', async (c) => {
    await deps.deactivate()
    return c.text('Deactivated')
  })

  app.get('/conductor', (c) => c.json({ status: true }))
}
