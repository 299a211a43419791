// Checklist items where the official 5.3.0 DBOSClient drives Perdure (docs/sysdb.md §11: 5-9, 11, 12, 14-17, 19, 23).
// Perdure runs in this process, so `runs` shows what really executed.
import { Error as OfficialErrors } from '@dbos-inc/dbos-sdk'
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { PERDURE_APP } from './apps.ts'
import {
  cancelGate,
  cancellable,
  fiveOperations,
  holder,
  recvTwice,
  resumeErrors,
  resumeGate,
  resumedWhileRunning,
  runs,
  streamThenWait,
  throwsMyErr,
  timeoutParent,
} from './perdure-app.ts'
import type { Peers } from './peers.ts'
import { waitFor, within } from './world.ts'

const { DBOS, DBOSQueueDuplicatedError, DBOSWorkflowCancelledError } = perdure
const q = PERDURE_APP.queue
const RESULT_MS = 15_000
const EPOCH = new Date(0)

/** What a promise rejected with; fails if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const outcome = await promise.then((value) => ({ value }), (error: unknown) => ({ error }))
  if ('value' in outcome) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  return outcome.error as Record<string, unknown>
}

export function clientChecks(peers: () => Peers): void {
  it('5: a 5.3.0 client enqueue runs in Perdure with (5, Date); its getResult keeps the Dates', async () => {
    const { official } = peers()
    const handle = await official.enqueue({ workflowName: 'takesDate', queueName: q }, 5, EPOCH)
    const result = await within(RESULT_MS, handle.getResult(), 'the result') as { when: unknown; later: unknown }
    expect(result).toEqual({ n: 5, when: EPOCH, isDate: true, later: new Date(1000) })
    expect(result.when).toBeInstanceOf(Date)
    expect(result.later).toBeInstanceOf(Date)
  })

  it('6: the 5.3.0 client reads a Perdure MyErr with its name, message and code', async () => {
    const { official } = peers()
    const handle = await DBOS.startWorkflow(throwsMyErr)('bad things')
    const error = await rejection(within(RESULT_MS, official.retrieveWorkflow(handle.workflowID).getResult(), 'the error'))
    expect(error).toMatchObject({ name: 'MyErr', message: 'bad things', code: 42 })
  })

  it('6: the same through portable JSON: stored in the spec shape, read with name and code', async () => {
    const { official, sql } = peers()
    const handle = await official.enqueuePortable({ workflowName: 'throwsMyErr', queueName: q }, ['portable bad'])
    const error = await rejection(within(RESULT_MS, handle.getResult(), 'the error'))
    expect(error).toMatchObject({ name: 'MyErr', message: 'portable bad', code: 42 })
    const [row] = await sql<{ error: string }[]>`
      SELECT error FROM dbos.workflow_output WHERE workflow_uuid = ${handle.workflowID}`
    expect(JSON.parse(row!.error)).toEqual({ name: 'MyErr', message: 'portable bad', code: 42 })
  })

  it('7: client.enqueuePortable runs in Perdure with those arguments; the output is portable_json', async () => {
    const { official, sql } = peers()
    const handle = await official.enqueuePortable({ workflowName: 'echoArgs', queueName: q }, ['hello-interop', 42])
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toEqual({ args: ['hello-interop', 42] })
    const [row] = await sql<{ serialization: string; output: string }[]>`
      SELECT ws.serialization, wo.output FROM dbos.workflow_status ws
      JOIN dbos.workflow_output wo ON wo.workflow_uuid = ws.workflow_uuid WHERE ws.workflow_uuid = ${handle.workflowID}`
    expect(row).toEqual({ serialization: 'portable_json', output: '{"args":["hello-interop",42]}' })
  })

  it("8: SELECT dbos.enqueue_workflow('wf', 'q', ARRAY['1'::json]) runs wf(1) in Perdure", async () => {
    const { official, client, sql } = peers()
    const [row] = await sql<{ id: string }[]>`SELECT dbos.enqueue_workflow('wf', ${q}, ARRAY['1'::json]) AS id`
    const result = await within(RESULT_MS, official.retrieveWorkflow(row!.id).getResult(), 'the result')
    expect(result).toEqual({ got: 1, type: 'number' })
    expect(await client.retrieveWorkflow(row!.id).getResult()).toEqual({ got: 1, type: 'number' })
  })

  it('9: client.send twice with one idempotency key delivers once', async () => {
    const { official, sql } = peers()
    const handle = await DBOS.startWorkflow(recvTwice)('topic')
    await official.send(handle.workflowID, { x: 1 }, 'topic', 'k1')
    await official.send(handle.workflowID, { x: 1 }, 'topic', 'k1')
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toEqual([{ x: 1 }, null])
    const [count] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM dbos.notifications WHERE destination_uuid = ${handle.workflowID}`
    expect(count!.n).toBe(1)
  })

  it('11: client.readStream reads a Perdure stream to its close marker, a portable_json "__DBOS_STREAM_CLOSED__"', async () => {
    const { official, sql } = peers()
    const handle = await DBOS.startWorkflow(streamThenWait)()
    const read = async () => {
      const values: unknown[] = []
      for await (const value of official.readStream(handle.workflowID, 's')) values.push(value)
      return values
    }
    expect(await within(RESULT_MS, read(), 'the end of the stream')).toEqual(['a', { b: 2, at: EPOCH }])
    // The writer is still running: the marker, not the workflow's end, ended the read.
    expect((await official.getWorkflow(handle.workflowID))?.status).toBe('PENDING')
    const [last] = await sql<{ value: string; serialization: string }[]>`
      SELECT value, serialization FROM dbos.streams WHERE workflow_uuid = ${handle.workflowID} AND key = 's'
      ORDER BY "offset" DESC LIMIT 1`
    expect(last).toEqual({ value: '"__DBOS_STREAM_CLOSED__"', serialization: 'portable_json' })
    await DBOS.send(handle.workflowID, 'now', 'done')
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toBe('streamed')
  })

  it('12: a deduplication ID held by Perdure refuses Perdure and 5.3.0 enqueues alike, until it completes', async () => {
    const { official } = peers()
    const dedup = { queueName: q, enqueueOptions: { deduplicationID: 'd' } }
    const first = await DBOS.startWorkflow(holder, dedup)(30)
    await expect(DBOS.startWorkflow(holder, dedup)(0)).rejects.toThrow(DBOSQueueDuplicatedError)
    const options = { workflowName: 'holder', queueName: q, deduplicationID: 'd' }
    const refused = await rejection(official.enqueue(options, 0))
    expect(refused).toBeInstanceOf(OfficialErrors.DBOSQueueDuplicatedError)
    await DBOS.send(first.workflowID, 'go', 'release')
    expect(await within(RESULT_MS, first.getResult(), 'the holder')).toBe('go')
    const second = await official.enqueue(options, 0)
    expect(await within(RESULT_MS, second.getResult(), 'the second holder')).toBeNull()
  })

  it('12: a deduplication ID held through the 5.3.0 client refuses a Perdure enqueue', async () => {
    const { official } = peers()
    const held = await official.enqueue({ workflowName: 'holder', queueName: q, deduplicationID: 'd2' }, 30)
    const dedup = { queueName: q, enqueueOptions: { deduplicationID: 'd2' } }
    await expect(DBOS.startWorkflow(holder, dedup)(0)).rejects.toThrow(DBOSQueueDuplicatedError)
    await official.send(held.workflowID, 'go', 'release')
    expect(await within(RESULT_MS, held.getResult(), 'the holder')).toBe('go')
  })

  it('14: client.cancelWorkflow cancels a running Perdure workflow; client.resumeWorkflow finishes it', async () => {
    const { official } = peers()
    const handle = await DBOS.startWorkflow(cancellable)()
    const id = handle.workflowID
    await waitFor('the blocked step', async () => (cancelGate.entered === 1 ? true : undefined))
    await official.cancelWorkflow(id)
    expect((await official.getWorkflow(id))?.status).toBe('CANCELLED')
    cancelGate.open()
    await expect(within(RESULT_MS, handle.getResult(), 'the cancellation')).rejects.toThrow(DBOSWorkflowCancelledError)
    expect(runs['cancel:last']).toBeUndefined()
    const resumed = await official.resumeWorkflow<string>(id)
    expect(await within(RESULT_MS, resumed.getResult(), 'the resumed result')).toBe('finished')
    // The first step was recorded before the cancel, so it is replayed; the interrupted one may run again.
    expect(runs['cancel:first']).toBe(1)
    expect(runs['cancel:blocked']).toBeLessThanOrEqual(2)
    expect(runs['cancel:last']).toBe(1)
  })

  it('15: a Perdure workflow with timeoutMS 2000 and its child end CANCELLED, as the 5.3.0 client reads them', async () => {
    const { official } = peers()
    const id = `timeout-${crypto.randomUUID()}`
    const started = Date.now()
    await DBOS.startWorkflow(timeoutParent, { workflowID: id, timeoutMS: 2000 })()
    const cancelled = async (workflowID: string) => {
      const status = await official.getWorkflow(workflowID)
      return status?.status === 'CANCELLED' ? status : undefined
    }
    await waitFor('the parent to be cancelled', () => cancelled(id), 8000)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
    await waitFor('the child to be cancelled', () => cancelled(`${id}-child`), 3000)
    await expect(official.retrieveWorkflow(id).getResult()).rejects.toBeInstanceOf(Error)
  })

  it('16: client.listWorkflowSteps shows Perdure 0-based IDs and operation names, with decodable outputs', async () => {
    const { official } = peers()
    const handle = await DBOS.startWorkflow(fiveOperations, { workflowID: 'five-operations' })('orig')
    await within(RESULT_MS, handle.getResult(), 'the result')
    const steps = (await official.listWorkflowSteps('five-operations')) ?? []
    expect(steps.map((s) => [s.functionID, s.name])).toEqual([
      [0, 'alpha'], [1, 'DBOS.setEvent'], [2, 'beta'], [3, 'DBOS.sleep'], [4, 'gamma'],
    ])
    expect(steps.map((s) => s.error ?? null)).toEqual([null, null, null, null, null])
    expect(steps[0]!.output).toEqual({ a: 1, at: EPOCH })
    expect(steps[1]!.output ?? null).toBeNull()
    expect(steps[2]!.output).toBe('b1')
    // The sleep's record is its wake-up time, in epoch ms.
    expect(typeof steps[3]!.output).toBe('number')
    expect(steps[4]!.output).toBe(1)
  })

  it('17: client.forkWorkflow(id, 2) runs in Perdure from the internal queue, re-executing only steps 2 and on', async () => {
    const { official, sql } = peers()
    const forkID = await official.forkWorkflow('five-operations', 2)
    const fork = official.retrieveWorkflow(forkID)
    const result = await within(RESULT_MS, fork.getResult(), 'the fork')
    expect(result).toEqual({ tag: 'orig', a: { a: 1, at: EPOCH }, b: 'b2', c: 2 })
    expect([runs['orig:alpha'], runs['orig:beta'], runs['orig:gamma']]).toEqual([1, 2, 2])
    const status = await official.getWorkflow(forkID)
    expect(status).toMatchObject({ forkedFrom: 'five-operations', queueName: '_dbos_internal_queue', status: 'SUCCESS' })
    const [original] = await sql<{ was_forked_from: boolean }[]>`
      SELECT was_forked_from FROM dbos.workflow_status WHERE workflow_uuid = 'five-operations'`
    expect(original!.was_forked_from).toBe(true)
  })

  it('19: client.resumeWorkflow on a running Perdure workflow fences the old execution; one outcome is written', async () => {
    const { official } = peers()
    const handle = await DBOS.startWorkflow(resumedWhileRunning)()
    await waitFor('the blocked step', async () => (resumeGate.entered === 1 ? true : undefined))
    const resumed = await official.resumeWorkflow<string>(handle.workflowID)
    await waitFor('the second execution', async () => (resumeGate.entered === 2 ? true : undefined))
    resumeGate.open()
    expect(await within(RESULT_MS, resumed.getResult(), 'the resumed result')).toBe('finished')
    // The old execution parks and reports the outcome the new one wrote.
    expect(await within(RESULT_MS, handle.getResult(), 'the old handle')).toBe('finished')
    expect(resumeErrors).toEqual(['DBOSWorkflowConflictError'])
    expect([runs['resume:first'], runs['resume:blocked'], runs['resume:last']]).toEqual([1, 2, 1])
  })

  it('23: a row a 4.x writer left (payloads in workflow_status, no workflow_input) is run and read', async () => {
    const { official, client, sql } = peers()
    // 4.x wrote marked superjson into the legacy columns and left `serialization` NULL.
    const inputs = '{"json":[3,"1970-01-01T00:00:00.000Z"],"meta":{"values":{"1":["Date"]}},"__dbos_serializer":"superjson"}'
    const queued = `legacy-queued-${crypto.randomUUID()}`
    await sql`
      INSERT INTO dbos.workflow_status (workflow_uuid, status, name, queue_name, inputs, executor_id, recovery_attempts)
      VALUES (${queued}, 'ENQUEUED', 'takesDate', ${q}, ${inputs}, '', 0)`
    const result = await within(RESULT_MS, official.retrieveWorkflow(queued).getResult(), 'the legacy row')
    expect(result).toEqual({ n: 3, when: EPOCH, isDate: true, later: new Date(1000) })

    const done = `legacy-done-${crypto.randomUUID()}`
    await sql`
      INSERT INTO dbos.workflow_status (workflow_uuid, status, name, inputs, output, executor_id)
      VALUES (${done}, 'SUCCESS', 'takesDate', ${inputs}, '{"json":"legacy output","__dbos_serializer":"superjson"}', '')`
    expect(await client.retrieveWorkflow(done).getResult()).toBe('legacy output')
    expect(await DBOS.retrieveWorkflow(done).getResult()).toBe('legacy output')
    expect((await client.getWorkflow(done))?.input).toEqual([3, EPOCH])
  })
}
