// Recovery inside one process: shutdown mid-workflow, relaunch, resume from the last recorded step.
import { perdure } from '../support/perdure.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'
import { catchErrorLogs } from '../support/logs.ts'

const { DBOS, DBOSExecutorNotInitializedError } = perdure

const executions = new Map<string, number>()
const count = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1)

/** Steps that block until released, standing in for work interrupted by a crash. */
let blocking = true
const never = new Promise<never>(() => {})
const gate = () => (blocking ? never : Promise.resolve())

let variant: 'a' | 'b' = 'a'

const resumable = DBOS.registerWorkflow(async (tag: string) => {
  const first = await DBOS.runStep(() => (count(`first:${tag}`), 10), { name: 'first' })
  await DBOS.runStep(() => gate(), { name: 'blocker' })
  const last = await DBOS.runStep(() => (count(`last:${tag}`), 5), { name: 'last' })
  return first + last
}, { name: 'resumable' })

const fragile = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => gate(), { name: 'blocker' })
  return 'done'
}, { name: 'fragile', maxRecoveryAttempts: 1 })

const changing = DBOS.registerWorkflow(async () => {
  await DBOS.runStep(() => 1, { name: 'first' })
  if (variant === 'a') await DBOS.runStep(() => 'a', { name: 'stepA' })
  else await DBOS.runStep(() => 'b', { name: 'stepB' })
  await DBOS.runStep(() => gate(), { name: 'blocker' })
}, { name: 'changing' })

const sleeper = DBOS.registerWorkflow(async (ms: number) => {
  const before = Date.now()
  await DBOS.sleep(ms)
  return Date.now() - before
}, { name: 'sleeper' })

/** Runs `fn`, returning what DBOS logged at warn level meanwhile (warnings go to console.warn). */
async function warningsDuring(fn: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = []
  const original = console.warn
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '))
  }
  try {
    await fn()
  } finally {
    console.warn = original
  }
  return warnings
}

/** Relaunches on `url` with this application version; null leaves the version to the environment or default. */
async function relaunch(url: string, applicationVersion: string | null = 'v1'): Promise<void> {
  await DBOS.shutdown()
  DBOS.setConfig({ name: 'recovery-tests', systemDatabaseUrl: url, ...(applicationVersion ? { applicationVersion } : {}) })
  await DBOS.launch()
}

async function waitForStatus(id: string, status: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await DBOS.getWorkflowStatus(id))?.status === status) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`workflow ${id} never reached ${status}`)
}

async function waitForSteps(id: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (((await DBOS.listWorkflowSteps(id)) ?? []).length >= n) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`workflow ${id} never recorded ${n} steps`)
}

describeEachDatabase('recovery', (db) => {
  let url: string
  beforeAll(async () => {
    url = db.persistent()
    await relaunch(url)
  })
  afterAll(async () => {
    blocking = true
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('resumes an interrupted workflow from its last recorded step after a relaunch', async () => {
    blocking = true
    const tag = crypto.randomUUID()
    const handle = await DBOS.startWorkflow(resumable, { workflowID: `resume-${tag}` })(tag)
    await waitForSteps(handle.workflowID, 1)
    // Shutdown stops the run mid-workflow; its row stays PENDING for recovery.
    await DBOS.shutdown()
    await expect(handle.getResult()).rejects.toThrow(DBOSExecutorNotInitializedError)
    blocking = false
    await relaunch(url)
    expect(await DBOS.retrieveWorkflow(handle.workflowID).getResult()).toBe(15)
    expect(executions.get(`first:${tag}`)).toBe(1)
    expect(executions.get(`last:${tag}`)).toBe(1)
    expect((await DBOS.getWorkflowStatus(handle.workflowID))?.recoveryAttempts).toBe(2)
  })

  it('recovers only the workflows of its own application version', async () => {
    blocking = true
    const tag = crypto.randomUUID()
    const handle = await DBOS.startWorkflow(resumable, { workflowID: `version-${tag}` })(tag)
    await waitForSteps(handle.workflowID, 1)
    await DBOS.shutdown()
    blocking = false
    // Another version's executor leaves it alone: its code may differ. It says so, and how to move the work.
    const warnings = await warningsDuring(() => relaunch(url, 'v2'))
    const stranded = warnings.find((w) => w.includes('PENDING workflow(s) of other application versions'))
    expect(stranded).toMatch(/\d+ PENDING workflow\(s\) of other application versions will not run here \(this is version v2\)/)
    expect(stranded).toMatch(/\d+ of v1/)
    expect(stranded).toContain("DBOS.forkWorkflow(id, startStep, { applicationVersion: 'v2' })")
    await new Promise((r) => setTimeout(r, 500))
    expect(await DBOS.getWorkflowStatus(handle.workflowID)).toMatchObject({ status: 'PENDING', applicationVersion: 'v1' })
    expect(executions.get(`last:${tag}`)).toBeUndefined()
    await relaunch(url, 'v1')
    expect(await DBOS.retrieveWorkflow(handle.workflowID).getResult()).toBe(15)
    expect(executions.get(`first:${tag}`)).toBe(1)
  })

  it('starts a recovered workflow again by its ID without a warning about queues', async () => {
    blocking = true
    const tag = crypto.randomUUID()
    const workflowID = `again-${tag}`
    await DBOS.startWorkflow(resumable, { workflowID })(tag)
    await waitForSteps(workflowID, 1)
    await DBOS.shutdown()
    blocking = false
    // Recovery puts it on the internal queue; the application, restarting, starts the same ID again (the
    // idempotent way to make sure a job runs), without any queue of its own.
    const warnings = await warningsDuring(async () => {
      await relaunch(url)
      const again = await DBOS.startWorkflow(resumable, { workflowID })(tag)
      expect(await again.getResult()).toBe(15)
    })
    expect(warnings.filter((w) => w.includes('already exists on queue'))).toEqual([])
    expect(executions.get(`first:${tag}`)).toBe(1)
  })

  it('dead-letters a workflow that keeps failing to finish', async () => {
    blocking = true
    const handle = await DBOS.startWorkflow(fragile)()
    await relaunch(url) // attempt 2: still within maxRecoveryAttempts = 1 (+1 first run)
    await waitForStatus(handle.workflowID, 'PENDING')
    const { errors } = await catchErrorLogs(async () => {
      await relaunch(url) // attempt 3: beyond the limit
      await waitForStatus(handle.workflowID, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')
    })
    expect(errors.some((line) => line.includes(`${handle.workflowID} exceeded 1 recovery attempts`))).toBe(true)
    await expect(DBOS.retrieveWorkflow(handle.workflowID).getResult()).rejects.toThrow(/maximum of 0|exceeded/)
  })

  it('fails a replay whose steps differ from the recorded ones with DBOSUnexpectedStepError', async () => {
    blocking = true
    variant = 'a'
    const handle = await DBOS.startWorkflow(changing)()
    await waitForSteps(handle.workflowID, 2)
    variant = 'b'
    blocking = false
    await relaunch(url)
    const error = await DBOS.retrieveWorkflow(handle.workflowID).getResult().then(() => undefined, (e: Error) => e)
    expect(error?.name).toBe('DBOSUnexpectedStepError')
    expect(error?.message).toContain('function stepA was recorded when stepB was expected')
  })

  it('records the wake-up time of a durable sleep', async () => {
    const handle = await DBOS.startWorkflow(sleeper)(150)
    const slept = await handle.getResult()
    expect(slept).toBeGreaterThanOrEqual(149)
    const [step] = (await DBOS.listWorkflowSteps(handle.workflowID)) ?? []
    expect(step?.name).toBe('DBOS.sleep')
    expect(typeof step?.output).toBe('number')
    expect(step?.completedAtEpochMs).toBe(step?.output)
  })

  it('takes its version from the configuration, else DBOS__APPVERSION, else a digest of the workflow code', async () => {
    const env = process.env as Record<string, string | undefined>
    const before = env.DBOS__APPVERSION
    try {
      env.DBOS__APPVERSION = 'from-env'
      await relaunch(url, 'from-config')
      expect(DBOS.applicationVersion).toBe('from-config')
      await relaunch(url, null)
      expect(DBOS.applicationVersion).toBe('from-env')
      delete env.DBOS__APPVERSION
      await relaunch(url, null)
      expect(DBOS.applicationVersion).toMatch(/^[0-9a-f]{64}$/)
    } finally {
      if (before === undefined) delete env.DBOS__APPVERSION
      else env.DBOS__APPVERSION = before
      await relaunch(url)
    }
  })
})
