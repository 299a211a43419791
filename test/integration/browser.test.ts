// The example page in examples/browser-stream/ reads a workflow's stream in real headless Chromium while its
// server is SIGKILLed and started again on the same port: the page must reconnect and end with every value
// exactly once, in order, and the workflow must have been recovered, not started over.
//
// Node only (Playwright drives Chromium from Node), in the pglite lane: the two server processes take turns
// on one PGlite directory. Chromium comes from Debian (`apt-get install -y chromium`); without it the test
// is skipped with a reason naming PERDURE_REQUIRE_BROWSER, which the test runner turns into a failure when
// that variable is set (scripts/test.mjs).
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn, skipOn } from '../support/databases.ts'

const SERVER = 'examples/browser-stream/main.ts'
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
]
const VALUES = 40
const INTERVAL_MS = 100
const KILL_AFTER = 10
/** Per wait on a server or the page; a PGlite launch alone takes 2-4 s. */
const WAIT_MS = 30_000
const SECRET = `browser-test-${crypto.randomUUID()}`

const missing = !existsSync(CHROMIUM)

/** A run of examples/browser-stream/main.ts; `env` configures it. */
function server(label: string, env: Record<string, string>): Child {
  return new Child(label, scriptCommand(SERVER), { env, stdin: 'ignore', timeoutMS: WAIT_MS })
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

// Bun and Deno run this file too; Playwright is driven from Node only, so there it skips, saying why.
if (!('Bun' in globalThis || 'Deno' in globalThis)) {
  describeOn('pglite', 'a workflow stream in headless Chromium', (db) => {
    if (missing) {
      it.skip(`SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium; PERDURE_REQUIRE_BROWSER=1 makes this a failure)`, () => {})
      return
    }

    let profile = ''
    let context: BrowserContext | undefined

    beforeAll(async () => {
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
      await Child.killAll()
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
      const first = server('server A', { ...env, PORT: '0' })
      const base = await first.line('LISTENING ')
      const page = await context!.newPage()
      const pageLog: string[] = []
      page.on('console', (message) => pageLog.push(`${message.type()}: ${message.text()}`))
      page.on('pageerror', (error) => pageLog.push(`pageerror: ${error.message}`))
      let second: Child | undefined
      const failure = async (what: string) => {
        const state = await pageState(page).catch((e: unknown) => String(e))
        const servers = [first, second].map((s) => s?.report()).filter(Boolean).join('\n')
        return new Error(`${what}\n--- page ---\n${JSON.stringify(state)}\n--- console ---\n${pageLog.join('\n')}\n${servers}`)
      }

      await page.goto(`${base}/?wf=${workflowID}`)
      await page.waitForFunction((n) => (window as unknown as PageState).received?.length >= n, KILL_AFTER, { timeout: WAIT_MS })
        .catch(async () => { throw await failure(`the page got fewer than ${KILL_AFTER} values from ${base}`) })
      if (how === 'SIGKILL') await first.kill()
      // A graceful shutdown must not wait for the page's open stream, nor fail because of it.
      else expect((await first.askToExit('SIGTERM')).code).toBe(0)
      const atStop = await pageState(page)
      // Mid-stream: the rest can only come from the restarted server.
      expect(atStop.received.length).toBeLessThan(VALUES)
      expect(atStop.done).toBe(false)

      second = server('server B', { ...env, PORT: new URL(base).port })
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
      expect((await second.askToExit('SIGTERM')).code).toBe(0)
    }

    it('reconnects after the server is killed and shows every value once, in order', async () => {
      await restartMidStream('browser-kill', 'SIGKILL')
    })

    it('reconnects after a graceful restart and shows every value once, in order', async () => {
      await restartMidStream('browser-term', 'SIGTERM')
    })
  })
} else {
  skipOn('pglite', 'a workflow stream in headless Chromium', 'runs on Node only: Playwright drives Chromium from Node')
}
