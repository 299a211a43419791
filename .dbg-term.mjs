import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { chromium } from '/work/main/node_modules/playwright-core/index.mjs'
const dir = mkdtempSync('/tmp/dbg/db-')
const child = spawn(process.execPath, ['--import', 'tsx', 'examples/browser-stream/main.ts'], { cwd: '/work/main', env: { ...process.env, PORT: '0', DBOS_SYSTEM_DATABASE_URL: `file:${dir}`, STREAM_TOKEN_SECRET: 'x'.repeat(40) } })
let out = ''
const t0 = Date.now()
child.stdout.on('data', (d) => { out += d; process.stdout.write(`[${Date.now()-t0}] A: ${d}`) })
child.stderr.on('data', (d) => process.stdout.write(`[${Date.now()-t0}] A err: ${d}`))
while (!out.includes('LISTENING')) await new Promise((r) => setTimeout(r, 100))
const base = out.match(/LISTENING (\S+)/)[1]
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
const page = await browser.newPage()
page.on('request', (r) => console.log(`[${Date.now()-t0}] req ${r.method()} ${r.url().slice(0, 80)}`))
page.on('requestfailed', (r) => console.log(`[${Date.now()-t0}] failed ${r.url().slice(0, 60)} ${r.failure()?.errorText}`))
page.on('response', (r) => console.log(`[${Date.now()-t0}] resp ${r.status()} ${r.url().slice(0, 60)}`))
await page.goto(`${base}/?wf=t`)
await page.waitForFunction(() => window.received?.length >= 10)
console.log(`[${Date.now()-t0}] SIGTERM`)
child.kill('SIGTERM')
await new Promise((r) => child.once('close', (c, s) => { console.log(`[${Date.now()-t0}] exit ${c} ${s}`); r() }))
console.log(await page.evaluate(() => JSON.stringify({ n: window.received.length, a: window.attempts, c: window.connections })))
await browser.close()
