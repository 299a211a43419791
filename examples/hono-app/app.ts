// The HTTP surface: POST /orders starts a checkout workflow, GET /orders/:id reports on it.
import { Hono } from 'hono'
import * as v from 'valibot'
import { DBOS } from '../../adapters/auto/mod.ts'
import { CATALOG, type Order, processOrder, type Sku, STEP_NAMES } from './workflows.ts'

const skus = Object.keys(CATALOG) as Sku[]

// v.object reports a non-object and a missing key through the same message option.
const objectMessage = (issue: v.ObjectIssue): string =>
  issue.expected === 'Object' ? 'must be a JSON object' : 'is required'

const orderItem = v.object({
  sku: v.picklist(skus, `must be one of ${skus.join(', ')}`),
  quantity: v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(100, 'must be at most 100'),
  ),
}, objectMessage)

const orderBody = v.object({
  // Optional idempotency key: posting the same workflowID twice starts one workflow, not two.
  workflowID: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[A-Za-z0-9._:-]{1,100}$/, 'must be 1-100 letters, digits or . _ : -'),
    ),
  ),
  customer: v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty')),
  items: v.pipe(
    v.array(orderItem, 'must be an array'),
    v.minLength(1, 'must list at least one item'),
  ),
}, objectMessage)

/** One problem with a request body; `field` is a dot path such as `items.0.quantity`. */
interface FieldIssue {
  field: string
  message: string
}

/** One entry of the `steps` list in GET /orders/:id. */
interface StepView {
  name: string
  state: 'done' | 'in progress'
  at: string | null
}

function badRequest(issues: FieldIssue[]): Response {
  const { field, message } = issues[0] ?? { field: 'body', message: 'is invalid' }
  return Response.json({ error: `${field}: ${message}`, field, issues }, { status: 400 })
}

// The sleep is an engine operation named DBOS.sleep; show it under the name the demo gives it.
const displayName = (name: string): string => (name === 'DBOS.sleep' ? 'waitForWarehouse' : name)

/** The steps recorded so far, read from the system database, so they survive restarts. */
async function stepsOf(workflowID: string): Promise<{ steps: StepView[]; next: string | null }> {
  const recorded = (await DBOS.listWorkflowSteps(workflowID)) ?? []
  const now = Date.now()
  const steps = recorded.map((step): StepView => {
    const at = step.completedAtEpochMs
    // DBOS.sleep checkpoints its wake-up time before sleeping: a future time means still asleep.
    const asleep = step.name === 'DBOS.sleep' && at !== undefined && at > now
    return {
      name: displayName(step.name),
      state: asleep ? 'in progress' : 'done',
      at: at === undefined ? null : new Date(at).toISOString(),
    }
  })
  const next = STEP_NAMES[recorded.length]
  return { steps, next: next === undefined ? null : displayName(next) }
}

/**
 * Builds the demo's Hono app. DBOS must be launched before it serves requests.
 * @example serve(createApp().fetch, { port: 3000 })
 */
export function createApp(): Hono {
  const app = new Hono()

  app.get('/', (c) =>
    c.json({
      name: 'perdure-demo',
      endpoints: ['POST /orders', 'GET /orders/:id'],
      catalog: CATALOG,
    }))

  app.post('/orders', async (c) => {
    let body: unknown
    try {
      body = await c.req.json()
    } catch {
      return badRequest([{ field: 'body', message: 'must be valid JSON' }])
    }
    const parsed = v.safeParse(orderBody, body)
    if (!parsed.success) {
      return badRequest(parsed.issues.map((issue) => ({
        field: v.getDotPath(issue) ?? 'body',
        message: issue.message,
      })))
    }
    const { workflowID = `order-${crypto.randomUUID()}`, ...order } = parsed.output
    const handle = await DBOS.startWorkflow(processOrder, { workflowID })(order satisfies Order)
    const path = `/orders/${encodeURIComponent(handle.workflowID)}`
    const statusUrl = new URL(path, c.req.url).href
    c.header('Location', statusUrl)
    return c.json({ workflowID: handle.workflowID, statusUrl }, 202)
  })

  app.get('/orders/:id', async (c) => {
    const workflowID = c.req.param('id')
    const status = await DBOS.getWorkflowStatus(workflowID)
    if (!status) return c.json({ error: `No order with workflow ID ${workflowID}` }, 404)
    const { steps, next } = await stepsOf(workflowID)
    const running = status.status === 'PENDING' || status.status === 'ENQUEUED'
    const error = status.error instanceof Error ? status.error.message : status.error
    return c.json({
      workflowID,
      status: status.status,
      order: status.input?.[0] ?? null,
      steps,
      nextStep: running ? next : null,
      output: status.output ?? null,
      ...(error === undefined ? {} : { error: String(error) }),
    })
  })

  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404))
  app.onError((err, c) => {
    DBOS.logger.error(err)
    return c.json({ error: err.message }, 500)
  })
  return app
}
