import type { Context, Hono } from 'hono'
import type { Engine } from '../../engine/engine.ts'
import { listSteps } from '../../engine/steps-info.ts'
import { DBOSWorkflowCancelledError, DBOSWorkflowConflictError } from '../../errors.ts'
import { listWorkflowRows } from '../../sysdb/list-workflows.ts'
import type { GetWorkflowsInput } from '../../management/list-input.ts'
import { checkFork } from '../../internal/input-checks.ts'
import { cancelWorkflows, forkWorkflow, resumeWorkflows } from '../../sysdb/management.ts'
import { INTERNAL_QUEUE } from '../../sysdb/sql.ts'
import { readStatus } from '../../sysdb/workflow-status.ts'
import type { AdminDeps } from '../app.ts'
import { childIDs, readExtraColumns } from '../../sysdb/workflow-details.ts'
import { operation, pathParam, readBody, readJSON, validate } from '../request.ts'
import { forkBody, listWorkflowsBody, workflowIDParam } from '../schemas.ts'
import { stepJSON, type WorkflowJSON, workflowJSON } from '../workflow-json.ts'

/** The workflow ID of the path, checked before it reaches the database. */
const pathID = (c: Context) => pathParam(c, 'id', workflowIDParam)

/**
 * Workflows matching the filters as admin workflow objects. A parent filter becomes the list of its children's
 * IDs (intersected with any IDs asked for), since the listing itself filters by ID.
 */
export async function listWorkflowJSON(
  engine: Engine,
  input: GetWorkflowsInput,
  parentWorkflowID: string | undefined,
): Promise<WorkflowJSON[]> {
  const { db, s, serialization, appName } = engine.settings
  if (parentWorkflowID !== undefined) {
    const children = await childIDs(db, s, parentWorkflowID)
    const asked = input.workflowIDs
    input = { ...input, workflowIDs: asked ? children.filter((id) => asked.includes(id)) : children }
  }
  const rows = await listWorkflowRows(db, s, input, appName)
  const extras = await readExtraColumns(db, s, rows.map((r) => r.workflow_uuid))
  const load = { input: input.loadInput ?? true, output: input.loadOutput ?? true }
  return await Promise.all(rows.map((r) => workflowJSON(r, extras.get(r.workflow_uuid), serialization, load)))
}

/** Forks a workflow and wakes the internal queue it lands on; returns the new ID. */
async function fork(
  deps: AdminDeps,
  workflowID: string,
  startStep: number,
  options: { newWorkflowID?: string; applicationVersion?: string; timeoutMS?: number } = {},
): Promise<string> {
  const { db, s, appName, logger } = deps.engine().settings
  // The rules DBOS.forkWorkflow applies: a new ID that fits its indexes, so its children's writes fit too.
  const checked = checkFork(workflowID, startStep, options)
  const newID = options.newWorkflowID ?? crypto.randomUUID()
  logger.info(`Forking workflow ${workflowID} from step ${startStep} as ${newID}`)
  await forkWorkflow(db, s, { ...checked, newID, appName })
  deps.dispatcher().enqueued(INTERNAL_QUEUE)
  return newID
}

/** Per-workflow management and introspection (spec §4.2–4.4, §8). */
export function registerWorkflowRoutes(app: Hono, deps: AdminDeps): void {
  app.post('/workflows/:id/cancel', async (c) => {
    const id = pathID(c)
    const engine = deps.engine()
    const { db, s, logger } = engine.settings
    logger.info(`Cancelling workflow ${id}`)
    const cancelled = await cancelWorkflows(db, s, [id])
    for (const w of cancelled) engine.abortExecution(w, new DBOSWorkflowCancelledError(w))
    return c.body(null, 204)
  })

  app.post('/workflows/:id/resume', async (c) => {
    const id = pathID(c)
    const engine = deps.engine()
    const { db, s, logger } = engine.settings
    logger.info(`Resuming workflow ${id}`)
    await operation(`resuming workflow ${id}`, () => resumeWorkflows(db, s, [id]))
    // A run still going here has lost its ownership: it stops at its next step and the resumed run takes over.
    engine.abortExecution(id, new DBOSWorkflowConflictError(id))
    deps.dispatcher().enqueued(INTERNAL_QUEUE)
    return c.body(null, 204)
  })

  app.post('/workflows/:id/restart', async (c) => {
    const id = pathID(c)
    return c.json({ workflow_id: await operation(`restarting workflow ${id}`, () => fork(deps, id, 0)) })
  })

  app.post('/workflows/:id/fork', async (c) => {
    const id = pathID(c)
    const raw = await readJSON(c)
    // DBOS's exact answer to a body without start_step; other problems are named by validate().
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('start_step' in raw)) {
      return c.json({ error: 'Missing start_step in request body' }, 400)
    }
    const body = validate(forkBody, raw)
    const newID = await operation(`forking workflow ${id}`, () => fork(deps, id, body.start_step, {
      newWorkflowID: body.new_workflow_id ?? undefined,
      applicationVersion: body.application_version ?? undefined,
      timeoutMS: body.timeout_ms ?? undefined,
    }))
    return c.json({ workflow_id: newID })
  })

  app.get('/workflows/:id/steps', async (c) => {
    const id = pathID(c)
    const { db, s, serialization } = deps.engine().settings
    const steps = await listSteps(db, s, serialization, id)
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
      // Unlike DBOS.listWorkflows, the admin listing skips payloads unless asked (spec §9).
      loadInput: body.load_input ?? false,
      loadOutput: body.load_output ?? false,
    }
    return c.json(await listWorkflowJSON(deps.engine(), input, body.parent_workflow_id ?? undefined))
  })

  app.get('/workflows/:id', async (c) => {
    const id = pathID(c)
    const { db, s, serialization } = deps.engine().settings
    const row = await readStatus(db, s, id)
    if (!row) return c.json({ error: `Workflow ${id} not found` }, 404)
    const extras = await readExtraColumns(db, s, [id])
    return c.json(await workflowJSON(row, extras.get(id), serialization, { input: true, output: true }))
  })
}
