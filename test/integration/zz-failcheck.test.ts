// The example page in examples/browser-stream/ reads a workflow's stream in real headless Chromium while its
// server is SIGKILLed and started again on the same port: the page must reconnect and end with every value
// exactly once, in order, and the workflow must have been recovered, not started over.
//
// Node only (Playwright drives Chromium from Node), in the pglite lane: the two server processes take turns
// on one PGlite directory. Chromium comes from Debian (`apt-get install -y chromium`); without it the test
// is skipped, unless PERDURE_REQUIRE_BROWSER is set, which makes it fail.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn } from '../support/databases.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const SERVER = 'examples/browser-stream/main.ts'
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
]
const VALUES = 40
const INTERVAL_MS = 100
const KILL_AFTER = 100
/** Per wait on a server or the page; a PGlite launch alone takes 2-4 s. */
const WAIT_MS = 8_000
const SECRET = `browser-test-${crypto.randomUUID()}`

const requireBrowser = !!process.env.PERDURE_REQUIRE_BROWSER && process.env.PERDURE_REQUIRE_BROWSER !== '0'
const missing = !existsSync(CHROMIUM)

/** Every server still running, so that a failed test never leaves one behind. */
const live = new Set<ServerProcess>()
process.once('exit', () => {
  for (const server of live) void server.kill()
})

/** A spawned examples/browser-stream/main.ts: its stdout lines, its output (for failure messages), its exit. */
class ServerProcess {
  readonly #child: ChildProcess
  readonly #lines: string[] = []
  readonly #onChange = new Set<() => void>()
  #output = ''
  #exit: string | undefined
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  readonly label: string

  constructor(label: string, env: Record<string, string>) {
    this.label = label
    this.#child = spawn(...scriptCommand(SERVER), { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(this)
    let pending = ''
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#output += chunk
      const parts = (pending + chunk).split('\n')
      pending = parts.pop() ?? ''
      this.#lines.push(...parts)
      this.#changed()
    })
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#output += chunk
    })
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': it comes after the last stdout chunk, so no line is missed.
      this.#child.once('close', (code, signal) => {
        live.delete(this)
        this.#exit = signal ? `signal ${signal}` : `exit code ${code}`
        this.#changed()
        resolve({ code, signal })
      })
    })
  }

  /** Resolves with the rest of the first stdout line starting with `prefix`; fails on exit or timeout. */
  line(prefix: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer)
        this.#onChange.delete(check)
        settle()
      }
      const check = () => {
        const found = this.#lines.find((l) => l.startsWith(prefix))
        if (found !== undefined) finish(() => resolve(found.slice(prefix.length).trim()))
        else if (this.#exit) finish(() => reject(this.failure(`ended (${this.#exit}) before printing ${prefix.trim()}`)))
      }
      const timer = setTimeout(() => {
        this.#child.kill('SIGKILL')
        finish(() => reject(this.failure(`printed no ${prefix.trim()} within ${WAIT_MS} ms and was killed`)))
      }, WAIT_MS)
      this.#onChange.add(check)
      check()
    })
  }

  /** SIGKILL: no handler runs, nothing is flushed or closed. */
  async kill(): Promise<void> {
    if (this.#exit === undefined) this.#child.kill('SIGKILL')
    await this.exited
  }

  /** SIGTERM, then the exit code of the graceful shutdown; SIGKILL after WAIT_MS. */
  async stop(): Promise<number | null> {
    if (this.#exit === undefined) this.#child.kill('SIGTERM')
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), WAIT_MS)
    const { code } = await this.exited
    clearTimeout(timer)
    return code
  }

  /** What it printed, stdout and stderr interleaved. */
  get output(): string {
    return this.#output
  }

  failure(what: string): Error {
    return new Error(`${this.label} ${what}\n--- output ---\n${this.#output}`)
  }

  #changed(): void {
    for (const listener of [...this.#onChange]) listener()
  }
}

/** What the page keeps on `window` (see examples/browser-stream/page.ts). */
interface PageState {
  received: number[]
  attempts: number
  connections: number
  done: boolean
  failure?: string
  items: string[]
}

async function pageState(page: Page): Promise<PageState> {
  return await page.evaluate(() => {
    const w = window as unknown as Omit<PageState, 'items'>
    const items = Array.from(document.querySelectorAll('#values li'), (li) => li.textContent ?? '')
    return { received: w.received, attempts: w.attempts, connections: w.connections, done: w.done, failure: w.failure, items }
  })
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

// Bun and Deno run this file too; Playwright is driven from Node only, so they get nothing to run.
if (!('Bun' in globalThis || 'Deno' in globalThis)) {
  describeOn('pglite', 'a workflow stream in headless Chromium', (db) => {
    if (missing && !requireBrowser) {
      it.skip(`SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium; PERDURE_REQUIRE_BROWSER=1 makes this a failure)`, () => {})
      return
    }

    let profile = ''
    let context: BrowserContext | undefined

    beforeAll(async () => {
      if (missing) throw new Error(`PERDURE_REQUIRE_BROWSER is set but ${CHROMIUM} is missing: apt-get install -y chromium`)
      const { chromium } = await import('playwright-core')
      profile = mkdtempSync(join(tmpdir(), 'perdure-chromium-'))
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        timeout: WAIT_MS,
      })
    })

    afterAll(async () => {
      await context?.close()
      await Promise.all([...live].map((server) => server.kill()))
      await db.dropAll()
      if (profile) rmSync(profile, { recursive: true, force: true })
    })

    /** Starts server A, kills or stops it once the page has KILL_AFTER values, then starts server B. */
    async function restartMidStream(workflowID: string, how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
      const env = {
        DBOS_SYSTEM_DATABASE_URL: db.persistent(),
        STREAM_TOKEN_SECRET: SECRET,
        STREAM_VALUES: String(VALUES),
        STREAM_INTERVAL_MS: String(INTERVAL_MS),
      }
      const first = new ServerProcess('server A', { ...env, PORT: '0' })
      const base = await first.line('LISTENING ')
      const page = await context!.newPage()
      const pageLog: string[] = []
      page.on('console', (message) => pageLog.push(`${message.type()}: ${message.text()}`))
      page.on('pageerror', (error) => pageLog.push(`pageerror: ${error.message}`))
      let second: ServerProcess | undefined
      const failure = async (what: string) => {
        const state = await pageState(page).catch((e: unknown) => String(e))
        const servers = [first, second].map((s) => s && `--- ${s.label} ---\n${s.output}`).filter(Boolean).join('\n')
        return new Error(`${what}\n--- page ---\n${JSON.stringify(state)}\n--- console ---\n${pageLog.join('\n')}\n${servers}`)
      }

      await page.goto(`${base}/?wf=${workflowID}`)
      await page.waitForFunction((n) => (window as unknown as PageState).received?.length >= n, KILL_AFTER, { timeout: WAIT_MS })
        .catch(async () => { throw await failure(`the page got fewer than ${KILL_AFTER} values from ${base}`) })
      if (how === 'SIGKILL') await first.kill()
      // A graceful shutdown must not wait for the page's open stream, nor fail because of it.
      else expect(await first.stop()).toBe(0)
      const atStop = await pageState(page)
      // Mid-stream: the rest can only come from the restarted server.
      expect(atStop.received.length).toBeLessThan(VALUES)
      expect(atStop.done).toBe(false)

      second = new ServerProcess('server B', { ...env, PORT: new URL(base).port })
      expect(await second.line('LISTENING ')).toBe(base)
      await page.waitForFunction(() => {
        const w = window as unknown as PageState
        return w.done || w.failure !== undefined
      }, undefined, { timeout: WAIT_MS })
        .catch(async () => { throw await failure('the page did not finish reading after the restart') })

      const end = await pageState(page)
      if (end.failure !== undefined) throw await failure(`the page stopped reading: ${end.failure}`)
      expect(end.received).toEqual(range(VALUES))
      expect(end.items).toEqual(range(VALUES).map(String))
      // One connection to each server at least; failed attempts in between do not count.
      expect(end.connections).toBeGreaterThanOrEqual(2)
      expect(end.attempts).toBeGreaterThan(end.connections)

      // The same workflow finished, recovered by the second server rather than started again.
      const status = await (await fetch(`${base}/workflows/${workflowID}`)).json()
      expect(status).toMatchObject({
        workflowID, status: 'SUCCESS', output: VALUES, recoveryAttempts: 2, executorId: 'browser-stream-1',
      })
      await page.close()
      expect(await second.stop()).toBe(0)
    }

    it('reconnects after the server is killed and shows every value once, in order', async () => {
      await restartMidStream('browser-kill', 'SIGKILL')
    })

    it('reconnects after a graceful restart and shows every value once, in order', async () => {
      await restartMidStream('browser-term', 'SIGTERM')
    })
  })
}
