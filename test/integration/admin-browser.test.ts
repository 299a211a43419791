// Issue #13 must-show 4, in real headless Chromium: a page served from another origin (another 127.0.0.1 port)
// cannot cancel, resume or fork a workflow through the admin API without the token: not with no-cors fetches
// (text/plain or no body: no preflight), a text/plain form post, an <img> GET, nor a JSON fetch (its preflight
// is refused). The database is checked afterwards. A name that resolves to 127.0.0.1 but is not loopback's
// (DNS rebinding, simulated with Chromium's host resolver rules) is refused, as is a raw foreign Host.
// With the page's origin listed in the CORS origins, the same page can cancel: the test can see success.
//
// Node only (Playwright drives Chromium from Node), on Postgres. Chromium comes from Debian; without it the
// test is skipped, unless PERDURE_REQUIRE_BROWSER is set, which makes it fail.
import { rawSql } from '../support/raw-sql.ts'
import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { adminDeps, type AdminOptions, createAdminApp } from '../../core/admin/app.ts'
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, serve } = perdure
const CHROMIUM = '/usr/bin/chromium'
const REBIND = 'rebind.test'
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP ${REBIND} 127.0.0.1`,
]
const WAIT_MS = 30_000
const requireBrowser = !!process.env.PERDURE_REQUIRE_BROWSER && process.env.PERDURE_REQUIRE_BROWSER !== '0'
const missing = !existsSync(CHROMIUM)

const gates = new Map<string, () => void>()
const held = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.runStep(() => new Promise<void>((r) => gates.set(key, r)), { name: 'wait' })
  return key
}, { name: 'adminBrowserHeld' })
const adder = DBOS.registerWorkflow(async (a: number, b: number) => {
  return await DBOS.runStep(async () => a + b, { name: 'add' })
}, { name: 'adminBrowserAdder' })

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await sleep(10)
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

/** The attacking page: every way a page can send a request to the admin API, then `window.done`. */
function attackPage(admin: string, ids: { pending: string; cancelled: string; done: string }): string {
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" enctype="text/plain" target="sink" action="${admin}/workflows/${ids.pending}/cancel">
  <input name='{"x":"' value='"}'>
</form>
<script>
(async () => {
  const A = ${JSON.stringify(admin)}
  const results = {}
  const attempt = async (name, path, init) => {
    try {
      const r = await fetch(A + path, init)
      results[name] = r.type === 'opaque' ? 'opaque' : 'status ' + r.status
    } catch (e) {
      results[name] = 'refused'
    }
  }
  const plain = { 'content-type': 'text/plain' }
  await attempt('cancel', '/workflows/${ids.pending}/cancel', { method: 'POST', mode: 'no-cors', headers: plain, body: '{}' })
  await attempt('cancelBare', '/workflows/${ids.pending}/cancel', { method: 'POST', mode: 'no-cors' })
  await attempt('resume', '/workflows/${ids.cancelled}/resume', { method: 'POST', mode: 'no-cors' })
  await attempt('fork', '/workflows/${ids.done}/fork', { method: 'POST', mode: 'no-cors', headers: plain,
    body: JSON.stringify({ start_step: 0, new_workflow_id: 'forked-by-page' }) })
  await attempt('restart', '/workflows/${ids.done}/restart', { method: 'POST', mode: 'no-cors' })
  const json = { 'content-type': 'application/json' }
  await attempt('cancelJson', '/workflows/${ids.pending}/cancel', { method: 'POST', headers: json, body: '{}' })
  await attempt('forkJson', '/workflows/${ids.done}/fork', { method: 'POST', headers: json,
    body: JSON.stringify({ start_step: 0, new_workflow_id: 'forked-by-page-json' }) })
  await attempt('list', '/workflows', { method: 'POST', headers: json, body: '{}' })
  await new Promise((r) => { const img = new Image(); img.onload = img.onerror = r; img.src = A + '/deactivate' })
  // A 204 answer loads nothing into the frame (no load event): give the post two seconds, then go on.
  await new Promise((r) => { document.querySelector('iframe').onload = r; setTimeout(r, 2000); document.getElementById('form').submit() })
  window.results = results
  window.done = true
})()
</script></body></html>`
}

/** Sends one raw request and returns its status line's code. */
function rawStatus(port: number, host: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let answer = ''
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (answer += chunk))
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)))
    socket.on('error', reject)
  })
}

const nodeOnly = 'Bun' in globalThis || 'Deno' in globalThis
describeOn('postgres', 'the admin API against a page of another origin, in headless Chromium', (db) => {
  if (nodeOnly) {
    it.skip('SKIPPED: Playwright drives Chromium from Node only; the admin API is the same code on every runtime', () => {})
    return
  }
  if (missing && !requireBrowser) {
    it.skip(`SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium; PERDURE_REQUIRE_BROWSER=1 makes this a failure)`, () => {})
    return
  }
  let browser: Browser | undefined
  const servers: { close(): Promise<void> }[] = []
  let deactivations = 0
  const statusOf = async (id: string) => {
    const { query, s } = rawSql()
    const [row] = await query<{ status: string }>(`SELECT status FROM ${s}.workflow_status WHERE workflow_uuid = $1`, [id])
    return row?.status
  }
  async function startAdmin(options: AdminOptions = {}): Promise<string> {
    const system = launchedSystem()!
    const app = createAdminApp(adminDeps(system.engine, system.dispatcher, { deactivate: () => void deactivations++ }), options)
    const server = await serve(app.fetch, { port: 0 })
    servers.push(server)
    return `http://127.0.0.1:${server.port}`
  }
  /** Serves the attack page from another port; returns its origin. */
  async function startPage(html: () => string): Promise<string> {
    const server = await serve(() => new Response(html(), { headers: { 'content-type': 'text/html' } }), { port: 0 })
    servers.push(server)
    return `http://127.0.0.1:${server.port}`
  }
  async function runPage(origin: string): Promise<Record<string, string>> {
    const page: Page = await browser!.newPage()
    try {
      await page.goto(`${origin}/`)
      await page.waitForFunction(() => (window as unknown as { done?: boolean }).done === true, undefined, { timeout: WAIT_MS })
      return await page.evaluate(() => (window as unknown as { results: Record<string, string> }).results)
    } finally {
      await page.close()
    }
  }
  async function heldWorkflow(id: string): Promise<void> {
    await DBOS.startWorkflow(held, { workflowID: id })(id)
    await until(() => gates.has(id), `${id} to block`)
  }

  beforeAll(async () => {
    if (missing) throw new Error(`PERDURE_REQUIRE_BROWSER is set but ${CHROMIUM} is missing: apt-get install -y chromium`)
    DBOS.setConfig({ name: 'admin-browser', systemDatabaseUrl: db.fresh(), logLevel: 'warn' })
    await DBOS.launch()
    const { chromium } = await import('playwright-core')
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: WAIT_MS })
  })
  afterAll(async () => {
    for (const open of gates.values()) open()
    await browser?.close()
    await Promise.all(servers.map((s) => s.close()))
    await DBOS.shutdown()
    await db.dropAll()
  })

  it('a page on another origin cannot cancel, resume, fork or deactivate without the token', async () => {
    const ids = { pending: 'browser-pending', cancelled: 'browser-cancelled', done: 'browser-done' }
    await heldWorkflow(ids.pending)
    await heldWorkflow(ids.cancelled)
    await DBOS.cancelWorkflow(ids.cancelled)
    await (await DBOS.startWorkflow(adder, { workflowID: ids.done })(1, 2)).getResult()
    const listed = async () => (await DBOS.listWorkflows({})).length

    const admin = await startAdmin()
    const before = await listed()
    const results = await runPage(await startPage(() => attackPage(admin, ids)))
    // The JSON fetches need a preflight, which is refused; the no-cors ones are opaque whatever happened.
    expect(results).toMatchObject({ cancelJson: 'refused', forkJson: 'refused', list: 'refused' })
    expect(await statusOf(ids.pending)).toBe('PENDING')
    expect(await statusOf(ids.cancelled)).toBe('CANCELLED')
    expect(await statusOf('forked-by-page')).toBeUndefined()
    expect(await statusOf('forked-by-page-json')).toBeUndefined()
    expect(await listed()).toBe(before) // no restart either
    expect(deactivations).toBe(0)

    // The same page, its origin listed: the API is reachable from it, so the refusals above were real.
    let allowedAdmin = ''
    const allowed = await startPage(() => attackPage(allowedAdmin, ids))
    allowedAdmin = await startAdmin({ cors: [allowed] })
    const granted = await runPage(allowed)
    expect(granted).toMatchObject({ cancelJson: 'status 204', list: 'status 200' })
    expect(await statusOf(ids.pending)).toBe('CANCELLED')
    expect(await statusOf('forked-by-page-json')).toBeDefined()
    expect(await statusOf('forked-by-page')).toBeUndefined() // the no-cors text/plain fork still is not
  })

  it('a name that resolves to 127.0.0.1 but is not loopback (DNS rebinding) is refused; a raw foreign Host too', async () => {
    const admin = await startAdmin()
    const port = new URL(admin).port
    const page = await browser!.newPage()
    try {
      // Navigations carry Sec-Fetch-Site: none, so only the Host decides here.
      const direct = await page.goto(`${admin}/workflows/browser-done`)
      expect(direct?.status()).toBe(200)
      const rebound = await page.goto(`http://${REBIND}:${port}/workflows/browser-done`)
      expect(rebound?.status()).toBe(403)
      expect(await rebound?.text()).toContain('Host')
    } finally {
      await page.close()
    }
    expect(await rawStatus(Number(port), `evil.example:${port}`, '/workflows/browser-done')).toBe(403)
    expect(await rawStatus(Number(port), `127.0.0.1:${port}`, '/workflows/browser-done')).toBe(200)
  })
})
