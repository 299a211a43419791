// A child process as the tests drive it: they read its protocol lines on stdout, keep its stderr only to
// explain a failure, and must never leave it running, whatever happens to the test.
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Per wait on a child: a launch alone takes 2-4 s on a loaded machine, so this is generous and still finite. */
const DEFAULT_TIMEOUT_MS = 30_000
/** How much of each stream a failure message shows: the end is where a dying process says why. */
const TAIL_CHARS = 8_000

/** How a child ended: an exit code, or the signal that killed it (both null when it never started). */
export type Exit = { code: number | null; signal: NodeJS.Signals | null }

export interface ChildOptions {
  /** Added to this process's environment. */
  env?: Record<string, string>
  /** 'pipe' (the default) for children that take stdin closing as a request; 'ignore' for the others. */
  stdin?: 'pipe' | 'ignore'
  /** The default wait for a line or an exit. */
  timeoutMS?: number
}

/** Every child still running, so that a failed test or a dying test process never leaves one behind. */
const live = new Set<Child>()
process.once('exit', () => {
  // Only synchronous work runs here, so there is no waiting for the exits.
  for (const child of live) child.signal('SIGKILL')
})

/** A spawned process, run from the repository root: its stdout lines, its stderr and its exit. */
export class Child {
  readonly label: string
  /** Settles once the process has ended and its output has all been read. */
  readonly exited: Promise<Exit>
  readonly #child: ChildProcess
  readonly #timeoutMS: number
  readonly #lines: string[] = []
  readonly #onChange = new Set<() => void>()
  /** The start of a stdout line whose newline has not come yet. */
  #pending = ''
  #stderr = ''
  /** How it ended, for messages; undefined while it runs. */
  #exit: string | undefined

  /** `label` names the child in failure messages; scriptCommand() (./command.ts) makes `command` for a script. */
  constructor(label: string, [command, args]: readonly [string, readonly string[]], options: ChildOptions = {}) {
    this.label = label
    this.#timeoutMS = options.timeoutMS ?? DEFAULT_TIMEOUT_MS
    this.#child = spawn(command, args, {
      cwd: root,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
    })
    live.add(this)
    // Closing the stdin of a child that has already exited fails with EPIPE; its exit says all there is to say.
    this.#child.stdin?.on('error', () => {})
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
        this.#ended(signal ? `signal ${signal}` : `exit code ${code}`)
        resolve({ code, signal })
      })
      this.#child.once('error', (error) => {
        this.#ended(`spawn error ${error.message}`)
        resolve({ code: null, signal: null })
      })
    })
  }

  /** SIGKILLs every child still running and waits for their exits: for afterAll, after a failed test. */
  static async killAll(): Promise<void> {
    await Promise.all([...live].map((child) => child.kill()))
  }

  /** Everything it printed on stdout so far. */
  get stdout(): string {
    return [...this.#lines, this.#pending].join('\n')
  }

  get stderr(): string {
    return this.#stderr
  }

  /**
   * Resolves with the rest (trimmed) of the first stdout line that starts with `prefix`. Fails if the child
   * ends without printing one, or if none comes within `timeoutMS`; then the child is killed, as it is stuck.
   */
  line(prefix: string, timeoutMS = this.#timeoutMS): Promise<string> {
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
      // The line may be in already.
      check()
    })
  }

  /** Closes its stdin: for the fixtures here, the request to stop (or, for crash-worker --await-go, to go). */
  endInput(): void {
    this.#child.stdin?.end()
  }

  /**
   * The stop protocol of test/support/fixture.ts: closes stdin, then waits for STOPPED (printed once the
   * fixture has shut down) and a clean exit. A child that is slower than `timeoutMS` at either is killed.
   */
  async stop(timeoutMS = this.#timeoutMS): Promise<void> {
    this.endInput()
    await this.line('STOPPED', timeoutMS)
    await this.succeeded(timeoutMS)
  }

  /** Waits for exit code 0 (shutting down must not hang); kills the child and fails after `timeoutMS`. */
  async succeeded(timeoutMS = this.#timeoutMS): Promise<void> {
    const exit = await this.#exitWithin(timeoutMS)
    if (exit === undefined) {
      await this.kill()
      throw this.#failure(`did not exit within ${timeoutMS} ms and was killed`)
    }
    if (exit.code !== 0) throw this.#failure(`ended with ${this.#exit}`)
  }

  /**
   * Asks the child to exit, by closing its stdin or by a signal, and resolves with its exit, whatever that
   * is: for callers that judge the exit themselves. It is SIGKILLed if still running after `timeoutMS`.
   */
  async askToExit(request: 'stdin' | NodeJS.Signals, timeoutMS = this.#timeoutMS): Promise<Exit> {
    if (request === 'stdin') this.endInput()
    else this.signal(request)
    return (await this.#exitWithin(timeoutMS)) ?? (await this.kill())
  }

  /** SIGKILL, the crash under test and the clean-up: no handler runs, nothing is flushed or closed. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL')
    return await this.exited
  }

  /** Sends `signal` unless the child has ended (its PID could belong to another process by now). */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit === undefined) this.#child.kill(signal)
  }

  /** Its state and the ends of its stdout and stderr, for failure messages (also ones about several children). */
  report(): string {
    const state = this.#exit ?? 'running'
    const stdout = `--- ${this.label} (${state}) stdout ---\n${tail(this.stdout)}`
    return `${stdout}\n--- ${this.label} stderr ---\n${tail(this.#stderr)}`
  }

  /** The exit, or undefined if it has not come within `timeoutMS`. */
  async #exitWithin(timeoutMS: number): Promise<Exit | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMS)
    })
    try {
      return await Promise.race([this.exited, timedOut])
    } finally {
      // A pending timer would keep the test process alive for up to timeoutMS after its last test.
      clearTimeout(timer)
    }
  }

  #ended(how: string): void {
    // A child that failed to spawn can report both 'error' and 'close'; the first word stands.
    if (this.#exit !== undefined) return
    live.delete(this)
    this.#exit = how
    this.#changed()
  }

  /** Wakes every line() waiting, to look again at the lines or the exit. */
  #changed(): void {
    for (const listener of [...this.#onChange]) listener()
  }

  #failure(what: string): Error {
    return new Error(`${this.label} ${what}\n${this.report()}`)
  }
}

/** The last TAIL_CHARS of `text`, saying how much was left out: a long log would bury the message around it. */
function tail(text: string): string {
  if (text.length <= TAIL_CHARS) return text
  return `[… ${text.length - TAIL_CHARS} earlier characters left out]\n${text.slice(-TAIL_CHARS)}`
}
