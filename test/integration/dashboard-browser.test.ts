// Issue #17's dashboard in real headless Chromium, served by the admin server: the list shows a workflow the
// test started; its page shows every step on the timeline in order, its child linked; cancel and fork from
// the page (each through its confirmation) take effect in the database; a stream's live tail shows a value
// written after the page opened; with an admin token, the page shows nothing until the token is given;
// pausing a schedule from its view (after confirming) sets its row PAUSED.
//
// Node only (Playwright drives Chromium from Node), on Postgres and PGlite. Chromium comes from Debian;
// without it the test is skipped, unless PERDURE_REQUIRE_BROWSER is set, which makes it fail.
import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { adminDeps, type AdminOptions, createAdminApp } from '../../core/admin/app.ts'
import { launchedSystem } from '../../core/dbos.ts'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn, type TestDatabase } from '../support/databases.ts'
import { perdure } from '../support/perdure.ts'

const { DBOS, serve } = perdure
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
]
const WAIT_MS = 30_000
const requireBrowser = !!process.env.PERDURE_REQUIRE_BROWSER && process.env.PERDURE_REQUIRE_BROWSER !== '0'
const missing = !existsSync(CHROMIUM)

const gates = new Map<string, () => void>()
const held = DBOS.registerWorkflow(async (key: string) => {
  await DBOS.runStep(() => new Promise<void>((r) => gates.set(key, r)), { name: 'wait' })
  return key
}, { name: 'dashboardBrowserHeld' })
const child = DBOS.registerWorkflow(async (n: number) => {
  return await DBOS.runStep(async () => n * 2, { name: 'double' })
}, { name: 'dashboardBrowserChild' })
const stepped = DBOS.registerWorkflow(async (n: number) => {
  const a = await DBOS.runStep(async () => n + 1, { name: 'reserve' })
  const b = await DBOS.runStep(async () => a * 10, { name: 'charge' })
  await DBOS.sleep(20)
  const c = await (await DBOS.startWorkflow(child)(b)).getResult()
  await DBOS.setEvent('total', c)
  return await DBOS.runStep(async () => ({ shipped: c }), { name: 'ship' })
}, { name: 'dashboardBrowserStepped' })
const streamer = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('ticks', 'first')
  const value = await DBOS.recv<string>('go', 60)
  await DBOS.writeStream('ticks', { tick: value })
  await DBOS.closeStream('ticks')
}, { name: 'dashboardBrowserStreamer' })
const scheduled = DBOS.registerWorkflow(async (_slot: Date, _context: unknown) => {}, { name: 'dashboardBrowserScheduled' })

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (await check()) return
    await sleep(20)
  }
  throw new Error(`timed out waiting for ${what}`)
}

function suite(db: TestDatabase): void {
  if ('Bun' in globalThis || 'Deno' in globalThis) {
    it.skip('SKIPPED: Playwright drives Chromium from Node only; the dashboard is the same code on every runtime', () => {})
    return
  }
  if (missing && !requireBrowser) {
    it.skip(`SKIPPED: ${CHROMIUM} not found (apt-get install -y chromium; PERDURE_REQUIRE_BROWSER=1 makes this a failure)`, () => {})
    return
  }
  let browser: Browser | undefined
  const servers: { close(): Promise<void> }[] = []
  const statusOf = async (id: string) => (await DBOS.getWorkflowStatus(id))?.status

  async function startAdmin(options: AdminOptions = {}): Promise<string> {
    const system = launchedSystem()!
    const server = await serve(createAdminApp(adminDeps(system.engine, system.dispatcher), options).fetch, { port: 0 })
    servers.push(server)
    return `http://127.0.0.1:${server.port}`
  }
  async function withPage<T>(run: (page: Page) => Promise<T>): Promise<T> {
    const page = await browser!.newPage()
    page.setDefaultTimeout(WAIT_MS)
    try {
      return await run(page)
    } finally {
      await page.close()
    }
  }
  /** Clicks an action's button and confirms it in the page's dialog. */
  async function confirmed(page: Page, selector: string): Promise<void> {
    await page.click(selector)
    await page.waitForSelector('dialog#confirm[open]')
    await page.click('#confirm-yes')
  }
  const workflowPage = (admin: string, id: string) => `${admin}/dashboard/#/workflows/${encodeURIComponent(id)}`

  beforeAll(async () => {
    if (missing) throw new Error(`PERDURE_REQUIRE_BROWSER is set but ${CHROMIUM} is missing: apt-get install -y chromium`)
    DBOS.setConfig({ name: 'dashboard-browser', systemDatabaseUrl: db.fresh(), logLevel: 'warn', runAdminServer: false })
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

  it('lists a workflow the test started, and its page shows every step on the timeline in order', async () => {
    const id = `dash-steps-${crypto.randomUUID()}`
    await (await DBOS.startWorkflow(stepped, { workflowID: id })(4)).getResult()
    const admin = await startAdmin()
    const steps = (await DBOS.listWorkflowSteps(id))!
    await withPage(async (page) => {
      await page.goto(`${admin}/`)
      expect(new URL(page.url()).pathname).toBe('/dashboard/')
      await page.waitForSelector(`#list tr[data-id="${id}"]`)
      expect(await page.textContent(`#list tr[data-id="${id}"]`)).toContain('SUCCESS')

      await page.click(`#list tr[data-id="${id}"] a`)
      await page.waitForSelector('#workflow li.step')
      const shown = await page.$$eval('#workflow li.step', (items) => items.map((li) => ({
        id: Number(li.getAttribute('data-step')),
        name: li.querySelector('.sname')?.firstChild?.textContent ?? '',
        bar: li.querySelector('svg.bar rect') !== null,
      })))
      expect(shown.map((s) => [s.id, s.name])).toEqual(steps.map((s) => [s.functionID, s.name]))
      expect(shown.map((s) => s.name)).toEqual(expect.arrayContaining(['reserve', 'charge', 'DBOS.sleep', 'ship', 'DBOS.setEvent']))
      expect(shown.every((s) => s.bar)).toBe(true)
      expect(await page.textContent('#events tr[data-event="total"]')).toContain('100')
      const childID = steps.find((s) => s.childWorkflowID)!.childWorkflowID!
      await page.click(`#workflow a[href="#/workflows/${encodeURIComponent(childID)}"]`)
      await page.waitForSelector(`#workflow article[data-id="${childID}"]`)
      expect(await page.$$eval('#workflow li.step .sname', (e) => e.map((x) => x.textContent))).toEqual(['double'])
    })
  })

  it('cancels a workflow and forks one from a step picked on the timeline, each after confirming', async () => {
    const pending = `dash-cancel-${crypto.randomUUID()}`
    await DBOS.startWorkflow(held, { workflowID: pending })(pending)
    await until(() => gates.has(pending), 'the workflow to block')
    const done = `dash-fork-${crypto.randomUUID()}`
    await (await DBOS.startWorkflow(stepped, { workflowID: done })(1)).getResult()
    const admin = await startAdmin()
    await withPage(async (page) => {
      await page.goto(workflowPage(admin, pending))
      await page.waitForSelector('#workflow button[data-action="cancel"]')
      // Backing out of the confirmation changes nothing.
      await page.click('#workflow button[data-action="cancel"]')
      await page.click('#confirm-no')
      await sleep(200)
      expect(await statusOf(pending)).toBe('PENDING')
      await confirmed(page, '#workflow button[data-action="cancel"]')
      await until(async () => (await statusOf(pending)) === 'CANCELLED', 'the cancel to take effect')
      await page.waitForSelector('#workflow .badge.cancelled')

      await page.goto(workflowPage(admin, done))
      await page.waitForSelector('#workflow li.step[data-step="2"] button[data-action="fork"]')
      await confirmed(page, '#workflow li.step[data-step="2"] button[data-action="fork"]')
      await page.waitForFunction((from) => location.hash.startsWith('#/workflows/') && !location.hash.includes(from), done)
      const forked = decodeURIComponent(new URL(page.url()).hash.slice('#/workflows/'.length))
      const status = await DBOS.getWorkflowStatus(forked)
      expect(status?.forkedFrom).toBe(done)
      await until(async () => (await statusOf(forked)) === 'SUCCESS', 'the fork to finish')
      // The steps before the one picked were kept, not run again.
      const original = (await DBOS.listWorkflowSteps(done))!
      const copy = (await DBOS.listWorkflowSteps(forked))!
      expect(copy.slice(0, 2).map((s) => s.output)).toEqual(original.slice(0, 2).map((s) => s.output))
      await page.waitForSelector(`#workflow article[data-id="${forked}"] .badge.success`)
    })
  })

  it("a stream's live tail shows a value written after the page opened", async () => {
    const id = `dash-stream-${crypto.randomUUID()}`
    await DBOS.startWorkflow(streamer, { workflowID: id })()
    const admin = await startAdmin()
    await withPage(async (page) => {
      await page.goto(workflowPage(admin, id))
      // The streams the workflow wrote are listed, each with a button that opens its tail.
      const row = '#streams tr[data-stream="ticks"]'
      await page.waitForSelector(row)
      expect(await page.textContent(row)).toContain('open')
      const opened = page.waitForResponse((r) => r.url().includes('/dashboard/streams/'))
      await page.click(`${row} button[data-tail]`)
      expect((await opened).status()).toBe(200)
      await page.waitForSelector('#tail li')
      expect(await page.$$eval('#tail li', (e) => e.map((li) => li.textContent))).toEqual(['"first"'])
      await DBOS.send(id, `written-after-open-${db.name}`, 'go')
      await page.waitForFunction(() => document.querySelectorAll('#tail li').length >= 3)
      const items = await page.$$eval('#tail li', (e) => e.map((li) => li.textContent))
      expect(items).toEqual(['"first"', JSON.stringify({ tick: `written-after-open-${db.name}` }), 'stream closed'])
      // The message that woke it is listed as received; the stream as closed with its two values.
      await page.waitForSelector(`#workflow article[data-id="${id}"] .badge.success`)
      expect(await page.textContent('#messages tr.message')).toContain('received by step')
      expect(await page.textContent(row)).toMatch(/2\s*closed/)
    })
  })

  it('with adminToken set, the page shows nothing until the token is given', async () => {
    const id = `dash-token-${crypto.randomUUID()}`
    await (await DBOS.startWorkflow(stepped, { workflowID: id })(2)).getResult()
    const token = `tok-${crypto.randomUUID()}`
    const admin = await startAdmin({ token })
    await withPage(async (page) => {
      const refused: string[] = []
      page.on('response', (r) => { if (r.status() === 401) refused.push(new URL(r.url()).pathname) })
      await page.goto(`${admin}/`)
      await page.waitForSelector('#gate', { state: 'visible' })
      expect(refused).toContain('/dashboard/fragments/workflows')
      expect(await page.isHidden('#app')).toBe(true)
      expect(await page.content()).not.toContain(id)
      await page.fill('#token', 'not-the-token')
      await page.click('#gate button')
      await page.waitForFunction(() => document.getElementById('gate-error')?.textContent !== '')
      expect(await page.content()).not.toContain(id)
      await page.fill('#token', token)
      await page.click('#gate button')
      await page.waitForSelector(`#list tr[data-id="${id}"]`)
      expect(await page.isHidden('#gate')).toBe(true)
      // Kept for the tab: a reload asks no more.
      await page.reload()
      await page.waitForSelector(`#list tr[data-id="${id}"]`)
      expect(await page.isHidden('#gate')).toBe(true)
    })
  })

  it('a link with a malformed escape shows a notice and the list, not a blank page', async () => {
    const admin = await startAdmin()
    await withPage(async (page) => {
      await page.goto(`${admin}/dashboard/#/workflows/%E0`)
      await page.waitForSelector('#notice:not([hidden])')
      expect(await page.textContent('#notice')).toContain('%E0')
      expect(await page.isHidden('#list-view')).toBe(false)
      await page.goto(`${admin}/dashboard/#/?queue=%E0`)
      await page.waitForFunction(() => document.getElementById('notice')?.textContent?.includes('%E0'))
    })
  })

  it("pausing a schedule from its view sets the schedule's row PAUSED", async () => {
    const name = `dash-schedule-${crypto.randomUUID()}`
    // A yearly slot: nothing fires by itself while the test runs.
    await DBOS.createSchedule({ scheduleName: name, workflowFn: scheduled, schedule: '0 0 1 1 *' })
    const admin = await startAdmin()
    await withPage(async (page) => {
      await page.goto(`${admin}/dashboard/#/schedules`)
      const row = `#schedules tr[data-schedule="${name}"]`
      await page.waitForSelector(`${row}[data-status="ACTIVE"]`)
      expect(await page.getAttribute('nav a[data-nav="schedules"]', 'class')).toContain('on')
      await confirmed(page, `${row} button[data-do="pause"]`)
      await until(async () => (await DBOS.getSchedule(name))?.status === 'PAUSED', 'the pause to take effect')
      await page.waitForSelector(`${row}[data-status="PAUSED"] button[data-do="resume"]`)
      expect(await page.textContent('#notice')).toContain(`Paused ${name}`)
    })
  })
}

describeOn('postgres', 'the dashboard in headless Chromium', suite)
describeOn('pglite', 'the dashboard in headless Chromium', suite)
