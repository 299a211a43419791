import type { Hono } from 'hono'
import type { AdminDeps } from '../app.ts'

/** Liveness and process-level endpoints: health, event-loop use, deactivation, Conductor probe. */
export function registerHealthRoutes(app: Hono, deps: AdminDeps): void {
  // An explicit status keeps Hono off its bare `new Response(text)` path, which on Bun has no Content-Type.
  app.get('/dbos-healthz', (c) => c.text('healthy', 200))

  // Core cannot measure the event loop portably; an adapter that can passes deps.eventLoop.
  app.get('/dbos-perf', (c) => c.json(deps.eventLoop?.() ?? { idle: 0, active: 0, utilization: 0 }))

  app.get('/deactivate', async (c) => {
    await deps.deactivate()
    return c.text('Deactivated', 200)
  })

  app.get('/conductor', (c) => c.json({ status: true }))
}
