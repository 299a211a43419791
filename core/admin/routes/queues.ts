import type { Hono } from 'hono'
import type { QueueLimits } from '../../queue/workflow-queue.ts'
import { userQueues } from '../../management/control.ts'
import type { AdminDeps } from '../app.ts'
import { readBody } from '../request.ts'
import { listQueuedBody } from '../schemas.ts'
import { listWorkflowJSON } from './workflows.ts'

/** A queue as `GET /dbos-workflow-queues-metadata` shows it: only the limits that are set. */
function queueMetadata(name: string, limits: QueueLimits): Record<string, unknown> {
  const entry: Record<string, unknown> = { name }
  for (const [key, value] of Object.entries(limits)) if (value !== null) entry[key] = value
  return entry
}

/** Queue introspection: the queues this process dispatches, and the workflows waiting or running on them. */
export function registerQueueRoutes(app: Hono, deps: AdminDeps): void {
  app.get('/dbos-workflow-queues-metadata', (c) => {
    const queues = userQueues(deps.dispatcher().queues())
    return c.json(queues.map((q) => queueMetadata(q.name, q.limits)))
  })

  app.post('/queues', async (c) => {
    const body = await readBody(c, listQueuedBody)
    const input = {
      workflowName: body.workflow_name ?? undefined,
      startTime: body.start_time ?? undefined,
      endTime: body.end_time ?? undefined,
      status: body.status ?? undefined,
      forkedFrom: body.fork_from ?? undefined,
      queueName: body.queue_name ?? undefined,
      limit: body.limit ?? undefined,
      offset: body.offset ?? undefined,
      sortDesc: body.sort_desc ?? undefined,
      queuesOnly: true,
      loadInput: body.load_input ?? false,
      loadOutput: false,
    }
    return c.json(await listWorkflowJSON(deps.engine(), input, body.parent_workflow_id ?? undefined))
  })
}
