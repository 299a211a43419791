// Issue #14, "Must show" 3: cancel, resume, fork (an invalid start step included) and delete give the same
// outcome through DBOS, through DBOSClient and through the launched admin server over HTTP, since all three
// call the one implementation in core/management.
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS, DBOSClient, DBOSInvalidArgumentError, DBOSNonExistentWorkflowError, serve } = perdure

const APP = 'management-surfaces'

/** How often each workflow ID really ran each step. */
const runs = new Map<string, number>()
const ran = (step: string) => runs.set(`${DBOS.workflowID}:${step}`, (runs.get(`${DBOS.workflowID}:${step}`) ?? 0) + 1)

/**
 * A step, a wait for a message (operations 1 and 2: the message and its durable timeout), a step. Waiting in
 * recv, it writes nothing a cancel could race with, so every surface leaves the same history behind.
 */
const surfaced = DBOS.registerWorkflow(async () => {
  const a = await DBOS.runStep(async () => {
    ran('a')
    return 'a'
  }, { name: 'a' })
  const message = await DBOS.recv<string>('go', 120)
  const b = await DBOS.runStep(async () => {
    ran('b')
    return `${message}:b`
  }, { name: 'b' })
  return [a, message, b]
}, { name: 'surfacesWorkflow' })

/** The operations under test, as one surface offers them; `fork` resolves to the new workflow's ID. */
interface Surface {
  cancel(id: string): Promise<unknown>
  resume(id: string): Promise<unknown>
  fork(id: string, startStep: number, newWorkflowID?: string): Promise<string>
  delete(id: string, deleteChildren: boolean): Promise<unknown>
}

/** A refusal from the admin API: its HTTP status. */
class HttpStatus extends Error {
  readonly status: number
  constructor(status: number) {
    super(`HTTP ${status}`)
    this.status = status
  }
}

/** What an operation came to: done, or the error class (or, over HTTP, the status) that refused it. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'done'
  } catch (e) {
    // The admin API answers each of these errors with its own status (core/admin/request.ts).
    if (e instanceof DBOSInvalidArgumentError || (e instanceof HttpStatus && e.status === 400)) return 'invalid argument'
    if (e instanceof DBOSNonExistentWorkflowError || (e instanceof HttpStatus && e.status === 404)) return 'no such workflow'
    return `unexpected: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`
  }
}

describeEachDatabase('management through DBOS, DBOSClient and the admin API', (db) => {
  let client: Awaited<ReturnType<typeof DBOSClient.create>>
  let port = 0

  const admin = async (path: string, body: unknown = {}): Promise<unknown> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    })
    if (!res.ok) {
      await res.body?.cancel()
      throw new HttpStatus(res.status)
    }
    return res.status === 204 ? undefined : await res.json()
  }

  const surfaces: Record<'DBOS' | 'DBOSClient' | 'admin API', () => Surface> = {
    DBOS: () => ({
      cancel: (id) => DBOS.cancelWorkflow(id),
      resume: (id) => DBOS.resumeWorkflow(id),
      fork: async (id, step, newWorkflowID) => (await DBOS.forkWorkflow(id, step, { newWorkflowID })).workflowID,
      delete: (id, deleteChildren) => DBOS.deleteWorkflow(id, deleteChildren),
    }),
    DBOSClient: () => ({
      cancel: (id) => client.cancelWorkflow(id),
      resume: (id) => client.resumeWorkflow(id),
      fork: (id, step, newWorkflowID) => client.forkWorkflow(id, step, { newWorkflowID }),
      delete: (id, deleteChildren) => client.deleteWorkflow(id, deleteChildren),
    }),
    'admin API': () => ({
      cancel: (id) => admin(`/workflows/${id}/cancel`),
      resume: (id) => admin(`/workflows/${id}/resume`),
      fork: async (id, step, newWorkflowID) =>
        ((await admin(`/workflows/${id}/fork`, { start_step: step, new_workflow_id: newWorkflowID })) as { workflow_id: string }).workflow_id,
      delete: (id, deleteChildren) => admin(`/workflows/${id}/delete`, { delete_children: deleteChildren }),
    }),
  }

  /** The parts of a status row the operations decide, with IDs relative to the workflow `of`. */
  async function row(id: string, of: string) {
    const s = await DBOS.getWorkflowStatus(id)
    if (!s) return null
    return { status: s.status, queueName: s.queueName ?? null, forkedFromIt: s.forkedFrom === of, output: s.output ?? null }
  }

  /** Drives every operation through one surface, on workflows of its own, and records what came of each. */
  async function drive(name: string, surface: Surface) {
    const id = `surfaces-${name.replace(/\W/g, '')}-${db.name}`
    const forkID = `${id}-fork`
    const handle = await DBOS.startWorkflow(surfaced, { workflowID: id })()
    // Waiting in recv: the step and the recv's durable timeout are recorded.
    await waitFor('the workflow to wait for its message', async () => ((await DBOS.listWorkflowSteps(id))?.length ?? 0) >= 2 || undefined)

    const cancelled = await outcome(surface.cancel(id))
    // A cancel through a client reaches a run here through its watchdog rather than at once.
    await waitFor('the cancelled run to stop', async () => launchedSystem()!.engine.localOutcome(id) === undefined || undefined)
    const afterCancel = await row(id, id)

    const resumed = await outcome(surface.resume(id))
    await DBOS.send(id, 'go', 'go')
    const resumedResult = await handle.getResult()
    const afterResume = await row(id, id)

    const forked = await outcome(surface.fork(id, 3, forkID))
    const forkResult = await DBOS.retrieveWorkflow(forkID).getResult()
    const afterFork = await row(forkID, id)
    const forkSteps = (await DBOS.listWorkflowSteps(forkID))?.map((s) => s.name)

    const refused = {
      forkFromMinusOne: await outcome(surface.fork(id, -1)),
      forkFromOneAndAHalf: await outcome(surface.fork(id, 1.5)),
      forkOfNoWorkflow: await outcome(surface.fork(`${id}-none`, 0)),
      resumeOfNoWorkflow: await outcome(surface.resume(`${id}-none`)),
      cancelOfNoWorkflow: await outcome(surface.cancel(`${id}-none`)),
      deleteOfNoWorkflow: await outcome(surface.delete(`${id}-none`, false)),
    }

    const deleted = [await outcome(surface.delete(forkID, false)), await outcome(surface.delete(id, true))]
    const afterDelete = { workflow: await row(id, id), fork: await row(forkID, id), steps: await DBOS.listWorkflowSteps(id) ?? null }

    return {
      cancelled, afterCancel, resumed, resumedResult, afterResume, forked, forkResult, afterFork, forkSteps, refused,
      deleted, afterDelete,
      stepRuns: { a: runs.get(`${id}:a`), b: runs.get(`${id}:b`), forkA: runs.get(`${forkID}:a`) ?? 0, forkB: runs.get(`${forkID}:b`) },
    }
  }

  beforeAll(async () => {
    // A free port for the launched admin server: take one, then let it go.
    const probe = await serve(() => new Response(''), { port: 0 })
    port = probe.port
    await probe.close()
    const url = db.fresh()
    DBOS.setConfig({ name: APP, systemDatabaseUrl: url, logLevel: 'warn', runAdminServer: true, adminPort: port })
    await DBOS.launch()
    client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName: APP })
  })
  afterAll(async () => {
    await client?.destroy()
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('cancel, resume, fork and delete come out the same through each surface', async () => {
    const results: Record<string, Awaited<ReturnType<typeof drive>>> = {}
    for (const [name, surface] of Object.entries(surfaces)) results[name] = await drive(name, surface())

    expect(results.DBOS).toEqual({
      cancelled: 'done',
      afterCancel: { status: 'CANCELLED', queueName: null, forkedFromIt: false, output: null },
      resumed: 'done',
      resumedResult: ['a', 'go', 'go:b'],
      afterResume: { status: 'SUCCESS', queueName: '_dbos_internal_queue', forkedFromIt: false, output: ['a', 'go', 'go:b'] },
      forked: 'done',
      forkResult: ['a', 'go', 'go:b'],
      afterFork: { status: 'SUCCESS', queueName: '_dbos_internal_queue', forkedFromIt: true, output: ['a', 'go', 'go:b'] },
      forkSteps: ['a', 'DBOS.recv', 'DBOS.sleep', 'b'],
      refused: {
        forkFromMinusOne: 'invalid argument',
        forkFromOneAndAHalf: 'invalid argument',
        forkOfNoWorkflow: 'no such workflow',
        resumeOfNoWorkflow: 'no such workflow',
        cancelOfNoWorkflow: 'done',
        deleteOfNoWorkflow: 'done',
      },
      deleted: ['done', 'done'],
      afterDelete: { workflow: null, fork: null, steps: null },
      // The resumed run replays step a; the fork from step 3 replays a and the message, and runs b again.
      stepRuns: { a: 1, b: 1, forkA: 0, forkB: 1 },
    })
    expect(results.DBOSClient).toEqual(results.DBOS)
    expect(results['admin API']).toEqual(results.DBOS)
  })
})
