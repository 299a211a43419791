// Real-process crash tests: test/fixtures/crash-worker.ts is SIGKILLed in the middle of a workflow, then a
// new process with the same executor ID and application version must resume that workflow from its last
// checkpoint. Only a real kill proves this: in-process tests cannot lose uncommitted state the way a dead
// process does. Runs on Postgres (a fresh database per test) and on PGlite stored in a directory.
import { type ChildProcess, spawn } from 'node:child_process'
import { scriptCommand } from '../support/command.ts'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeEachDatabase } from '../support/databases.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const WORKER = 'test/fixtures/crash-worker.ts'
/** Per wait on a worker; a PGlite launch alone takes 2-4 s, so this is generous and still finite. */
const WORKER_TIMEOUT_MS = 30_000
const SLEEP_MS = 3000
// Early in the sleep, so a busy machine still restarts well before the deadline (the test needs that margin).
const KILL_INTO_SLEEP_MS = 500
// Both processes of a test use these: recovery only picks up PENDING rows of the same executor and version.
const EXECUTOR_ID = 'crash-executor'
const APP_VERSION = 'crash-test-v1'

type Scenario = 'steps' | 'sleep' | 'recv' | 'instance'
type Mode = 'run' | 'recover'

/** Every worker still running, so that a failed test or a dying test process never leaves one behind. */
const live = new Set<Worker>()
process.once('exit', () => {
  for (const worker of live) worker.signal('SIGKILL')
})

/** A spawned crash-worker: its stdout lines, its stderr (for failure messages) and its exit. */
class Worker {
  readonly label: string
  readonly #child: ChildProcess
  readonly #lines: string[] = []
  readonly #onChange = new Set<() => void>()
  #pending = ''
  #stderr = ''
  #exit: string | undefined
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  constructor(scenario: Scenario, mode: Mode, args: string[]) {
    this.label = `${scenario} ${mode}`
    this.#child = spawn(...scriptCommand(WORKER, [scenario, mode, ...args]), {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    live.add(this)
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.#pending + chunk).split('\n')
      this.#pending = parts.pop() ?? ''
      this.#lines.push(...parts)
      this.#changed()
    })
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes after the last stdout chunk, so no line is missed.
      this.#child.once('close', (code, signal) => {
        live.delete(this)
        this.#exit = signal ? `signal ${signal}` : `exit code ${code}`
        this.#changed()
        resolve({ code, signal })
      })
      this.#child.once('error', (error) => {
        live.delete(this)
        this.#exit = `spawn error ${error.message}`
        this.#changed()
        resolve({ code: null, signal: null })
      })
    })
  }

  /** Resolves with the rest of the first stdout line that starts with `prefix`; fails on exit or timeout. */
  line(prefix: string, timeoutMS = WORKER_TIMEOUT_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer)
        this.#onChange.delete(check)
        settle()
      }
      const check = () => {
        const found = this.#lines.find((l) => l.startsWith(prefix))
        if (found !== undefined) finish(() => resolve(found.slice(prefix.length).trim()))
        else if (this.#exit) {
          finish(() => reject(this.#failure(`ended (${this.#exit}) without printing ${prefix.trim()}`)))
        }
      }
      const timer = setTimeout(() => {
        this.signal('SIGKILL')
        const what = `printed no ${prefix.trim()} within ${timeoutMS} ms and was killed`
        finish(() => reject(this.#failure(what)))
      }, timeoutMS)
      this.#onChange.add(check)
      check()
    })
  }

  /** Waits for a clean exit (shutdown must not hang); kills the worker and fails after the timeout. */
  async succeeded(timeoutMS = WORKER_TIMEOUT_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMS)
    })
    const outcome = await Promise.race([this.exited, timedOut])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      await this.kill()
      throw this.#failure(`did not exit within ${timeoutMS} ms and was killed`)
    }
    if (outcome.code !== 0) throw this.#failure(`ended with ${this.#exit}`)
  }

  /** Lets a worker started with --await-go launch. */
  go(): void {
    this.#child.stdin!.end()
  }

  /** SIGKILL, the crash under test: no handler runs, nothing is flushed or closed. */
  async kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.signal('SIGKILL')
    return await this.exited
  }

  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) this.#child.kill(signal)
  }

  #changed(): void {
    for (const listener of [...this.#onChange]) listener()
  }

  #failure(what: string): Error {
    const stdout = [...this.#lines, this.#pending].filter(Boolean).join('\n')
    return new Error(
      `crash-worker (${this.label}) ${what}\n--- stdout ---\n${stdout}\n--- stderr ---\n${this.#stderr}`,
    )
  }
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
    await Promise.all([...live].map((worker) => worker.kill()))
    await db.dropAll()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('resumes a SIGKILLed five-step workflow after its last checkpoint', async () => {
    const sideFile = join(scratch, 'five-steps.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-five-steps')

    const first = new Worker('steps', 'run', args)
    // Printed at the start of step 4, so step 3's checkpoint is committed; step 4 then waits 10 s.
    await first.line('STEP3_DONE')
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    expect(readRan(sideFile)).toEqual(['step 1 run', 'step 2 run', 'step 3 run'])

    const second = new Worker('steps', 'recover', args)
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

    const first = new Worker('sleep', 'run', args)
    // The recovering process is loaded in the meantime and launches on go(), so that the restart is prompt
    // even on a slow machine: a late restart would blur a correct wake-up with one a full sleep later.
    const second = new Worker('sleep', 'recover', [...args, '--await-go'])
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
    second.go()
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()

    // Step A was replayed: the result carries the first run's timestamp.
    expect(result.sleptAt).toBe(sleptAt)
    expect(result.wokeAt).toBeGreaterThanOrEqual(deadline - 50)
    expect(result.wokeAt).toBeLessThan(deadline + 1500)
    expect(result.wokeAt).toBeLessThan(restartedAt + SLEEP_MS)
    expect(readRan(sideFile)).toEqual(['step A run', 'step B recover'])
    expect(status).toMatchObject({ workflowID: 'crash-sleep', status: 'SUCCESS', recoveryAttempts: 2 })
  })

  it('delivers a message to a workflow SIGKILLed while waiting in recv, after the restart', async () => {
    const sideFile = join(scratch, 'recv.log')
    const args = workerArgs(db.persistent(), sideFile, 'crash-recv')
    const first = new Worker('recv', 'run', args)
    await first.line('WAITING')
    await delay(300)
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    const second = new Worker('recv', 'recover', args)
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
    const first = new Worker('instance', 'run', args)
    await first.line('ENTRY1_DONE')
    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' })
    const second = new Worker('instance', 'recover', args)
    const result = JSON.parse(await second.line('RESULT '))
    const status = JSON.parse(await second.line('STATUS '))
    await second.succeeded()
    // The 'books' instance, not 'other': its prefix and its name come back.
    expect(result).toEqual(['B-1', 'B-2', 'books'])
    expect(readRan(sideFile)).toEqual(['entry 1 run', 'entry 2 recover'])
    expect(status).toMatchObject({ workflowClassName: 'Ledger', workflowConfigName: 'books', status: 'SUCCESS', recoveryAttempts: 2 })
  })
})
