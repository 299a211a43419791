// Messages, events and streams, on both databases.
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS, DBOSNonExistentWorkflowError, DBOSInvalidWorkflowTransitionError } = perdure
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
/** How often a waiting recv re-reads its messages (POLL_MS in core/engine/messages.ts). */
const POLL_MS = 1000

const receiveAll = DBOS.registerWorkflow(async (topic: string | null, count: number, timeoutSeconds: number) => {
  const got: unknown[] = []
  for (let i = 0; i < count; i++) got.push(await DBOS.recv(topic ?? undefined, timeoutSeconds))
  return got
}, { name: 'receiveAll' })

const waitForGo = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('ready', true)
  return await DBOS.recv<string>('go', 10)
}, { name: 'waitForGo' })

const sender = DBOS.registerWorkflow(async (to: string) => {
  await DBOS.send(to, { from: DBOS.workflowID }, 'mail')
}, { name: 'sender' })

const publisher = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('progress', 1)
  await DBOS.setEvent('progress', 2)
  await DBOS.recv('finish', 10)
  await DBOS.setEvent('progress', 3)
}, { name: 'publisher' })

const eventReader = DBOS.registerWorkflow(async (target: string) => {
  return await DBOS.getEvent<number>(target, 'progress', 5)
}, { name: 'eventReader' })

const streamer = DBOS.registerWorkflow(async (n: number, close: boolean) => {
  for (let i = 0; i < n; i++) {
    await DBOS.writeStream('numbers', i)
    await DBOS.sleep(20)
  }
  await DBOS.runStep(() => DBOS.writeStream('numbers', 'from a step'), { name: 'stepWrite' })
  if (close) await DBOS.closeStream('numbers')
  return n
}, { name: 'streamer' })

const streamConsumer = DBOS.registerWorkflow(async (target: string) => {
  const seen: unknown[] = []
  for await (const v of DBOS.readStream(target, 'numbers')) seen.push(v)
  return seen
}, { name: 'streamConsumer' })

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = []
  for await (const v of gen) out.push(v)
  return out
}

describeEachDatabase('messages, events and streams', (db) => {
  beforeAll(async () => {
    DBOS.setConfig({ name: 'communication', systemDatabaseUrl: db.fresh() })
    await DBOS.launch()
  })
  afterAll(async () => {
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('delivers messages sent before recv, FIFO per topic, topics apart', async () => {
    const id = `recv-${crypto.randomUUID()}`
    // The workflow does not exist yet for the first sends; start it on a long-running first recv.
    const handle = await DBOS.startWorkflow(receiveAll, { workflowID: id })('a', 3, 5)
    await DBOS.send(id, 'a1', 'a')
    await DBOS.send(id, 'b1', 'b')
    await DBOS.send(id, 'a2', 'a')
    await DBOS.send(id, 'a3', 'a')
    expect(await handle.getResult()).toEqual(['a1', 'a2', 'a3'])
    const other = await DBOS.startWorkflow(receiveAll)('b', 1, 5)
    await DBOS.send(other.workflowID, 'b-only', 'b')
    await DBOS.send(other.workflowID, 'untopiced')
    expect(await other.getResult()).toEqual(['b-only'])
  })

  it('recv without a topic reads only messages sent without one', async () => {
    const handle = await DBOS.startWorkflow(receiveAll)(null, 1, 5)
    await DBOS.send(handle.workflowID, 'topical', 'x')
    await DBOS.send(handle.workflowID, 'plain')
    expect(await handle.getResult()).toEqual(['plain'])
  })

  it('returns null when recv times out', async () => {
    const started = performance.now()
    const handle = await DBOS.startWorkflow(receiveAll)('never', 1, 0.3)
    expect(await handle.getResult()).toEqual([null])
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    const steps = await DBOS.listWorkflowSteps(handle.workflowID)
    // ID 0 records the (absent) message, ID 1 the durable timeout it waited for.
    expect(steps?.map((s) => [s.functionID, s.name, s.output])).toEqual([
      [0, 'DBOS.recv', null],
      [1, 'DBOS.sleep', expect.any(Number)],
    ])
  })

  it('delivers a message sent twice with one idempotency key once', async () => {
    const handle = await DBOS.startWorkflow(receiveAll)('once', 2, 0.5)
    await DBOS.send(handle.workflowID, { x: 1 }, 'once', 'key-1')
    await DBOS.send(handle.workflowID, { x: 1 }, 'once', 'key-1')
    expect(await handle.getResult()).toEqual([{ x: 1 }, null])
  })

  // A waiting recv also re-reads every second, so a bound on the delay alone would let polling pass: the send
  // lands half-way between two of the receiver's reads, and the receiver must have the message before the next.
  it('sends from a workflow, exactly once, and wakes the receiver before its next poll', async () => {
    const attempt = async () => {
      const receiver = await DBOS.startWorkflow(receiveAll)('mail', 1, 10)
      // The recv's durable timeout records its deadline, 10 s on: that dates the wait and so its reads.
      const deadline = await waitFor('the receiver to start waiting', async () => {
        const timeout = (await DBOS.listWorkflowSteps(receiver.workflowID))?.find((x) => x.name === 'DBOS.sleep')
        return timeout ? Number(timeout.output) : undefined
      })
      const waitStart = deadline - 10_000
      const polls = Math.ceil((Date.now() + 100 - waitStart - POLL_MS / 2) / POLL_MS)
      await sleep(waitStart + polls * POLL_MS + POLL_MS / 2 - Date.now())
      const s = await DBOS.startWorkflow(sender)(receiver.workflowID)
      await s.getResult()
      expect(await receiver.getResult()).toEqual([{ from: s.workflowID }])
      const sent = (await DBOS.listWorkflowSteps(s.workflowID)) ?? []
      expect(sent.map((x) => x.name)).toEqual(['DBOS.send'])
      const received = (await DBOS.listWorkflowSteps(receiver.workflowID))?.find((x) => x.name === 'DBOS.recv')
      const sentAt = sent[0]!.completedAtEpochMs!
      // Too near a read (each comes a little after its nominal time), and that read may have found it.
      const sincePoll = (sentAt - waitStart) % POLL_MS
      if (sincePoll < POLL_MS / 4 || sincePoll > (POLL_MS * 3) / 4) return undefined
      return { sentAt, receivedAt: received!.completedAtEpochMs!, nextPoll: sentAt - sincePoll + POLL_MS }
    }
    let measured: Awaited<ReturnType<typeof attempt>>
    for (let tries = 0; tries < 3 && !measured; tries++) measured = await attempt()
    if (!measured) throw new Error('three times the send landed too close to a poll to tell the wake-up from it')
    const { sentAt, receivedAt, nextPoll } = measured
    expect({ afterSendMs: receivedAt - sentAt, nextPollAfterMs: nextPoll - sentAt, beforeNextPoll: receivedAt < nextPoll })
      .toMatchObject({ beforeNextPoll: true })
  })

  it('rejects a message to a workflow that does not exist', async () => {
    await expect(DBOS.send('no-such-workflow', 1)).rejects.toThrow(DBOSNonExistentWorkflowError)
    const s = await DBOS.startWorkflow(sender)('no-such-workflow')
    await expect(s.getResult()).rejects.toThrow(/non-existent destination/)
  })

  it('publishes events: the latest value wins, a wait ends when it is set, and a workflow records what it read', async () => {
    const handle = await DBOS.startWorkflow(publisher)()
    expect(await DBOS.getEvent(handle.workflowID, 'progress', 5)).toBeGreaterThanOrEqual(1)
    // Once both setEvents are recorded, the event reads as the second.
    await waitFor('the publisher to set progress twice', async () => {
      const steps = (await DBOS.listWorkflowSteps(handle.workflowID)) ?? []
      return steps.filter((x) => x.name === 'DBOS.setEvent').length === 2 ? true : undefined
    })
    expect(await DBOS.getEvent(handle.workflowID, 'progress', 5)).toBe(2)
    const reader = await DBOS.startWorkflow(eventReader)(handle.workflowID)
    expect(await reader.getResult()).toBe(2)
    await DBOS.send(handle.workflowID, 'now', 'finish')
    await handle.getResult()
    expect(await DBOS.getEvent(handle.workflowID, 'progress', 1)).toBe(3)
    const [read] = (await DBOS.listWorkflowSteps(reader.workflowID)) ?? []
    expect(read).toMatchObject({ name: 'DBOS.getEvent', output: 2 })
  })

  it('returns null when getEvent times out, and waits for a workflow that sets it later', async () => {
    expect(await DBOS.getEvent('no-such-workflow', 'k', 0.2)).toBeNull()
    const handle = await DBOS.startWorkflow(waitForGo)()
    expect(await DBOS.getEvent(handle.workflowID, 'ready', 5)).toBe(true)
    await DBOS.send(handle.workflowID, 'go!', 'go')
    expect(await handle.getResult()).toBe('go!')
  })

  it('refuses recv and setEvent outside workflow code', async () => {
    await expect(DBOS.recv('x', 1)).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
    await expect(DBOS.setEvent('x', 1)).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
    await expect(DBOS.writeStream('x', 1)).rejects.toThrow(DBOSInvalidWorkflowTransitionError)
  })

  it('reads a stream while it is written, and again after completion', async () => {
    const handle = await DBOS.startWorkflow(streamer)(5, true)
    const live = await collect(DBOS.readStream<unknown>(handle.workflowID, 'numbers'))
    expect(live).toEqual([0, 1, 2, 3, 4, 'from a step'])
    await handle.getResult()
    expect(await collect(DBOS.readStream<unknown>(handle.workflowID, 'numbers'))).toEqual(live)
  })

  it('ends a stream that was never closed when its workflow ends', async () => {
    const handle = await DBOS.startWorkflow(streamer)(2, false)
    expect(await collect(DBOS.readStream<unknown>(handle.workflowID, 'numbers'))).toEqual([0, 1, 'from a step'])
  })

  it('records what a workflow read from a stream', async () => {
    const producer = await DBOS.startWorkflow(streamer)(3, true)
    const consumer = await DBOS.startWorkflow(streamConsumer)(producer.workflowID)
    expect(await consumer.getResult()).toEqual([0, 1, 2, 'from a step'])
    const steps = await DBOS.listWorkflowSteps(consumer.workflowID)
    expect(steps?.map((s) => [s.name, s.output])).toEqual([
      ['DBOS.readStream', 0], ['DBOS.readStream', 1], ['DBOS.readStream', 2], ['DBOS.readStream', 'from a step'],
      ['DBOS.readStream', '__DBOS_STREAM_CLOSED__'],
    ])
  })
})
