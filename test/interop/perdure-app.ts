// The Perdure application of the interop tests: queues and workflows declared at import, before launch. The
// official client and executor address them by name. `runs` counts what really ran in this process, so a
// test can tell a replayed step from a re-executed one.
import { perdure } from '../support/perdure.ts'
import { PERDURE_APP } from './apps.ts'

const { DBOS, Debouncer, WorkflowQueue } = perdure

export const queue = new WorkflowQueue(PERDURE_APP.queue)
/** Declared only for its limits, which the official client must list as Perdure maps them (docs/sysdb.md §5.1). */
export const limitedQueue = new WorkflowQueue('limited', {
  concurrency: 4, workerConcurrency: 2, rateLimit: { limitPerPeriod: 10, periodSec: 2 },
})

/** A promise a test opens; `entered` counts the executions waiting on it. */
export class Gate {
  entered = 0
  #open: () => void = () => {}
  readonly #opened: Promise<void> = new Promise((resolve) => (this.#open = resolve))

  wait(): Promise<void> {
    this.entered++
    return this.#opened
  }

  open(): void {
    this.#open()
  }
}

export const runs: Record<string, number> = {}
function ran(label: string): number {
  runs[label] = (runs[label] ?? 0) + 1
  return runs[label]
}

/** A user error with its own name and code, as the spec's item 6 describes. */
export class MyErr extends Error {
  code = 42
  constructor(message: string) {
    super(message)
    this.name = 'MyErr'
  }
}

export const takesDate = DBOS.registerWorkflow(async (n: number, when: Date) => {
  return { n, when, isDate: when instanceof Date, later: new Date(when.getTime() + 1000) }
}, { name: 'takesDate' })

export const throwsMyErr = DBOS.registerWorkflow(async (message: string) => {
  throw new MyErr(message)
}, { name: 'throwsMyErr' })

export const echoArgs = DBOS.registerWorkflow(async (...args: unknown[]) => ({ args }), { name: 'echoArgs' })

/** The workflow `dbos.enqueue_workflow('wf', …)` names in the spec's item 8. */
export const wf = DBOS.registerWorkflow(async (x: unknown) => ({ got: x, type: typeof x }), { name: 'wf' })

export const recvTwice = DBOS.registerWorkflow(async (topic: string) => {
  return [await DBOS.recv<unknown>(topic, 10), await DBOS.recv<unknown>(topic, 1)]
}, { name: 'recvTwice' })

/** Returns the time just before its setEvent, for measuring how soon a waiter elsewhere wakes. */
export const setEventNow = DBOS.registerWorkflow(async (key: string, value: unknown) => {
  const before = await DBOS.runStep(() => Date.now(), { name: 'before-set' })
  await DBOS.setEvent(key, value)
  return before
}, { name: 'setEventNow' })

/**
 * Blocks in DBOS.getEvent for up to 30 s. Perdure re-reads an awaited event every second (POLL_MS in
 * core/engine/events.ts), counted from the start of the wait, whose durable timeout is recorded as the
 * `DBOS.sleep` operation after `before-wait`: a wake-up between two of those reads can only be a NOTIFY.
 */
export const awaitsEvent = DBOS.registerWorkflow(async (targetID: string, key: string) => {
  await DBOS.runStep(() => 'waiting', { name: 'before-wait' })
  const value = await DBOS.getEvent<unknown>(targetID, key, 30)
  const wokeAt = await DBOS.runStep(() => Date.now(), { name: 'woke' })
  return { value, wokeAt }
}, { name: 'awaitsEvent' })

/** Closes its stream, then stays PENDING until told: a reader must stop at the close marker, not at the end. */
export const streamThenWait = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('s', 'a')
  await DBOS.writeStream('s', { b: 2, at: new Date(0) })
  await DBOS.closeStream('s')
  await DBOS.recv<string>('done', 30)
  return 'streamed'
}, { name: 'streamThenWait' })

/** Stays active (holding its deduplication ID) until released or `seconds` pass. */
export const holder = DBOS.registerWorkflow(async (seconds: number) => {
  return await DBOS.recv<string>('release', seconds)
}, { name: 'holder' })

export const cancelGate = new Gate()
export const cancellable = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => ran('cancel:first'), { name: 'first' })
  await DBOS.runStep(async () => {
    ran('cancel:blocked')
    await cancelGate.wait()
  }, { name: 'blocked' })
  await DBOS.runStep(() => ran('cancel:last'), { name: 'last' })
  return 'finished'
}, { name: 'cancellable' })

export const resumeGate = new Gate()
/** What each execution's step calls threw, by error name. */
export const resumeErrors: string[] = []
async function observed<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step()
  } catch (e) {
    resumeErrors.push((e as Error).name)
    throw e
  }
}
export const resumedWhileRunning = DBOS.registerWorkflow(async () => {
  await observed(() => DBOS.runStep(() => ran('resume:first'), { name: 'first' }))
  await observed(() => DBOS.runStep(async () => {
    ran('resume:blocked')
    await resumeGate.wait()
  }, { name: 'blocked' }))
  await observed(() => DBOS.runStep(() => ran('resume:last'), { name: 'last' }))
  return 'finished'
}, { name: 'resumedWhileRunning' })

export const timeoutChild = DBOS.registerWorkflow(async () => {
  await DBOS.sleep(10_000)
  return 'child not cancelled'
}, { name: 'timeoutChild' })

export const timeoutParent = DBOS.registerWorkflow(async () => {
  await DBOS.startWorkflow(timeoutChild, { workflowID: `${DBOS.workflowID}-child` })()
  await DBOS.sleep(10_000)
  return 'parent not cancelled'
}, { name: 'timeoutParent' })

/** Steps 0..4 of every kind the official step listing must show (docs/sysdb.md §3.8 names). */
export const fiveOperations = DBOS.registerWorkflow(async (tag: string) => {
  const a = await DBOS.runStep(() => {
    ran(`${tag}:alpha`)
    return { a: 1, at: new Date(0) }
  }, { name: 'alpha' })
  await DBOS.setEvent('progress', 'alpha done')
  const b = await DBOS.runStep(() => `b${ran(`${tag}:beta`)}`, { name: 'beta' })
  await DBOS.sleep(1)
  const c = await DBOS.runStep(() => ran(`${tag}:gamma`), { name: 'gamma' })
  return { tag, a, b, c }
}, { name: 'fiveOperations' })

export const nightly = DBOS.registerWorkflow(async (scheduled: Date) => scheduled.toISOString(), { name: 'nightly' })
DBOS.registerScheduled(nightly, { crontab: '* * * * * *' })

export const debounced = DBOS.registerWorkflow(async (x: string) => {
  ran('debounced')
  return x
}, { name: 'debounced' })
export const debouncer = new Debouncer({ workflow: debounced })
