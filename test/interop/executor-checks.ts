// Checks against the official 5.3.0 executor (test/interop/dbos-executor.ts): item 10 of the checklist, and
// the reverse direction, where Perdure's DBOSClient and executor drive workflows that 5.3.0 runs.
import { expect, it } from '../harness.ts'
import { perdure } from '../support/perdure.ts'
import { DBOS_APP } from './apps.ts'
import { awaitsEvent, setEventNow } from './perdure-app.ts'
import type { Peers } from './peers.ts'
import { delay, waitFor, within } from './world.ts'

const { DBOS } = perdure
const q5 = DBOS_APP.queue
const RESULT_MS = 15_000
const EPOCH = new Date(0)
/** A 5.3.0 executor that missed the NOTIFY would wake at its next poll, 10 s later (docs/sysdb.md §6). */
const NOTIFY_MS = 1000
/** How often a Perdure waiter re-reads an awaited event (POLL_MS in core/engine/events.ts). */
const POLL_MS = 1000

/** Waits until a workflow has recorded the step `name`, then a little more, for its next wait to begin. */
async function reached(sql: Peers['sql'], workflowID: string, name: string): Promise<void> {
  await waitFor(`${workflowID} to record ${name}`, async () => {
    const rows = await sql`
      SELECT 1 FROM dbos.operation_outputs WHERE workflow_uuid = ${workflowID} AND function_name = ${name}`
    return rows.length > 0 ? true : undefined
  })
  // Time for the wait to subscribe and make its first read; after that only a NOTIFY (or a poll) wakes it.
  await delay(500)
}

export function executorChecks(peers: () => Peers): void {
  it('10: a Perdure setEvent wakes a 5.3.0 executor blocked in DBOS.getEvent within 1 s', async () => {
    const { official, sql } = peers()
    const targetID = `event-target-${crypto.randomUUID()}`
    const payloads: string[] = []
    const listener = await sql.listen('dbos_workflow_events_channel', (payload) => payloads.push(payload))
    try {
      const waiter = await official.enqueue({ workflowName: 'dbosAwaitEvent', queueName: q5 }, targetID, 'k')
      await reached(sql, waiter.workflowID, 'before-wait')
      const handle = await DBOS.startWorkflow(setEventNow, { workflowID: targetID })('k', { from: 'perdure' })
      const before = await handle.getResult()
      const result = await within(RESULT_MS, waiter.getResult(), 'the 5.3.0 waiter') as { value: unknown; wokeAt: number }
      expect(result.value).toEqual({ from: 'perdure' })
      expect(result.wokeAt - before).toBeLessThan(NOTIFY_MS)
      expect(payloads).toContain(`${targetID}::k`)
    } finally {
      await listener.unlisten()
    }
  })

  // Perdure re-reads an awaited event every second, so a bound below 1 s on the wake-up would let polling
  // alone pass. Instead the 5.3.0 setter writes half-way between two of the waiter's reads, and the waiter must
  // wake before the next read: only the NOTIFY can wake it there.
  it('reverse 10: a 5.3.0 setEvent wakes a Perdure workflow blocked in DBOS.getEvent before its next poll', async () => {
    const { client, sql } = peers()
    /** @returns the attempt's figures, or undefined when the write did not land between two polls. */
    const attempt = async () => {
      const setter = await client.enqueue({ workflowName: 'dbosSetEventOnGo', queueName: q5 }, 'k')
      const handle = await DBOS.startWorkflow(awaitsEvent)(setter.workflowID, 'k')
      // The getEvent's durable timeout: its deadline, 30 s on, dates the start of the wait and so its polls.
      const deadline = await waitFor(`${handle.workflowID} to start waiting`, async () => {
        const rows = await sql<{ output: string }[]>`
          SELECT output FROM dbos.operation_outputs
          WHERE workflow_uuid = ${handle.workflowID} AND function_name = 'DBOS.sleep'`
        return rows[0] ? Number(JSON.parse(rows[0].output)) : undefined
      })
      const waitStart = deadline - 30_000
      // Half-way between two polls, far enough ahead for the setter to be told.
      const polls = Math.ceil((Date.now() + 300 - waitStart - POLL_MS / 2) / POLL_MS)
      await client.send(setter.workflowID, waitStart + polls * POLL_MS + POLL_MS / 2, 'go')
      const before = await within(RESULT_MS, setter.getResult(), 'the 5.3.0 setter') as number
      const result = await within(RESULT_MS, handle.getResult(), 'the Perdure waiter')
      expect(result.value).toBe('from-dbos')
      // Where the write landed in the poll period. Each read comes a little after its nominal time (the
      // timeout's own write, the reads, late timers): too close to a read and that read may have found it.
      const sincePoll = (before - waitStart) % POLL_MS
      if (sincePoll < POLL_MS / 4 || sincePoll > (POLL_MS * 3) / 4) return undefined
      const nextPoll = before - sincePoll + POLL_MS
      return { before, wokeAt: result.wokeAt, nextPoll }
    }
    let measured: Awaited<ReturnType<typeof attempt>>
    for (let tries = 0; tries < 3 && !measured; tries++) measured = await attempt()
    if (!measured) throw new Error('three times the 5.3.0 setter wrote too close to a poll to tell NOTIFY from it')
    // Polling alone would wake it at nextPoll or later; the figures show in the failure.
    const { before, wokeAt, nextPoll } = measured
    expect({ wokeAfterMs: wokeAt - before, nextPollAfterMs: nextPoll - before, beforeNextPoll: wokeAt < nextPoll })
      .toMatchObject({ beforeNextPoll: true })
  })

  it('reverse: a Perdure client enqueue runs in 5.3.0 with (7, Date); getResult keeps the Dates', async () => {
    const { client } = peers()
    const handle = await client.enqueue({ workflowName: 'dbosEcho', queueName: q5 }, 7, EPOCH)
    const result = await within(RESULT_MS, handle.getResult(), 'the result') as { when: unknown }
    expect(result).toEqual({ n: 7, when: EPOCH, isDate: true, later: new Date(1000) })
    expect(result.when).toBeInstanceOf(Date)
  })

  it('reverse: a Perdure client send twice with one idempotency key reaches a 5.3.0 recv once', async () => {
    const { client } = peers()
    const handle = await client.enqueue({ workflowName: 'dbosRecvTwice', queueName: q5 }, 'topic')
    await client.send(handle.workflowID, { x: 1 }, 'topic', 'k1')
    await client.send(handle.workflowID, { x: 1 }, 'topic', 'k1')
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toEqual([{ x: 1 }, null])
  })

  it("reverse: the Perdure client reads a 5.3.0 workflow's event, stream and steps", async () => {
    const { client } = peers()
    const handle = await client.enqueue({ workflowName: 'dbosPublish', queueName: q5 })
    expect(await client.getEvent(handle.workflowID, 'status', 10)).toEqual({ at: EPOCH, n: 1 })
    const values: unknown[] = []
    const read = async () => {
      for await (const value of client.readStream(handle.workflowID, 's')) values.push(value)
    }
    await within(RESULT_MS, read(), 'the end of the stream')
    expect(values).toEqual(['a', { b: 2, at: EPOCH }])
    expect(await within(RESULT_MS, handle.getResult(), 'the result')).toBe('published')
    const steps = (await client.listWorkflowSteps(handle.workflowID)) ?? []
    expect(steps.map((s) => [s.functionID, s.name])).toEqual([
      [0, 'DBOS.setEvent'], [1, 'DBOS.writeStream'], [2, 'DBOS.writeStream'], [3, 'DBOS.closeStream'], [4, 'finish'],
    ])
    expect(steps[4]!.output).toEqual({ done: true })
  })

  it('reverse: a Perdure client fork of a 5.3.0 workflow runs in 5.3.0', async () => {
    const { client } = peers()
    const original = await client.enqueue({ workflowName: 'dbosPublish', queueName: q5 })
    await within(RESULT_MS, original.getResult(), 'the original')
    const fork = client.retrieveWorkflow<string>(await client.forkWorkflow(original.workflowID, 4))
    expect(await within(RESULT_MS, fork.getResult(), 'the fork')).toBe('published')
    expect(await fork.getStatus()).toMatchObject({ forkedFrom: original.workflowID, executorId: DBOS_APP.executorID })
  })

  it('reverse: the Perdure client reads a 5.3.0 error with its name, message and code', async () => {
    const { client } = peers()
    const handle = await client.enqueue({ workflowName: 'dbosFails', queueName: q5 })
    const error = await within(RESULT_MS, handle.getResult().then(() => undefined, (e: unknown) => e), 'the error')
    expect(error).toMatchObject({ name: 'DbosErr', message: 'failed in DBOS 5.3.0', code: 43 })
  })
}
