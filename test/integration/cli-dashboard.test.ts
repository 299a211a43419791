// `perdure dashboard` and `perdure prompt` as users run them: the CLI is spawned from source on the runtime
// running the tests, and what is checked is what it prints, what its server answers over HTTP, and how it
// exits. Issue #17, "Must show" 3: on a system database an official DBOS 5.3.0 application wrote (its executor
// runs in a child process, as in test/interop/), the dashboard shows that application's workflows, over HTTP
// and in headless Chromium; that part runs on Node only, as the official SDK does. The rest runs on every
// runtime against a database a Perdure application wrote: --token, SIGTERM ending with exit code 0, a port
// already taken, a bad --port, and `perdure prompt`.
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { Child } from '../support/child.ts'
import { scriptCommand } from '../support/command.ts'
import { describeOn, shareDatabaseWithChildren, type TestDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'
import { DBOS_APP } from '../interop/apps.ts'
import { dbosExecutor } from '../interop/world.ts'
import { waitFor } from '../support/wait.ts'

const { DBOS } = perdure
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const g = globalThis as { Bun?: unknown; Deno?: unknown }
const onNode = !g.Bun && !g.Deno
/** A start of the runtime, a connection and a listen, slow only on a loaded machine. */
const CLI_MS = 60_000
const CHROMIUM = '/usr/bin/chromium'
const requireBrowser = !!process.env.PERDURE_REQUIRE_BROWSER && process.env.PERDURE_REQUIRE_BROWSER !== '0'

const twoSteps = DBOS.registerWorkflow(async (n: number) => {
  const a = await DBOS.runStep(async () => n + 1, { name: 'first' })
  return await DBOS.runStep(async () => a * 2, { name: 'second' })
}, { name: 'cliDashboardTwoSteps' })

/** `perdure <args>` from source on this runtime, with DBOS_SYSTEM_DATABASE_URL unset. */
function perdureCli(args: readonly string[]): Child {
  return new Child(`perdure ${args.join(' ')}`, scriptCommand('adapters/cli/main.ts', args), {
    env: { DBOS_SYSTEM_DATABASE_URL: '' },
    stdin: 'ignore',
    timeoutMS: CLI_MS,
  })
}

/** Runs a command that exits by itself; resolves with its exit code and output. */
async function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = perdureCli(args)
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), CLI_MS)
  })
  try {
    const exit = await Promise.race([child.exited, timedOut])
    if (!exit) {
      await child.kill()
      throw new Error(`${child.label} did not exit within ${CLI_MS} ms\n${child.report()}`)
    }
    return { code: exit.code, stdout: child.stdout, stderr: child.stderr }
  } finally {
    clearTimeout(timer)
  }
}

/** A TCP server on 127.0.0.1 at a port the system picked; close() it. */
function listenAnywhere(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(server))
  })
}
const portOf = (server: Server) => (server.address() as { port: number }).port
const closed = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()))

/** A port free a moment ago, for a child to listen on. */
async function freePort(): Promise<number> {
  const server = await listenAnywhere()
  const port = portOf(server)
  await closed(server)
  return port
}

/** A running `perdure dashboard`: the dashboard's URL, and a SIGTERM that resolves with how it ended. */
interface Dashboard {
  base: string
  terminate(): Promise<{ code: number | null; signal: string | null; stderr: string }>
}

interface DenoChild {
  stdout: ReadableStream<Uint8Array>
  stderr: ReadableStream<Uint8Array>
  status: Promise<{ code: number; signal: string | null }>
  kill(signal: string): void
}
type DenoCommand = new (command: string, options: object) => { spawn(): DenoChild }

/**
 * Deno's node:child_process reports a child sent SIGTERM as killed by it even when the child handled the
 * signal and exited 0 (seen with Deno 2.9), so on Deno the dashboard is spawned with Deno.Command, which
 * reports the exit as it was.
 */
async function spawnOnDeno(args: readonly string[]): Promise<{ line: string; terminate: Dashboard['terminate'] }> {
  const [command, argv] = scriptCommand('adapters/cli/main.ts', args)
  const Command = (globalThis as unknown as { Deno: { Command: DenoCommand } }).Deno.Command
  const child = new Command(command, {
    args: argv, cwd: root, env: { DBOS_SYSTEM_DATABASE_URL: '' }, stdin: 'null', stdout: 'piped', stderr: 'piped',
  }).spawn()
  const drain = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    const reader = stream.getReader()
    const decoder = new TextDecoder()
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) onText(decoder.decode(chunk.value, { stream: true }))
  }
  let stdout = ''
  let stderr = ''
  const out = drain(child.stdout, (t) => (stdout += t))
  const err = drain(child.stderr, (t) => (stderr += t))
  const line = await waitFor('perdure dashboard to print its address', async () => {
    return /^Dashboard:.*$/m.exec(stdout)?.[0].slice('Dashboard:'.length).trim()
  }, CLI_MS)
  return {
    line,
    async terminate() {
      child.kill('SIGTERM')
      const status = await child.status
      await Promise.all([out, err])
      return { code: status.code, signal: status.signal, stderr }
    },
  }
}

/** `perdure dashboard` serving `url` on a free port, once it has printed its address (the dashboard's URL). */
async function startDashboard(url: string, more: readonly string[] = []): Promise<Dashboard> {
  const args = ['dashboard', '--db', url, '--port', String(await freePort()), ...more]
  let line: string
  let terminate: Dashboard['terminate']
  if (g.Deno) {
    ;({ line, terminate } = await spawnOnDeno(args))
  } else {
    const child = perdureCli(args)
    line = await child.line('Dashboard:', CLI_MS)
    terminate = async () => ({ ...await child.askToExit('SIGTERM', CLI_MS), stderr: child.stderr })
  }
  const base = line.split(' ')[0]!
  expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/$/)
  return { base, terminate }
}

/** SIGTERM, as a service manager stops it: the server closes, the database too, and the exit code is 0. */
async function stopDashboard(dashboard: Dashboard): Promise<void> {
  expect(await dashboard.terminate()).toEqual({ code: 0, signal: null, stderr: '' })
}

/** Expects a clean refusal: this exit code, `message` on stderr, no stack trace, nothing on stdout. */
function refused(r: { code: number | null; stdout: string; stderr: string }, code: number, message: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout: '' })
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(/^\s+at /m)
}

function onPerdureDatabase(db: TestDatabase): void {
  let url = ''
  const id = `cli-dash-${crypto.randomUUID()}`

  beforeAll(async () => {
    // The application writes, then stops: a PGlite directory opens in one process at a time.
    url = db.persistent()
    DBOS.setConfig({ name: 'cli-dashboard', systemDatabaseUrl: url, logLevel: 'error', runAdminServer: false })
    await DBOS.launch()
    expect(await (await DBOS.startWorkflow(twoSteps, { workflowID: id })(1)).getResult()).toBe(4)
    await DBOS.shutdown()
  })
  afterAll(async () => {
    await Child.killAll()
    await db.dropAll()
  })

  it("serves the database's workflows on 127.0.0.1 until SIGTERM, then exits 0", async () => {
    const dashboard = await startDashboard(url)
    const { base } = dashboard
    try {
      const list = await fetch(`${base}fragments/workflows`)
      expect(list.status).toBe(200)
      const html = await list.text()
      expect(html).toContain(`data-id="${id}"`)
      expect(html).toContain('cliDashboardTwoSteps')
      const page = await (await fetch(`${base}fragments/workflows/${encodeURIComponent(id)}`)).text()
      expect(page).toContain('first')
      expect(page).toContain('second')
      // The root redirects to the dashboard, as the admin server's does.
      const rootUrl = new URL('/', base).href
      expect((await fetch(rootUrl, { redirect: 'manual' })).headers.get('location')).toBe('/dashboard/')
    } finally {
      await stopDashboard(dashboard)
    }
  })

  it('with --token, answers data 401 without it and 200 with it; the shell needs none', async () => {
    const token = `t-${crypto.randomUUID()}`
    const dashboard = await startDashboard(url, ['--token', token])
    const { base } = dashboard
    try {
      expect((await fetch(`${base}fragments/workflows`)).status).toBe(401)
      expect((await fetch(`${base}fragments/workflows`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
      const post = await fetch(`${base}workflows/${encodeURIComponent(id)}/cancel`, {
        method: 'POST', body: '{}', headers: { 'content-type': 'application/json' },
      })
      expect(post.status).toBe(401)
      const ok = await fetch(`${base}fragments/workflows`, { headers: { authorization: `Bearer ${token}` } })
      expect(ok.status).toBe(200)
      expect(await ok.text()).toContain(id)
      const shell = await fetch(base)
      expect(shell.status).toBe(200)
      expect(await shell.text()).not.toContain(id)
    } finally {
      await stopDashboard(dashboard)
    }
  })

  it('refuses a port already taken with one message and exit code 1', async () => {
    const taken = await listenAnywhere()
    try {
      const port = portOf(taken)
      const r = await run(['dashboard', '--db', url, '--port', String(port)])
      refused(r, 1, new RegExp(`^perdure: Cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`))
    } finally {
      await closed(taken)
    }
  })
}

/** What needs no database: bad --port and --token values, and `perdure prompt`. */
function withoutDatabase(): void {
  afterAll(async () => {
    await Child.killAll()
  })

  it('refuses a bad --port or --token with exit code 2 before opening anything', async () => {
    for (const port of ['0', '65536', 'abc', '80.5', '-1']) {
      refused(await run(['dashboard', '--db', 'postgres://127.0.0.1:1/none', '--port', port]), 2, /^perdure: --port: must be a whole number from 1 to 65535/)
    }
    refused(await run(['dashboard', '--db', 'postgres://127.0.0.1:1/none', '--token', 'a b']), 2, /^perdure: --token: must be non-empty, without whitespace/)
    refused(await run(['dashboard']), 2, /No system database URL/)
  })

  it('perdure prompt prints skills/perdure/PROMPT.md whole and exits 0', async () => {
    const r = await run(['prompt'])
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' })
    expect(r.stdout).toBe(readFileSync(join(root, 'skills/perdure/PROMPT.md'), 'utf8'))
  })
}

interface OfficialClient {
  enqueue(options: { workflowName: string; queueName: string; workflowID?: string }, ...args: unknown[]): Promise<{ getResult(): Promise<unknown> }>
  destroy(): Promise<void>
}

/** Must show 3: the official DBOS 5.3.0 executor writes, `perdure dashboard --db` shows. */
function onOfficialDatabase(db: TestDatabase): void {
  if (!onNode) {
    it.skip('SKIPPED: runs on Node only: the official SDK 5.3.0 is a CommonJS package built on pg', () => {})
    return
  }
  let url = ''
  let executor: Child | undefined
  let official: OfficialClient | undefined
  const suffix = crypto.randomUUID().slice(0, 8)
  const ids = { echo: `dbos-echo-${suffix}`, publish: `dbos-publish-${suffix}`, fails: `dbos-fails-${suffix}` }
  const names = { echo: 'dbosEcho', publish: 'dbosPublish', fails: 'dbosFails' }

  // Registered before shareDatabaseWithChildren's, which kills whatever child is still running.
  afterAll(async () => {
    await official?.destroy()
    await executor?.stop()
  })
  shareDatabaseWithChildren(db, async (shared) => {
    url = shared.url
    executor = dbosExecutor(url, { migrations: true })
    await executor.line('READY', CLI_MS)
    const { DBOSClient } = await import('@dbos-inc/dbos-sdk')
    official = await DBOSClient.create({ systemDatabaseUrl: url }) as unknown as OfficialClient
    const q = DBOS_APP.queue
    const echo = await official.enqueue({ workflowName: names.echo, queueName: q, workflowID: ids.echo }, 7, new Date(0))
    const publish = await official.enqueue({ workflowName: names.publish, queueName: q, workflowID: ids.publish })
    const fails = await official.enqueue({ workflowName: names.fails, queueName: q, workflowID: ids.fails })
    await echo.getResult()
    expect(await publish.getResult()).toBe('published')
    await expect(fails.getResult()).rejects.toThrow('failed in DBOS 5.3.0')
  })

  it("shows the DBOS app's workflows, their steps, events and streams over HTTP and in Chromium; exits 0 on SIGTERM", async () => {
    const dashboard = await startDashboard(url)
    const { base } = dashboard
    try {
      const list = await (await fetch(`${base}fragments/workflows`)).text()
      for (const key of ['echo', 'publish', 'fails'] as const) {
        expect(list).toMatch(new RegExp(`<tr data-id="${ids[key]}">[\\s\\S]*?<td>${names[key]}</td>`))
      }
      expect(list).toContain(DBOS_APP.executorID)
      expect(list).toContain(DBOS_APP.version)
      const published = await (await fetch(`${base}fragments/workflows/${ids.publish}`)).text()
      expect(published).toContain('finish')
      expect(published).toContain('<tr data-event="status">')
      expect(published).toMatch(/<tr data-stream="s">.*<td class="num">2<\/td><td>closed<\/td>/)
      const failed = await (await fetch(`${base}fragments/workflows/${ids.fails}`)).text()
      expect(failed).toContain('failed in DBOS 5.3.0')
      const queues = await (await fetch(`${base}fragments/queues`)).text()
      expect(queues).toContain(`data-queue="${DBOS_APP.queue}"`)
      expect(queues).toContain('3 in 15 min')

      if (!existsSync(CHROMIUM)) {
        if (requireBrowser) throw new Error(`PERDURE_REQUIRE_BROWSER is set but ${CHROMIUM} is missing`)
        return
      }
      const { chromium } = await import('playwright-core')
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'], timeout: CLI_MS })
      try {
        const page = await browser.newPage()
        page.setDefaultTimeout(CLI_MS)
        await page.goto(base)
        for (const key of ['echo', 'publish', 'fails'] as const) {
          await page.waitForSelector(`#list tr[data-id="${ids[key]}"]`)
          expect(await page.textContent(`#list tr[data-id="${ids[key]}"]`)).toContain(names[key])
        }
        await page.click(`#list tr[data-id="${ids.publish}"] a`)
        await page.waitForSelector('#workflow li.step')
        expect(await page.textContent('#streams tr[data-stream="s"]')).toContain('closed')
      } finally {
        await browser.close()
      }
    } finally {
      await stopDashboard(dashboard)
    }
  })
}

describeOn('postgres', 'perdure dashboard on a database a DBOS 5.3.0 app wrote', onOfficialDatabase)
describeOn('postgres', 'perdure dashboard', onPerdureDatabase)
describeOn('pglite', 'perdure dashboard', onPerdureDatabase)
describeOn('pglite', 'perdure dashboard and prompt without a database', withoutDatabase)
