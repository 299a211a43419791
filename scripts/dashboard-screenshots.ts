// Takes the README's dashboard screenshots (docs/dashboard-list.png, -workflow.png, -queues.png) against a demo
// shop with real workflows: checkouts with steps, a durable sleep, a child workflow on a queue, an event and a
// stream; some declined, one cancelled, some still running; reports backing up on a queue of their own.
//
//   npx tsx scripts/dashboard-screenshots.ts      (needs /usr/bin/chromium; about a minute and a half)
//
// It runs the shop for a while first, so that the queues' throughput charts span more than one minute.
import { chromium } from 'playwright-core'
import { adminDeps, createAdminApp } from '../core/admin/app.ts'
import { launchedSystem } from '../core/dbos.ts'
import { DBOS, serve, WorkflowQueue } from '../adapters/node/mod.ts'

const RUN_MS = Number(process.env.DEMO_RUN_MS ?? 75_000)
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const jitter = (min: number, max: number) => sleep(min + Math.random() * (max - min))

const emails = new WorkflowQueue('emails', { concurrency: 4, rateLimit: { limitPerPeriod: 60, periodSec: 60 } })
const reports = new WorkflowQueue('reports', { workerConcurrency: 1 })
const payments = new WorkflowQueue('payments', { concurrency: 2 })

interface Order { customer: string; items: { sku: string; quantity: number }[]; card: string }

const sendReceipt = DBOS.registerWorkflow(async (to: string, total: number) => {
  const body = await DBOS.runStep(async () => `Thanks ${to}, you paid $${(total / 100).toFixed(2)}`, { name: 'renderReceipt' })
  return await DBOS.runStep(async () => {
    await jitter(80, 250)
    return { to, messageID: `msg-${crypto.randomUUID().slice(0, 8)}`, bytes: body.length }
  }, { name: 'sendEmail' })
}, { name: 'sendReceipt' })

const checkout = DBOS.registerWorkflow(async (order: Order) => {
  const units = await DBOS.runStep(async () => {
    await jitter(20, 60)
    return order.items.reduce((n, i) => n + i.quantity, 0)
  }, { name: 'validateOrder' })
  const reservation = await DBOS.runStep(async () => {
    await jitter(60, 180)
    return { reservationID: `rsv-${crypto.randomUUID().slice(0, 8)}`, units }
  }, { name: 'reserveInventory' })
  await DBOS.writeStream('progress', { stage: 'reserved', units })
  const payment = await DBOS.runStep(async () => {
    await jitter(150, 400)
    if (order.card.endsWith('0002')) throw new Error(`Card ending ${order.card.slice(-4)} was declined`)
    return { paymentID: `pay-${crypto.randomUUID().slice(0, 8)}`, totalCents: units * 1250 }
  }, { name: 'chargePayment' })
  await DBOS.writeStream('progress', { stage: 'charged', totalCents: payment.totalCents })
  await DBOS.sleep(400)
  const receipt = await DBOS.startWorkflow(sendReceipt, { queueName: emails.name })(order.customer, payment.totalCents)
  const shipment = await DBOS.runStep(async () => {
    await jitter(100, 300)
    return { trackingNumber: `trk-${crypto.randomUUID().slice(0, 8)}`, carrier: 'Parcelo' }
  }, { name: 'shipOrder' })
  await DBOS.setEvent('status', { state: 'shipped', ...shipment })
  await DBOS.writeStream('progress', { stage: 'shipped' })
  await DBOS.closeStream('progress')
  return { ...reservation, ...payment, ...shipment, receipt: (await receipt.getResult()).messageID }
}, { name: 'checkout' })

const nightlyReport = DBOS.registerWorkflow(async (day: string) => {
  const rows = await DBOS.runStep(async () => {
    await jitter(1500, 2500)
    return Math.floor(Math.random() * 5000)
  }, { name: 'aggregateOrders' })
  return await DBOS.runStep(async () => ({ day, rows, file: `report-${day}.csv` }), { name: 'writeReport' })
}, { name: 'nightlyReport' })

const waiting = DBOS.registerWorkflow(async (customer: string) => {
  await DBOS.runStep(async () => customer, { name: 'openCart' })
  return await DBOS.recv<string>('checkout', 600)
}, { name: 'abandonedCart' })

const CUSTOMERS = ['Ada', 'Grace', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Edsger', 'Frances']
const SKUS = ['widget', 'gadget', 'gizmo']
const order = (i: number): Order => ({
  customer: CUSTOMERS[i % CUSTOMERS.length]!,
  items: [{ sku: SKUS[i % 3]!, quantity: 1 + (i % 4) }, ...(i % 2 ? [{ sku: SKUS[(i + 1) % 3]!, quantity: 1 }] : [])],
  card: i % 7 === 3 ? '4000000000000002' : '4242424242424242',
})

async function main(): Promise<void> {
  DBOS.setConfig({ name: 'perdure-shop', systemDatabaseUrl: 'memory://', logLevel: 'warn', runAdminServer: false, applicationVersion: 'v1.4.2' })
  await DBOS.launch()
  const system = launchedSystem()!
  const server = await serve(createAdminApp(adminDeps(system.engine, system.dispatcher)).fetch, { port: 0 })
  const base = `http://127.0.0.1:${server.port}`
  console.log(`Dashboard at ${base}/dashboard/ (running the shop for ${RUN_MS / 1000} s)`)

  let featured = ''
  const started = Date.now()
  for (let i = 0; Date.now() - started < RUN_MS; i++) {
    const id = `order-${String(1000 + i)}`
    const handle = await DBOS.startWorkflow(checkout, { workflowID: id, queueName: payments.name })(order(i))
    if (i === 4) featured = id
    if (i % 9 === 0) await DBOS.startWorkflow(nightlyReport, { queueName: reports.name })(`2025-06-${String(1 + (i % 28)).padStart(2, '0')}`)
    void handle.getResult().catch(() => {})
    await jitter(600, 1400)
  }
  for (let d = 0; d < 6; d++) await DBOS.startWorkflow(nightlyReport, { queueName: reports.name })(`2025-07-0${d + 1}`)
  await DBOS.startWorkflow(waiting, { workflowID: 'cart-grace' })('Grace')
  await DBOS.startWorkflow(waiting, { workflowID: 'cart-ken' })('Ken')
  await DBOS.cancelWorkflow('cart-ken')
  await (await DBOS.retrieveWorkflow(featured)).getResult()
  await sleep(1500)

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, colorScheme: 'light' })
  // The page weight the README states: every byte the dashboard sends for a view (uncompressed; the shell,
  // its script and stylesheet, and the view's fragment), the first of each fragment only (not its refreshes).
  const weights = new Map<string, number>()
  page.on('response', async (r) => {
    const path = new URL(r.url()).pathname
    if (!weights.has(path)) weights.set(path, (await r.body().catch(() => Buffer.alloc(0))).length)
  })
  const weigh = (paths: string[]) => paths.reduce((sum, p) => sum + (weights.get(p) ?? 0), 0)
  const shell = ['/dashboard/', '/dashboard/assets/app.js', '/dashboard/assets/app.css']
  await page.goto(`${base}/`)
  await page.waitForSelector('#list tr[data-id]')
  await page.screenshot({ path: 'docs/dashboard-list.png' })
  await page.goto(`${base}/dashboard/#/workflows/${featured}`)
  await page.waitForSelector('#workflow li.step')
  const list = weigh([...shell, '/dashboard/fragments/workflows'])
  const workflow = weigh([...shell, `/dashboard/fragments/workflows/${featured}`])
  console.log(`Page weight: list ${(list / 1024).toFixed(1)} KiB (50 rows), workflow ${(workflow / 1024).toFixed(1)} KiB (${featured})`)
  await page.click('#streams tr[data-stream="progress"] button[data-tail]')
  await page.waitForSelector('#tail li.end')
  await page.screenshot({ path: 'docs/dashboard-workflow.png', fullPage: true })
  await page.goto(`${base}/dashboard/#/queues`)
  await page.waitForSelector('#queues table')
  await page.setViewportSize({ width: 1360, height: 330 })
  await page.screenshot({ path: 'docs/dashboard-queues.png' })
  await browser.close()
  await server.close()
  await DBOS.shutdown()
  console.log('Wrote docs/dashboard-list.png, docs/dashboard-workflow.png, docs/dashboard-queues.png')
}

await main()
