// Smoke test of examples/hono-app: starts the demo as a user would, drives it over HTTP, then
// stops it with SIGTERM. DBOS_SYSTEM_DATABASE_URL=file:<temporary directory> keeps it out of .perdure/, in a
// PGlite directory it holds, as a demo run by hand holds .perdure/perdure-demo/: the README's self-test must
// run beside it.
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from '../harness.ts'
import { describeOn } from '../support/databases.ts'
import { scriptCommand } from '../support/command.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const READY_TIMEOUT_MS = 30_000
const ORDER_TIMEOUT_MS = 20_000
const EXIT_TIMEOUT_MS = 15_000

type Exit = { code: number | null; signal: NodeJS.Signals | null }

/** A port nothing listens on right now; the demo binds it a moment later. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
function waitForOutput(
  read: () => string,
  pattern: RegExp,
  exited: Promise<Exit>,
  timeoutMS: number,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    let settled = false
    const settle = (finish: () => void) => {
      if (settled) return
      settled = true
      clearInterval(poll)
      finish()
    }
    const fail = (why: string) => settle(() => reject(new Error(`${why}; its output:\n${read()}`)))
    const poll = setInterval(() => {
      const match = read().match(pattern)
      if (match) settle(() => resolve(match))
      else if (Date.now() - started > timeoutMS) fail(`no ${pattern} within ${timeoutMS} ms`)
    }, 50)
    // The last output and the exit can land between two polls: look once more before calling it an early exit.
    void exited.then(() => {
      const match = read().match(pattern)
      if (match) settle(() => resolve(match))
      else fail(`demo exited before printing ${pattern}`)
    })
  })
}

function postOrder(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

describeOn('pglite', 'examples/hono-app (npm run demo)', () => {
  let child: ChildProcess | undefined
  let output = ''
  let exited: Promise<Exit>
  let base = ''
  let scratch = ''
  let demoEnv: NodeJS.ProcessEnv = {}

  beforeAll(async () => {
    const port = await freePort()
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) }
    scratch = mkdtempSync(join(tmpdir(), 'perdure-demo-'))
    env.DBOS_SYSTEM_DATABASE_URL = `file:${join(scratch, 'db')}`
    delete env.DEMO_SELF_TEST
    demoEnv = env
    const proc = spawn(...scriptCommand('examples/hono-app/main.ts'), {
      cwd: root,
      env,
    })
    child = proc
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => resolve({ code, signal }))
    })
    const ready = await waitForOutput(
      () => output,
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      exited,
      READY_TIMEOUT_MS,
    )
    base = ready[1]!
    expect(base).toBe(`http://127.0.0.1:${port}`)
  })

  afterAll(() => {
    // Whatever happened above, leave no demo process behind.
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  it('keeps state where DBOS_SYSTEM_DATABASE_URL says, not under .perdure/', () => {
    expect(output).not.toContain('.perdure/')
  })

  it('runs the README self-test beside the running demo, with the same environment', async () => {
    // The running demo holds its PGlite directory and the admin port: the self-test must use neither.
    const env: NodeJS.ProcessEnv = { ...demoEnv, DEMO_SELF_TEST: '1' }
    delete env.PORT
    const proc = spawn(...scriptCommand('examples/hono-app/main.ts'), { cwd: root, env })
    let selfTestOutput = ''
    proc.stdout.on('data', (chunk: Buffer) => (selfTestOutput += chunk.toString()))
    proc.stderr.on('data', (chunk: Buffer) => (selfTestOutput += chunk.toString()))
    // 'close', not 'exit': it comes after the child's output has been read to the end.
    const selfTestExit = new Promise<Exit>((resolve) => proc.once('close', (code, signal) => resolve({ code, signal })))
    try {
      await waitForOutput(() => selfTestOutput, /Self-test passed/, selfTestExit, READY_TIMEOUT_MS + ORDER_TIMEOUT_MS)
      expect((await selfTestExit).code).toBe(0)
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    }
    // The demo did not notice.
    expect((await fetch(`${base}/orders/no-such-order`)).status).toBe(404)
  })

  it('runs an order through every step and returns the receipt', async () => {
    const workflowID = `test-order-${crypto.randomUUID()}`
    const items = [{ sku: 'widget', quantity: 2 }, { sku: 'gadget', quantity: 1 }]
    const posted = await postOrder(base, { workflowID, customer: 'Test Customer', items })
    expect(posted.status).toBe(202)
    const started = (await posted.json()) as { workflowID: string; statusUrl: string }
    expect(started).toEqual({ workflowID, statusUrl: `${base}/orders/${workflowID}` })

    const deadline = Date.now() + ORDER_TIMEOUT_MS
    let view: Record<string, unknown> = {}
    for (;;) {
      const res = await fetch(started.statusUrl)
      expect(res.status).toBe(200)
      view = (await res.json()) as Record<string, unknown>
      if (view.status !== 'PENDING' && view.status !== 'ENQUEUED') break
      if (Date.now() > deadline) {
        const late = `order still ${String(view.status)} after ${ORDER_TIMEOUT_MS} ms`
        throw new Error(`${late}: ${JSON.stringify(view)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    expect(view.status).toBe('SUCCESS')
    expect((view.steps as { name: string }[]).map((step) => step.name)).toEqual([
      'reserveInventory',
      'chargePayment',
      'waitForWarehouse',
      'shipOrder',
    ])
    expect(view.output).toMatchObject({
      orderID: workflowID,
      customer: 'Test Customer',
      items: [
        { sku: 'widget', quantity: 2, priceCents: 1250 },
        { sku: 'gadget', quantity: 1, priceCents: 4999 },
      ],
      totalCents: 2 * 1250 + 4999,
    })
    const receipt = view.output as Record<string, string>
    expect(receipt.reservationID).toMatch(/^rsv-/)
    expect(receipt.paymentID).toMatch(/^pay-/)
    expect(receipt.trackingNumber).toMatch(/^trk-/)
    expect(output).toContain(`[${workflowID}] step 4/4 shipOrder`)
  })

  it('rejects a malformed order with 400 naming the field, then keeps serving', async () => {
    const bad = await postOrder(base, { customer: 'Ada', items: [{ sku: 'widget', quantity: 0 }] })
    expect(bad.status).toBe(400)
    const problem = (await bad.json()) as { error: string; field: string }
    expect(problem.field).toBe('items.0.quantity')
    expect(problem.error).toContain('items.0.quantity')

    const notJson = await fetch(`${base}/orders`, { method: 'POST', body: 'not json' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { field: string }).field).toBe('body')

    const missing = await postOrder(base, { items: [{ sku: 'widget', quantity: 1 }] })
    expect(missing.status).toBe(400)
    expect(((await missing.json()) as { field: string }).field).toBe('customer')

    // This order is still asleep when the SIGTERM test runs: shutdown must not wait for it.
    const good = await postOrder(base, { customer: 'Ada', items: [{ sku: 'gizmo', quantity: 1 }] })
    expect(good.status).toBe(202)
    const { workflowID } = (await good.json()) as { workflowID: string }
    expect(workflowID).toMatch(/^order-/)
    const status = await fetch(`${base}/orders/${workflowID}`)
    expect(status.status).toBe(200)
    await status.body?.cancel()
  })

  it('answers 404 for an unknown order ID', async () => {
    const res = await fetch(`${base}/orders/no-such-order`)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: string }).error).toContain('no-such-order')
  })

  it('shuts down cleanly on SIGTERM', async () => {
    child!.kill('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`demo still running ${EXIT_TIMEOUT_MS} ms after SIGTERM:\n${output}`))
      }, EXIT_TIMEOUT_MS)
    })
    try {
      const exit = await Promise.race([exited, timeout])
      // Deno's node:child_process reports the signal it sent even when the child handled it and exited
      // with 0 (a Node parent sees code 0 for the same Deno child), so there the log line is the proof.
      const isDeno = 'Deno' in globalThis
      expect(isDeno && exit.signal === 'SIGTERM' ? { code: 0, signal: null } : exit).toEqual({ code: 0, signal: null })
    } finally {
      clearTimeout(timer)
    }
    expect(output).toContain('SIGTERM: closing the server and shutting DBOS down')
    expect(output).toContain('Stopped cleanly')
  })
})
