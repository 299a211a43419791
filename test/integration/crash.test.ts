// Real-process crash tests: test/fixtures/crash-worker.ts is SIGKILLed in the middle of a workflow, then a
// new process with the same executor ID and application version must resume that workflow from its last
// checkpoint. Only a real kill proves this: in-process tests cannot lose uncommitted state the way a dead
// process does. Runs on Postgres (a fresh database per test) and on PGlite stored in a directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeEachDatabase } from '../support/databases.ts'

const WORKER = 'test/fixtures/crash-worker.ts'
/** Per wait on a worker; a PGlite launch alone takes 2-4 s, so this is generous and still finite. */
const WORKER_TIMEOUT_MS = 30_000
// Long enough that the recovering process, launched after the kill, can open its database and reach the
// original deadline on a loaded machine (seen: 2.5 s was not always enough beside the browser test).
const SLEEP_MS = 5000
// Early in the sleep, so a busy machine still restarts well before the deadline (the test needs that margin).
const KILL_INTO_SLEEP_MS = 500
// Both processes of a test use these: recovery only picks up PENDING rows of the same executor and version.
const EXECUTOR_ID = 'crash-executor'
const APP_VERSION = 'crash-test-v1'

type Scenario = 'steps' | 'sleep' | 'recv' | 'instance'
type Mode = 'run' | 'recover'

/** A crash-worker run: `scenario` and `mode` are its positional arguments, `args` the rest. */
function worker(scenario: Scenario, mode: Mode, args: string[]): Child {
  return new Child(`crash-worker (${scenario} ${mode})`, scriptCommand(WORKER, [scenario, mode, ...args]), {
    timeoutMS: WORKER_TIMEOUT_MS,
  })
}

function workerArgs(db: string, sideFile: string, workflowID: string): string[] {
  return [
    '--db', db, '--side-file', sideFile, '--workflow-id', workflowID,
    '--executor-id', EXECUTOR_ID, '--app-version', APP_VERSION, '--sleep-ms', String(SLEEP_MS),
  ]
}

/** The side file's lines: `<label> <mode>` for every step execution that ran to its end. */
function readRan(sideFile: string): string[] {
  return readFileSync(sideFile, 'utf8').split('\n').filter(Boolean)
}

function timesRan(ran: string[], label: string): number {
  return ran.filter((line) => line.startsWith(`${label} `)).length
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))

describeEachDatabase('crash recovery in real processes', (db) => {
  // Side files; each test's system database comes from db.persistent(), which outlives a process.
  let scratch = ''

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'perdure-crash-'))
  })

  afterAll(async () => {
    await Child.killAll()
    await db.dropAll()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('resumes a SIGKILLed five-step workflow after its last checkpoint', async () => {
    const sideFile = join(scratch, 'five-steps.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-five-steps')

    const first = worker('steps', 'run', args)
    // Printed at the start of step 4, so step 3's checkpoint is committed; step 4 then waits 10 s.
    await first.line('STEP3_DONE')
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    expect(readRan(sideFile)).toEqual(['step 1 run', 'step 2 run', 'step 3 run'])

    const second = worker('steps', 'recover', args)
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()

    const ran = readRan(sideFile)
    // Recorded steps are replayed from their checkpoints, never run again.
    for (const label of ['step 1', 'step 2', 'step 3']) expect(timesRan(ran, label)).toBe(1)
    // Step 4 had no checkpoint, so it runs again; the killed attempt may or may not have got to its record.
    expect(timesRan(ran, 'step 4')).toBeGreaterThanOrEqual(1)
    expect(timesRan(ran, 'step 4')).toBeLessThanOrEqual(2)
    expect(timesRan(ran, 'step 5')).toBe(1)
    // Here the kill lands in step 4's wait, before its record, so the exact history is known.
    expect(ran).toEqual(['step 1 run', 'step 2 run', 'step 3 run', 'step 4 recover', 'step 5 recover'])

    // 1 + 4 + 9 from the replayed checkpoints, 16 + 25 from the recovered run.
    expect(result).toBe(55)
    expect(status).toMatchObject({
      workflowID: 'crash-five-steps',
      status: 'SUCCESS',
      output: 55,
      // One for the first run, one for the recovery.
      recoveryAttempts: 2,
      executorId: EXECUTOR_ID,
      applicationVersion: APP_VERSION,
    })
  })

  it('wakes a SIGKILLed sleeping workflow at its original deadline', async () => {
    const sideFile = join(scratch, 'sleep.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-sleep')

    const first = worker('sleep', 'run', args)
    // The recovering process is loaded in the meantime and launches once its stdin closes, so that the
    // restart is prompt even on a slow machine: a late restart would blur a correct wake-up with one a full
    // sleep later.
    const second = worker('sleep', 'recover', [...args, '--await-go'])
    await second.line('READY')
    // Step A prints its Date.now() just before the workflow records the sleep's deadline.
    const sleptAt = Number(await first.line('SLEEPING '))
    expect(Number.isFinite(sleptAt)).toBe(true)
    const deadline = sleptAt + SLEEP_MS
    await delay(sleptAt + KILL_INTO_SLEEP_MS - Date.now())
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })

    // Restart at once: a sleep that started over would then end SLEEP_MS after this at the earliest,
    // well past the original deadline.
    const restartedAt = Date.now()
    expect(restartedAt).toBeLessThan(deadline - SLEEP_MS / 2)
    second.endInput()
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()

    // Step A was replayed: the result carries the first run's timestamp.
    expect(result.sleptAt).toBe(sleptAt)
    // Not before the original deadline, and before a sleep started over at the restart could end: that is
    // the behaviour; how soon after the deadline it woke depends only on how loaded the machine is.
    expect(result.wokeAt).toBeGreaterThanOrEqual(deadline - 50)
    expect(result.wokeAt).toBeLessThan(restartedAt + SLEEP_MS)
    expect(readRan(sideFile)).toEqual(['step A run', 'step B recover'])
    expect(status).toMatchObject({ workflowID: 'crash-sleep', status: 'SUCCESS', recoveryAttempts: 2 })
  })

  it('delivers a message to a workflow SIGKILLed while waiting in recv, after the restart', async () => {
    const sideFile = join(scratch, 'recv.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-recv')
    const first = worker('recv', 'run', args)
    await first.line('WAITING')
    await delay(300)
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    const second = worker('recv', 'recover', args)
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()
    expect(result).toBe('hello after the restart')
    expect(readRan(sideFile)).toEqual(['step A run', 'step B recover'])
    expect(status).toMatchObject({ workflowID: 'crash-recv', status: 'SUCCESS', recoveryAttempts: 2 })
  })

  it('recovers a SIGKILLed ConfiguredInstance workflow onto the instance of the same name', async () => {
    const sideFile = join(scratch, 'instance.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-instance')
    const first = worker('instance', 'run', args)
    await first.line('ENTRY1_DONE')
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    const second = worker('instance', 'recover', args)
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()
    // The 'books' instance, not 'other': its prefix and its name come back.
    expect(result).toEqual(['B-1', 'B-2', 'books'])
    expect(readRan(sideFile)).toEqual(['entry 1 run', 'entry 2 recover'])
    expect(status).toMatchObject({ workflowClassName: 'Ledger', workflowConfigName: 'books', status: 'SUCCESS', recoveryAttempts: 2 })
  })
})
