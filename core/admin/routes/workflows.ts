import type { Context, Hono } from 'hono'
import type { Engine } from '../../engine/engine.ts'
import type { GetWorkflowsInput } from '../../management/list-input.ts'
import { cancelWorkflows, deleteWorkflows, type ForkOptions, forkWorkflow, resumeWorkflows } from '../../management/control.ts'
import { listWorkflowRows, listWorkflowSteps, readWorkflowRow } from '../../management/inspect.ts'
import type { AdminDeps } from '../app.ts'
import { operation, pathParam, readBody, readJSON, validate } from '../request.ts'
import { deleteBody, forkBody, listWorkflowsBody, workflowIDParam } from '../schemas.ts'
import { stepJSON, type WorkflowJSON, workflowJSON } from '../workflow-json.ts'

/** The workflow ID of the path, checked before it reaches the database. */
const pathID = (c: Context) => pathParam(c, 'id', workflowIDParam)

/** Workflows matching the filters as admin workflow objects (a parent filter lists that parent's children). */
export async function listWorkflowJSON(
  engine: Engine,
  input: GetWorkflowsInput,
  parentWorkflowID: string | undefined,
): Promise<WorkflowJSON[]> {
  const { sys, serialization } = engine.settings
  const found = await listWorkflowRows(sys, input, parentWorkflowID)
  const load = { input: input.loadInput ?? true, output: input.loadOutput ?? true }
  return await Promise.all(found.map(({ row, extra }) => workflowJSON(row, extra, serialization, load)))
}

/** Forks a workflow onto the internal queue, woken here; returns the new ID. */
async function fork(engine: Engine, workflowID: string, startStep: number, options: ForkOptions = {}): Promise<string> {
  const newID = await forkWorkflow(engine.settings.sys, workflowID, startStep, options, engine)
  engine.settings.logger.info(`Forked workflow ${workflowID} from step ${startStep} as ${newID}`)
  return newID
}

/** Per-workflow management and introspection (docs/sysdb.md §4.2–4.4, §8). */
export function registerWorkflowRoutes(app: Hono, deps: AdminDeps): void {
  app.post('/workflows/:id/cancel', async (c) => {
    const id = pathID(c)
    const engine = deps.engine()
    engine.settings.logger.info(`Cancelling workflow ${id}`)
    await cancelWorkflows(engine.settings.sys, { workflowID: id }, engine)
    return c.body(null, 204)
  })

  app.post('/workflows/:id/resume', async (c) => {
    const id = pathID(c)
    const engine = deps.engine()
    engine.settings.logger.info(`Resuming workflow ${id}`)
    await operation(`resuming workflow ${id}`, () => resumeWorkflows(engine.settings.sys, { workflowID: id }, engine))
    return c.body(null, 204)
  })

  app.post('/workflows/:id/delete', async (c) => {
    const id = pathID(c)
    const body = await readBody(c, deleteBody)
    const engine = deps.engine()
    engine.settings.logger.info(`Deleting workflow ${id}`)
    await operation(`deleting workflow ${id}`, () => deleteWorkflows(engine.settings.sys, { workflowID: id }, body.delete_children ?? false))
    return c.body(null, 204)
  })

  app.post('/workflows/:id/restart', async (c) => {
    const id = pathID(c)
    return c.json({ workflow_id: await operation(`restarting workflow ${id}`, () => fork(deps.engine(), id, 0)) })
  })

  app.post('/workflows/:id/fork', async (c) => {
    const id = pathID(c)
    const raw = await readJSON(c)
    // DBOS's exact answer to a body without start_step; other problems are named by validate().
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('start_step' in raw)) {
      return c.json({ error: 'Missing start_step in request body' }, 400)
    }
    const body = validate(forkBody, raw)
    const newID = await operation(`forking workflow ${id}`, () => fork(deps.engine(), id, body.start_step, {
      newWorkflowID: body.new_workflow_id ?? undefined,
      applicationVersion: body.application_version ?? undefined,
      timeoutMS: body.timeout_ms ?? undefined,
    }))
    return c.json({ workflow_id: newID })
  })

  app.get('/workflows/:id/steps', async (c) => {
    const id = pathID(c)
    const { sys, serialization } = deps.engine().settings
    const steps = await listWorkflowSteps(sys, serialization, id)
    if (!steps) return c.json({ error: `Workflow ${id} not found` }, 404)
    return c.json(steps.map(stepJSON))
  })

  app.post('/workflows', async (c) => {
    const body = await readBody(c, listWorkflowsBody)
    const input: GetWorkflowsInput = {
      workflowIDs: body.workflow_uuids ?? undefined,
      workflowName: body.workflow_name ?? undefined,
      authenticatedUser: body.authenticated_user ?? undefined,
      startTime: body.start_time ?? undefined,
      endTime: body.end_time ?? undefined,
      status: body.status ?? undefined,
      applicationVersion: body.application_version ?? undefined,
      forkedFrom: body.fork_from ?? undefined,
      limit: body.limit ?? undefined,
      offset: body.offset ?? undefined,
      sortDesc: body.sort_desc ?? undefined,
      workflow_id_prefix: body.workflow_id_prefix ?? undefined,
      // Unlike DBOS.listWorkflows, the admin listing skips payloads unless asked (docs/sysdb.md §9).
      loadInput: body.load_input ?? false,
      loadOutput: body.load_output ?? false,
    }
    return c.json(await listWorkflowJSON(deps.engine(), input, body.parent_workflow_id ?? undefined))
  })

  app.get('/workflows/:id', async (c) => {
    const id = pathID(c)
    const { sys, serialization } = deps.engine().settings
    const found = await readWorkflowRow(sys, id)
    if (!found) return c.json({ error: `Workflow ${id} not found` }, 404)
    return c.json(await workflowJSON(found.row, found.extra, serialization, { input: true, output: true }))
  })
}
