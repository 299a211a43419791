// Rewind (DBOS 5.3's API): a finished workflow rewound through one engine's client runs again, under its own
// ID, on the engine that owns it, from the rewound step on: earlier steps replay, later ones execute again.
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { DBOS_APP } from './apps.ts'
import { fiveOperations, runs } from './perdure-app.ts'
import type { Peers } from './peers.ts'
import { within } from './world.ts'

const { DBOS } = perdure
const q5 = DBOS_APP.queue
const RESULT_MS = 15_000
const EPOCH = new Date(0)

export function rewindChecks(peers: () => Peers): void {
  it('the 5.3.0 client rewinds a Perdure workflow to step 2: Perdure re-runs steps 2 and on under the same ID', async () => {
    const { official } = peers()
    const id = `rewind-perdure-${crypto.randomUUID()}`
    const first = await DBOS.startWorkflow(fiveOperations, { workflowID: id })('rw')
    expect(await within(RESULT_MS, first.getResult(), 'the first run')).toEqual({ tag: 'rw', a: { a: 1, at: EPOCH }, b: 'b1', c: 1 })

    const rewound = await official.rewindWorkflow(id, { startStep: 2 })
    expect(rewound.workflowID).toBe(id)
    const result = await within(RESULT_MS, rewound.getResult(), 'the rewound run')
    expect(result).toEqual({ tag: 'rw', a: { a: 1, at: EPOCH }, b: 'b2', c: 2 })
    expect([runs['rw:alpha'], runs['rw:beta'], runs['rw:gamma']]).toEqual([1, 2, 2])
    expect(await official.getWorkflow(id)).toMatchObject({ status: 'SUCCESS', queueName: '_dbos_internal_queue' })
    const steps = (await official.listWorkflowSteps(id)) ?? []
    expect(steps.map((s) => [s.functionID, s.name])).toEqual([
      [0, 'alpha'], [1, 'DBOS.setEvent'], [2, 'beta'], [3, 'DBOS.sleep'], [4, 'gamma'],
    ])
    expect([steps[0]!.output, steps[2]!.output, steps[4]!.output]).toEqual([{ a: 1, at: EPOCH }, 'b2', 2])
    // The event set before the cut survives the rewind.
    expect(await official.getEvent(id, 'progress', 0)).toBe('alpha done')
  })

  it("Perdure's client rewinds a 5.3.0 workflow to step 1: the 5.3.0 executor re-runs steps 1 and on", async () => {
    const { client } = peers()
    const tag = crypto.randomUUID()
    const first = await client.enqueue({ workflowName: 'dbosCounted', queueName: q5 }, tag)
    expect(await within(RESULT_MS, first.getResult(), 'the first run')).toEqual({ a: 1, b: 1, c: 1 })

    const rewound = await client.rewindWorkflow(first.workflowID, { startStep: 1 })
    expect(rewound.workflowID).toBe(first.workflowID)
    expect(await within(RESULT_MS, rewound.getResult(), 'the rewound run')).toEqual({ a: 1, b: 2, c: 2 })
    expect(await client.getWorkflow(first.workflowID)).toMatchObject({
      status: 'SUCCESS', executorId: DBOS_APP.executorID, queueName: '_dbos_internal_queue',
    })
    const steps = (await client.listWorkflowSteps(first.workflowID)) ?? []
    expect(steps.map((s) => [s.functionID, s.name, s.output])).toEqual([[0, 'alpha', 1], [1, 'beta', 2], [2, 'gamma', 2]])
  })
}
