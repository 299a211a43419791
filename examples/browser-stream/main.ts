// A page that follows a workflow's stream in the browser, through server restarts.
//
//   node --import tsx examples/browser-stream/main.ts, then open http://127.0.0.1:3000/
//
//   PORT                      port to listen on, on 127.0.0.1 (default 3000; 0 picks a free one)
//   DBOS_SYSTEM_DATABASE_URL  Postgres or file:<dir> instead of PGlite in .perdure/browser-stream/
//   STREAM_TOKEN_SECRET       signs the stream tokens given to the page (at least 32 characters). Keep it
//                             the same across restarts: tokens handed out before one must still work after.
//   STREAM_VALUES             how many values a workflow writes (default 40)
//   STREAM_INTERVAL_MS        the durable sleep before each value (default 100)
//
// POST /start?wf=<id> starts, once per ID, a workflow that writes 0, 1, 2, ... to its stream `values` and
// then closes it; it answers with the stream's URL and a token for it. The page at / reads that URL with
// readStreamUrl from perdure/browser. Kill this server mid-stream and start it again: the page reconnects at
// the offset after the last value it got, and the recovered workflow writes the rest.
// Once serving, prints `LISTENING <url>` on stdout (test/integration/browser.test.ts waits for it).
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Hono } from 'hono'
import { createStreamToken, DBOS, serve } from '../../adapters/auto/mod.ts'

const STREAM_KEY = 'values'
const WORKFLOW_ID = /^[A-Za-z0-9._:-]{1,100}$/
// Recovery resumes only the PENDING workflows of this executor ID and application version, so a restarted
// server must present the same two.
const EXECUTOR_ID = 'browser-stream-1'
const APP_VERSION = 'browser-stream-v1'
// Only for trying the example out; the test passes its own secret.
const DEV_SECRET = 'browser-stream-development-secret-do-not-deploy'
const SHUTDOWN_GRACE_MS = 10_000

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name] ?? String(fallback)
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)
  }
  return value
}

async function countTo(count: number, intervalMS: number): Promise<number> {
  for (let i = 0; i < count; i++) {
    // A durable sleep: a restarted server waits out what is left of it, and only that.
    await DBOS.sleep(intervalMS)
    // Recorded with the value: a recovered run skips the writes that committed before the crash.
    await DBOS.writeStream(STREAM_KEY, i)
  }
  await DBOS.closeStream(STREAM_KEY)
  return count
}
const counter = DBOS.registerWorkflow(countTo, { name: 'countTo' })

/** The page's script and what it imports from adapters/browser/, bundled for the browser. */
async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  })
  const [file] = result.outputFiles
  if (!file) throw new Error('esbuild produced no bundle for page.ts')
  return file.text
}

interface AppOptions {
  secret: string
  count: number
  intervalMS: number
  /** True once the server is shutting down. */
  stopping: () => boolean
}

function createApp(page: { html: string; script: string }, options: AppOptions): Hono {
  const app = new Hono()
  app.use('*', async (c, next) => {
    if (!options.stopping()) return await next()
    // Node's server.close() waits for keep-alive connections, and a reconnecting page reuses its own: tell it
    // to come back later on a new one.
    return c.text('Restarting, try again shortly', 503, { connection: 'close', 'retry-after': '1' })
  })
  app.get('/', (c) => c.html(page.html))
  app.get('/page.js', (c) => c.body(page.script, 200, { 'content-type': 'text/javascript; charset=utf-8' }))
  app.post('/start', async (c) => {
    const workflowID = c.req.query('wf') ?? ''
    if (!WORKFLOW_ID.test(workflowID)) return c.json({ error: 'wf must be 1-100 letters, digits or . _ : -' }, 400)
    // Starting an ID that exists returns that workflow: reloading the page does not start a second one.
    await DBOS.startWorkflow(counter, { workflowID })(options.count, options.intervalMS)
    const token = await createStreamToken(options.secret, { workflowID, key: STREAM_KEY, expiresInSeconds: 3600 })
    const url = `/api/workflows/${encodeURIComponent(workflowID)}/streams/${STREAM_KEY}?token=${encodeURIComponent(token)}`
    return c.json({ url })
  })
  app.get('/workflows/:id', async (c) => {
    const status = await DBOS.getWorkflowStatus(c.req.param('id'))
    return status ? c.json(status) : c.json({ error: 'no such workflow' }, 404)
  })
  app.route('/api', DBOS.streamRoutes({ tokenSecret: options.secret }))
  return app
}

async function main(): Promise<void> {
  const port = intFromEnv('PORT', 3000, 0, 65535)
  const count = intFromEnv('STREAM_VALUES', 40, 1, 10_000)
  const intervalMS = intFromEnv('STREAM_INTERVAL_MS', 100, 0, 60_000)
  const secret = process.env.STREAM_TOKEN_SECRET ?? DEV_SECRET
  const [html, script] = await Promise.all([readFile(new URL('./page.html', import.meta.url), 'utf8'), bundlePage()])

  // No systemDatabaseUrl: DBOS_SYSTEM_DATABASE_URL if set, else embedded PGlite in .perdure/browser-stream/.
  DBOS.setConfig({ name: 'browser-stream', executorID: EXECUTOR_ID, applicationVersion: APP_VERSION })
  await DBOS.launch()
  if (secret === DEV_SECRET) DBOS.logger.warn('STREAM_TOKEN_SECRET is not set: using the example\'s public secret')
  let stopping = false
  const app = createApp({ html, script }, { secret, count, intervalMS, stopping: () => stopping })
  const server = await serve(app.fetch, { port })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1)
      stopping = true
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref()
      // Together: server.close() waits for the open event streams, and only DBOS's shutdown ends them.
      void Promise.all([DBOS.shutdown(), server.close()]).catch((e: unknown) => {
        DBOS.logger.error(e)
        process.exitCode = 1
      })
    })
  }
  console.log(`LISTENING http://${server.hostname}:${server.port}`)
}

main().catch((e: unknown) => {
  DBOS.logger.error(e)
  process.exitCode = 1
  DBOS.shutdown().catch(() => {})
})
