// The demo's entry point (`npm run demo`): launches DBOS, serves the app, stops on a signal.
//
//   PORT                      port to listen on, on 127.0.0.1 (default 3000; 0 picks a free one)
//   DBOS_SYSTEM_DATABASE_URL  Postgres (or memory://) instead of PGlite in .perdure/perdure-demo/
//   DEMO_SELF_TEST=1          order once from the running server, print the receipt and exit;
//                             PORT then defaults to 0, the database to memory:// (a Postgres
//                             URL is kept) and the admin API is off: it runs beside a running demo
import { DBOS, serve } from '../../adapters/auto/mod.ts'
import { createApp } from './app.ts'
import { runSelfTest, SAMPLE_ORDER } from './self-test.ts'
import { WAREHOUSE_WAIT_MS } from './workflows.ts'

// A stuck shutdown must not leave a process behind.
const SHUTDOWN_GRACE_MS = 10_000

const selfTest = process.env.DEMO_SELF_TEST === '1'

function portFromEnv(): number {
  const text = process.env.PORT ?? (selfTest ? '0' : '3000')
  const port = Number(text)
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new TypeError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(text)}`)
  }
  return port
}

function banner(base: string): string {
  const post = `curl -s -X POST ${base}/orders -H 'content-type: application/json' -d`
  const order = JSON.stringify({ workflowID: 'order-1', ...SAMPLE_ORDER })
  const bad = JSON.stringify({ customer: 'Ada', items: [{ sku: 'widget', quantity: 0 }] })
  const wait = WAREHOUSE_WAIT_MS / 1000
  return [
    '',
    `Perdure demo listening on ${base}`,
    '',
    'Place an order (starts the processOrder workflow in the background):',
    `  ${post} '${order}'`,
    'Watch it: reserveInventory → chargePayment → waitForWarehouse (durable sleep) → shipOrder',
    `  curl -s ${base}/orders/order-1`,
    'A malformed order gets a 400 naming the field:',
    `  ${post} '${bad}'`,
    '',
    `Press Ctrl-C during the ${wait} s warehouse wait, then restart: the order picks up again.`,
    '',
  ].join('\n')
}

async function main(): Promise<void> {
  const port = portFromEnv()
  // No systemDatabaseUrl: the engine reads DBOS_SYSTEM_DATABASE_URL, else embeds PGlite. The self-test runs
  // beside a demo that may be running, whose PGlite directory and admin port have one owner each: it keeps its
  // order in memory (unless given a Postgres URL, which many processes share) and serves no admin API.
  const shared = process.env.DBOS_SYSTEM_DATABASE_URL
  const selfTestUrl = shared && /^postgres(ql)?:\/\//.test(shared) ? shared : 'memory://'
  DBOS.setConfig({
    name: 'perdure-demo',
    ...(selfTest ? { systemDatabaseUrl: selfTestUrl, runAdminServer: false } : {}),
  })

  let server: Awaited<ReturnType<typeof serve>> | undefined
  let stopping: Promise<void> | undefined
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      DBOS.logger.info(`${reason}: closing the server and shutting DBOS down`)
      // unref: the watchdog fires only if something else still holds the process open.
      setTimeout(() => {
        DBOS.logger.error(`Shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting anyway`)
        process.exit(1)
      }, SHUTDOWN_GRACE_MS).unref()
      // Stop taking requests first, so that none arrives after DBOS is gone.
      await server?.close()
      // Waits for a launch in progress. Running workflows stop at their next step and are
      // recovered by the next launch.
      await DBOS.shutdown()
      DBOS.logger.info('Stopped cleanly')
    })()
    return stopping
  }
  // Installed before launch, so that a signal during the slow first launch still stops us in
  // order (and is not lost: a shell's background jobs otherwise ignore SIGINT).
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(signal, () => {
      // A second signal means "now": skip the graceful path.
      if (stopping) process.exit(code)
      stop(signal).catch((e: unknown) => {
        DBOS.logger.error(e)
        process.exitCode = 1
      })
    })
  }

  await DBOS.launch()
  if (stopping) return
  server = await serve(createApp().fetch, { port }).catch((e: unknown) => {
    if ((e as { code?: string }).code !== 'EADDRINUSE') throw e
    throw new Error(`Port ${port} is in use: set PORT to a free one (0 picks one)`, { cause: e })
  })
  // stop() ran while serve() was binding, so it had no server to close.
  if (stopping) return await server.close()
  const base = `http://${server.hostname}:${server.port}`

  if (!selfTest) {
    console.log(banner(base))
    return
  }
  console.log(`Perdure demo listening on ${base} (DEMO_SELF_TEST=1: placing one order)`)
  try {
    const receipt = await runSelfTest(base)
    console.log(`Self-test passed. Receipt:\n${JSON.stringify(receipt, null, 2)}`)
  } catch (e) {
    DBOS.logger.error(e)
    process.exitCode = 1
  }
  await stop('Self-test done')
}

main().catch((e: unknown) => {
  DBOS.logger.error(e)
  process.exitCode = 1
  // Launch may have succeeded before serving failed: close the database so the process can exit.
  DBOS.shutdown().catch(() => {})
})
